// Pure helpers for showing Kafka records to people: keys and headers as text.
import type { IHeaders } from 'kafkajs';

/** Header values as UTF-8 text; a header given more than once becomes an array. */
export function headersAsText(headers: IHeaders | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((v) => v.toString()) : value.toString();
  }
  return out;
}

/** The last value of a header (the current one when a header was appended to), as text. */
export function lastHeader(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : last.toString();
}

export function keyAsText(key: Buffer | null | undefined): string | null {
  return key === null || key === undefined ? null : key.toString('utf8');
}

/** Kafka's millisecond timestamp string as ISO-8601. */
export function timestampAsIso(timestamp: string): string {
  const ms = Number(timestamp);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : timestamp;
}
