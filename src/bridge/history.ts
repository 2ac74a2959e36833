// Per-conversation history of outbound events in Redis: what `subscribe` with
// `since` replays (the model is Centrifugo's history and recovery).
//
// Layout, per conversation (both keys in one hash slot, so this works on Redis
// Cluster too):
//   <prefix>x7:bridge:h:{<conversationId>}   sorted set, score = Kafka offset,
//                                             member = "<offset>:<event JSON>"
//   <prefix>x7:bridge:hm:{<conversationId>}  hash: p = partition, f = "floor",
//                                             the highest offset ever trimmed away
//
// Every bridge instance consumes all of chat.outbound and writes every record
// here, so writes must be idempotent: the append script adds an offset only when
// no entry has it yet. Two instances writing the same record, or one instance
// writing it again after a crash, leave one entry.
//
// Trimming keeps the newest X7_HISTORY_SIZE entries and raises the floor to the
// highest offset it removed; a history that starts (or starts over after it
// expired) sets the floor just below its first event. The floor is what makes a gap detectable: offsets of
// one conversation are not consecutive (other conversations share the partition,
// transaction markers take offsets), so "the oldest entry is above since + 1"
// says nothing. "since is below the floor" says exactly that an event after
// `since` was dropped. Both keys expire X7_HISTORY_TTL_MS after the last event.
//
// Durability: append() resolves only once Redis has replied, and the bridge gives
// an event to clients only after that (outbound-consumer.ts). Redis runs with
// appendonly yes and appendfsync always (scripts/redis.conf), so it replies only
// after the entry is fsync'd: a Redis crash cannot take back an entry a client was
// given. A Redis that comes back empty (its disk lost) holds no meta for the
// conversation, so recover() answers a cursor from before with a gap, and the first
// event appended afterwards starts a history whose floor lies just below it.
import type { Redis } from 'ioredis';
import { toRedisError } from '../state/redis.js';
import type { Cursor } from './cursor.js';

export interface HistoryEntry {
  cursor: Cursor;
  /** The OutboundEvent as JSON text, ready to splice into an event frame. */
  eventJson: string;
}

export interface HistoryMeta {
  partition: number;
  /** Highest offset trimmed away; -1 when nothing was. */
  floor: number;
}

export type Recovery =
  | { ok: true; entries: HistoryEntry[] }
  | { ok: false; reason: string };

/**
 * Pure: what a subscriber resuming after `since` gets, given the history as read.
 * `meta` null means no history exists for the conversation (never had an event,
 * or expired).
 */
export function recover(since: Cursor | null, meta: HistoryMeta | null, entries: HistoryEntry[]): Recovery {
  if (since === null) return { ok: true, entries };
  if (meta === null) {
    // The client saw events once, but none are kept: whatever followed its cursor
    // (if anything) has expired with them. We cannot tell "nothing happened" from
    // "it is gone", and a silent gap is the one answer we must never give.
    return { ok: false, reason: 'no history is kept for this conversation any more' };
  }
  if (since.partition !== meta.partition) {
    return { ok: false, reason: `the cursor is on partition ${since.partition}, the conversation's history on ${meta.partition} (partitions were added or the topic recreated)` };
  }
  if (since.offset < meta.floor) {
    return { ok: false, reason: `events after the cursor were trimmed from the history (it keeps events after offset ${meta.floor})` };
  }
  return { ok: true, entries: entries.filter((e) => e.cursor.offset > since.offset) };
}

// KEYS: zset, meta. ARGV: partition, offset, member, size, ttlMs.
// Returns 1 when the entry was added, 0 when it was there (or trimmed) already.
const APPEND_SCRIPT = `
local p = ARGV[1]
local off = tonumber(ARGV[2])
local size = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local current = redis.call('HGET', KEYS[2], 'p')
if current ~= p then
  -- A history starts (first event, or the old one expired) or the conversation
  -- moved to another partition (old offsets do not order against new ones).
  -- Either way it vouches for nothing before this event: the floor says so, and
  -- an older cursor gets HISTORY_GAP instead of a replay that skips what expired.
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'p', p, 'f', tostring(off - 1))
end
local floor = tonumber(redis.call('HGET', KEYS[2], 'f') or '-1')
local added = 0
if off > floor and redis.call('ZCOUNT', KEYS[1], off, off) == 0 then
  redis.call('ZADD', KEYS[1], off, ARGV[3])
  added = 1
  local n = redis.call('ZCARD', KEYS[1])
  if n > size then
    local dropped = redis.call('ZRANGE', KEYS[1], n - size - 1, n - size - 1, 'WITHSCORES')
    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - size - 1)
    local highest = tonumber(dropped[2])
    if highest > floor then redis.call('HSET', KEYS[2], 'f', dropped[2]) end
  end
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return added
`;

// KEYS: zset, meta. ARGV: min score (exclusive) or "-inf".
// Returns {partition or false, floor or false, member1, member2, ...} atomically.
const READ_SCRIPT = `
local meta = redis.call('HMGET', KEYS[2], 'p', 'f')
local members = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
local out = { meta[1] or false, meta[2] or false }
for i = 1, #members do out[#out + 1] = members[i] end
return out
`;

// KEYS: watermark hash. ARGV: partition, offset. Raises the partition's mark, never lowers it.
const MARK_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;

export interface HistoryOptions {
  /** X7_TOPIC_PREFIX: tests (and environments) sharing a Redis keep apart. */
  keyPrefix: string;
  size: number;
  ttlMs: number;
}

type ScriptCall = (...args: string[]) => Promise<unknown>;
/** The scripts as ioredis commands: sent once, then called by SHA (EVALSHA), also in pipelines. */
interface HistoryCommands {
  x7HistoryAppend: ScriptCall;
  x7HistoryRead: ScriptCall;
  x7HistoryMark: ScriptCall;
}

export class ConversationHistory {
  constructor(private readonly redis: Redis, private readonly options: HistoryOptions) {
    redis.defineCommand('x7HistoryAppend', { numberOfKeys: 2, lua: APPEND_SCRIPT });
    redis.defineCommand('x7HistoryRead', { numberOfKeys: 2, lua: READ_SCRIPT });
    redis.defineCommand('x7HistoryMark', { numberOfKeys: 1, lua: MARK_SCRIPT });
  }

  private get commands(): HistoryCommands {
    return this.redis as unknown as HistoryCommands;
  }

  private keys(conversationId: string): [string, string] {
    const tag = `{${conversationId}}`;
    return [`${this.options.keyPrefix}x7:bridge:h:${tag}`, `${this.options.keyPrefix}x7:bridge:hm:${tag}`];
  }

  /** Appends records (idempotently), in one round trip; resolves when Redis has them all. */
  async append(records: { conversationId: string; cursor: Cursor; eventJson: string }[]): Promise<void> {
    if (records.length === 0) return;
    const pipeline = this.redis.pipeline();
    const commands = pipeline as unknown as HistoryCommands;
    for (const r of records) {
      const [zset, meta] = this.keys(r.conversationId);
      void commands.x7HistoryAppend(zset, meta, String(r.cursor.partition), String(r.cursor.offset),
        `${r.cursor.offset}:${r.eventJson}`, String(this.options.size), String(this.options.ttlMs));
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw toRedisError(error, 'history append');
    }
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (failed) throw toRedisError(failed, 'history append');
  }

  private watermarkKey(): string {
    return `${this.options.keyPrefix}x7:bridge:written`;
  }

  /**
   * Records that every chat.outbound record of `partition` up to `offset` is in
   * the history. Each instance writes a partition in offset order from where it
   * started, and a new instance starts where the mark is (outbound-consumer.ts),
   * so by induction the history holds every event up to the mark, whichever
   * instances come and go.
   */
  async markWritten(partition: number, offset: number): Promise<void> {
    try {
      await this.commands.x7HistoryMark(this.watermarkKey(), String(partition), String(offset));
    } catch (error) {
      throw toRedisError(error, 'history watermark');
    }
  }

  /** Partition → highest offset known to be in the history. */
  async watermarks(): Promise<Map<number, number>> {
    let raw: Record<string, string>;
    try {
      raw = await this.redis.hgetall(this.watermarkKey());
    } catch (error) {
      throw toRedisError(error, 'history watermark read');
    }
    return new Map(Object.entries(raw).map(([p, o]) => [Number(p), Number(o)]));
  }

  /** The history after `since` (all of it for null), or why it cannot be given. */
  async recover(conversationId: string, since: Cursor | null): Promise<Recovery> {
    const [zset, meta] = this.keys(conversationId);
    let reply: unknown;
    try {
      reply = await this.commands.x7HistoryRead(zset, meta, since === null ? '-inf' : `(${since.offset}`);
    } catch (error) {
      throw toRedisError(error, 'history read');
    }
    const [p, f, ...members] = reply as (string | null)[];
    const historyMeta = p == null ? null : { partition: Number(p), floor: f == null ? -1 : Number(f) };
    const entries = (members as string[]).map((member) => {
      const colon = member.indexOf(':');
      return { cursor: { partition: historyMeta?.partition ?? 0, offset: Number(member.slice(0, colon)) }, eventJson: member.slice(colon + 1) };
    });
    return recover(since, historyMeta, entries);
  }
}
