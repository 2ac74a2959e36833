// Pure: which dead-lettered records `x7 dlq replay` sends again, and what it sends.
//
// A DLQ copy is the record as it arrived plus our reason (pipeline/dlq.ts). The record
// to replay is that record again: its key and value byte for byte, its own headers
// (the non-x7 ones as they are, the x7.* ones it came with back from x7.original.*),
// none of our x7.error.* / x7.source.* / x7.failed.at, and x7.replay.of naming the
// DLQ copy it came from. Should it fail again, its DLQ copy carries that name as
// x7.original.replay.of: the mark by which a later replay skips it unless asked, so a
// record that keeps failing never loops between the DLQ and its source.
import type { IHeaders } from 'kafkajs';
import { DLQ_HEADERS, ORIGINAL_HEADER_PREFIX, sourceHeaderName, wireValues, X7_HEADER_PREFIX } from '../pipeline/dlq.js';
import { lastHeader } from '../kafka/records.js';

/** The header a replayed record carries: `<dlq topic>-<partition>-<offset>` of its DLQ copy. */
export const REPLAY_OF_HEADER = 'x7.replay.of';
/** The same header on the DLQ copy of a replayed record that failed again. */
export const REPLAYED_BEFORE_HEADER = `${ORIGINAL_HEADER_PREFIX}replay.of`;

/** A record read from the DLQ. */
export interface DlqEntry {
  partition: number;
  offset: string;
  /** Kafka's millisecond timestamp, as kafkajs gives it. */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export interface ReplayFilter {
  /** Only these x7.error.code values (empty: all). */
  codes: readonly string[];
  since?: Date;
  until?: Date;
  /** Only this DLQ partition, between these offsets (inclusive). */
  partition?: number;
  from?: bigint;
  to?: bigint;
  /** Replay records that already failed after a replay (x7.original.replay.of). */
  includeReplayed: boolean;
}

export type SkipReason = 'replayed-before' | 'foreign-source';

export interface ReplayRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export type Selection =
  | { kind: 'unselected' }
  | { kind: 'skipped'; reason: SkipReason; code: string }
  | { kind: 'replay'; code: string; field: string | null; failedAt: Date; record: ReplayRecord };

/** When the record was dead-lettered: x7.failed.at, or the DLQ record's own timestamp. */
export function failedAtOf(entry: DlqEntry): Date {
  const header = lastHeader(entry.headers, DLQ_HEADERS.failedAt);
  const at = header === undefined ? Number.NaN : Date.parse(header);
  return new Date(Number.isFinite(at) ? at : Number(entry.timestamp));
}

/**
 * What to do with one DLQ record. `sourceTopic` is this namespace's inbound topic:
 * the only place a record is sent back to (a copy naming another topic, or another
 * namespace's, is skipped, never produced there).
 */
export function selectForReplay(entry: DlqEntry, filter: ReplayFilter, dlqTopic: string, sourceTopic: string): Selection {
  const code = lastHeader(entry.headers, DLQ_HEADERS.code) ?? '(no x7.error.code)';
  const failedAt = failedAtOf(entry);
  if (filter.codes.length > 0 && !filter.codes.includes(code)) return { kind: 'unselected' };
  if (filter.since && failedAt < filter.since) return { kind: 'unselected' };
  if (filter.until && failedAt > filter.until) return { kind: 'unselected' };
  if (filter.partition !== undefined && entry.partition !== filter.partition) return { kind: 'unselected' };
  const offset = BigInt(entry.offset);
  if (filter.from !== undefined && offset < filter.from) return { kind: 'unselected' };
  if (filter.to !== undefined && offset > filter.to) return { kind: 'unselected' };
  if (lastHeader(entry.headers, DLQ_HEADERS.sourceTopic) !== sourceTopic) return { kind: 'skipped', reason: 'foreign-source', code };
  if (!filter.includeReplayed && entry.headers?.[REPLAYED_BEFORE_HEADER] !== undefined) return { kind: 'skipped', reason: 'replayed-before', code };
  return {
    kind: 'replay',
    code,
    field: lastHeader(entry.headers, DLQ_HEADERS.field) || null,
    failedAt,
    record: { topic: sourceTopic, ...replayRecord(entry, `${dlqTopic}-${entry.partition}-${entry.offset}`) },
  };
}

/**
 * The record as it originally arrived, plus x7.replay.of: x7.original.<rest> goes back
 * to x7.<rest> (one level: x7.original.original.x was x7.original.x when it arrived),
 * the other x7.* headers are the DLQ's own and stay behind, any other header is kept.
 */
export function replayRecord(entry: Pick<DlqEntry, 'key' | 'value' | 'headers'>, replayOf: string): Omit<ReplayRecord, 'topic'> {
  // No prototype, as in pipeline/dlq.ts: a header named "__proto__" is a header like any other.
  const headers: IHeaders = Object.create(null) as IHeaders;
  for (const [name, value] of Object.entries(entry.headers ?? {})) {
    const ours = name.startsWith(X7_HEADER_PREFIX) && !name.startsWith(ORIGINAL_HEADER_PREFIX);
    const values = ours ? undefined : wireValues(value);
    if (values !== undefined) headers[sourceHeaderName(name)] = values;
  }
  // Replaces the x7.replay.of of an earlier replay (still on the earlier DLQ copy).
  headers[REPLAY_OF_HEADER] = Buffer.from(replayOf, 'utf8');
  return { key: entry.key, value: entry.value, headers };
}

/** Counts of a replay run, by what happened and by x7.error.code. */
export interface ReplayTally {
  replayed: number;
  skipped: Record<SkipReason, number>;
  byCode: Record<string, number>;
}

export function emptyTally(): ReplayTally {
  return { replayed: 0, skipped: { 'replayed-before': 0, 'foreign-source': 0 }, byCode: {} };
}

export function tally(t: ReplayTally, selection: Selection): void {
  if (selection.kind === 'skipped') t.skipped[selection.reason] += 1;
  if (selection.kind !== 'replay') return;
  t.replayed += 1;
  t.byCode[selection.code] = (t.byCode[selection.code] ?? 0) + 1;
}

/** One line for the progress on stderr and the summary at the end. */
export function formatTally(t: ReplayTally, verb: string): string {
  const codes = Object.entries(t.byCode).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c, n]) => `${c} ${n}`);
  const skipped = t.skipped['replayed-before'] + t.skipped['foreign-source'];
  return `${verb} ${t.replayed}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}; skipped ${skipped}` +
    ` (${t.skipped['replayed-before']} failed again after a replay, ${t.skipped['foreign-source']} from a topic outside this namespace)`;
}
