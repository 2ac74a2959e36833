// Pure: a summary of dead-lettered records (counts by code and field, a few samples),
// built one record at a time so any number of records fits in memory.
import type { IHeaders } from 'kafkajs';
import { DLQ_HEADERS, ORIGINAL_HEADER_PREFIX, sourceHeaderName } from '../pipeline/dlq.js';
import { keyAsText, lastHeader } from '../kafka/records.js';

export interface DlqSample {
  partition: number;
  offset: string;
  key: string | null;
  code: string;
  field: string | null;
  reason: string;
  source: { topic: string | null; partition: number | null; offset: string | null };
  failedAt: string | null;
  /** The first bytes of the value: text when printable, else hex. */
  valuePreview: string | null;
  valueBytes: number;
  /**
   * The headers the record came with under x7.* names (kept in the DLQ as x7.original.*),
   * by the name it came with; each value previewed like the value.
   */
  originalX7Headers: Record<string, string | string[]>;
}

export interface DlqSummary {
  total: number;
  byCode: Record<string, number>;
  byField: Record<string, number>;
  samples: DlqSample[];
}

export const NO_FIELD = '(none)';
const PREVIEW_BYTES = 60;

export function emptySummary(): DlqSummary {
  return { total: 0, byCode: {}, byField: {}, samples: [] };
}

export function addToSummary(
  summary: DlqSummary,
  record: { partition: number; offset: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders },
  maxSamples: number,
): void {
  const code = lastHeader(record.headers, DLQ_HEADERS.code) ?? '(no x7.error.code)';
  const field = lastHeader(record.headers, DLQ_HEADERS.field) || null;
  summary.total += 1;
  summary.byCode[code] = (summary.byCode[code] ?? 0) + 1;
  summary.byField[field ?? NO_FIELD] = (summary.byField[field ?? NO_FIELD] ?? 0) + 1;
  if (summary.samples.length >= maxSamples) return;
  const sourcePartition = lastHeader(record.headers, DLQ_HEADERS.sourcePartition);
  summary.samples.push({
    partition: record.partition,
    offset: record.offset,
    key: keyAsText(record.key),
    code,
    field,
    reason: lastHeader(record.headers, DLQ_HEADERS.message) ?? '',
    source: {
      topic: lastHeader(record.headers, DLQ_HEADERS.sourceTopic) ?? null,
      partition: sourcePartition === undefined ? null : Number(sourcePartition),
      offset: lastHeader(record.headers, DLQ_HEADERS.sourceOffset) ?? null,
    },
    failedAt: lastHeader(record.headers, DLQ_HEADERS.failedAt) ?? null,
    valuePreview: record.value === null ? null : preview(record.value),
    valueBytes: record.value?.length ?? 0,
    originalX7Headers: originalX7Headers(record.headers),
  });
}

/** A producer's own x7.* headers (x7.original.* in the DLQ), by the names they came with. */
function originalX7Headers(headers: IHeaders | undefined): Record<string, string | string[]> {
  const originals: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!name.startsWith(ORIGINAL_HEADER_PREFIX) || value === undefined) continue;
    const shown = (v: Buffer | string | null) => (v === null ? 'null' : preview(Buffer.from(v)));
    originals[sourceHeaderName(name)] = Array.isArray(value) ? value.map(shown) : shown(value);
  }
  return originals;
}

/** Text when the bytes are printable UTF-8, otherwise hex; cut to a short prefix. */
export function preview(value: Buffer): string {
  const head = value.subarray(0, PREVIEW_BYTES);
  const more = value.length > PREVIEW_BYTES ? '…' : '';
  const text = head.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const printable = !text.includes('\uFFFD') && !/[\x00-\x08\x0e-\x1f\x7f]/.test(text);
  return printable ? `${text}${more}` : `hex:${head.toString('hex')}${more}`;
}

/** Human report: counts first (most frequent first), then the samples. */
export function formatSummary(topic: string, summary: DlqSummary): string[] {
  const lines = [`${topic}: ${summary.total} record(s)`];
  if (summary.total === 0) return lines;
  const sorted = (counts: Record<string, number>) => Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  lines.push('by x7.error.code:');
  for (const [code, n] of sorted(summary.byCode)) lines.push(`  ${code}: ${n}`);
  lines.push('by x7.error.field:');
  for (const [field, n] of sorted(summary.byField)) lines.push(`  ${field}: ${n}`);
  lines.push(`samples (${summary.samples.length}):`);
  for (const s of summary.samples) {
    const source = s.source.topic ? `${s.source.topic}[${s.source.partition}]@${s.source.offset}` : 'unknown source';
    lines.push(`  [${s.partition}]@${s.offset} key=${JSON.stringify(s.key)} ${s.code}${s.field ? ` (${s.field})` : ''}: ${s.reason}`);
    lines.push(`    from ${source}${s.failedAt ? ` at ${s.failedAt}` : ''}; value (${s.valueBytes} bytes): ${s.valuePreview ?? 'null'}`);
    const originals = Object.entries(s.originalX7Headers);
    if (originals.length > 0) {
      const shown = originals.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', ');
      lines.push(`    came with its own x7.* headers (kept as ${ORIGINAL_HEADER_PREFIX}*): ${shown}`);
    }
  }
  return lines;
}
