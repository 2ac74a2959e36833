// LangGraph checkpoint saver over plain Redis: hashes and sorted sets only, so it
// runs on Redis, Valkey and managed Redis without modules.
//
// Layout, per thread (thread = conversationId), under a key prefix P:
//   P thread:<tid>:index  sorted set, every score 0, ordered by member (BYLEX):
//                           c\0<ns>\0<checkpointId>                 one per checkpoint
//                           w\0<ns>\0<checkpointId>\0<taskId>\0<idx> one per pending write
//   P thread:<tid>:data   hash; the same members as fields, plus blob fields
//                           b\0<ns>\0<channel>\0<version>           one channel value
//   P threads             sorted set of thread ids, score = last write (ms); it
//                         serves list() without a thread id
//
// Checkpoint ids are uuid6, so byte order is time order: the newest checkpoint of a
// namespace is the last member of its `c\0<ns>\0` range. Channel values are stored
// once per (channel, version), like the Postgres saver, so a checkpoint stores only
// the channels that changed and finds the others through channel_versions.
//
// Two keys per thread keep retention cheap and safe: every write renews the TTL of
// both, so an active conversation never loses an old blob its latest checkpoint
// still points to, and an idle one disappears whole after the retention.
import { isDeepStrictEqual } from 'node:util';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import type { ChainableCommander, Redis } from 'ioredis';
import { toRedisError } from './redis.js';

export const DEFAULT_CHECKPOINT_KEY_PREFIX = 'x7:lg:';

export interface RedisCheckpointSaverOptions {
  /** Seconds a thread's keys live after its last write. */
  ttlSeconds: number;
  /** Prefix of every key; tests use their own to stay isolated. */
  keyPrefix?: string;
  serde?: SerializerProtocol;
}

const SEP = '\0';
/** Type tag of a blob for a channel that was versioned but has no value. */
const EMPTY = 'empty';
/** Checkpoints read per round trip while list() filters and pages. */
const LIST_BATCH = 32;

interface StoredWrite {
  taskId: string;
  idx: number;
  taskPath: string;
  channel: string;
  type: string;
  value: Buffer;
}

interface ParsedCheckpoint {
  checkpoint: Omit<Checkpoint, 'channel_values'>;
  metadata: CheckpointMetadata & Record<string, unknown>;
  parentId: string;
}

interface CheckpointRef {
  threadId: string;
  ns: string;
  checkpointId: string;
}

export class RedisCheckpointSaver extends BaseCheckpointSaver {
  readonly keyPrefix: string;
  readonly ttlSeconds: number;

  /** The client is shared (the bridge uses it too), so the saver never closes it. */
  constructor(private readonly redis: Redis, options: RedisCheckpointSaverOptions) {
    super(options.serde);
    if (!Number.isSafeInteger(options.ttlSeconds) || options.ttlSeconds <= 0) {
      throw new RangeError(`ttlSeconds must be a positive whole number (got ${options.ttlSeconds})`);
    }
    this.ttlSeconds = options.ttlSeconds;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_CHECKPOINT_KEY_PREFIX;
  }

  // ---- keys ----------------------------------------------------------------

  indexKey(threadId: string): string {
    return `${this.keyPrefix}thread:${threadId}:index`;
  }

  dataKey(threadId: string): string {
    return `${this.keyPrefix}thread:${threadId}:data`;
  }

  threadsKey(): string {
    return `${this.keyPrefix}threads`;
  }

  // ---- BaseCheckpointSaver ---------------------------------------------------

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id;
    // LangGraph asks without a thread only by mistake; the contract says "nothing".
    if (threadId === undefined || threadId === null) return undefined;
    const ref: CheckpointRef = {
      threadId: identifier('thread_id', threadId),
      ns: identifier('checkpoint_ns', config.configurable?.checkpoint_ns ?? '', true),
      checkpointId: '',
    };
    const requested = getCheckpointId(config);
    if (requested) {
      ref.checkpointId = identifier('checkpoint_id', requested);
    } else {
      const prefix = checkpointMember(ref.ns, '');
      const [latest] = await this.call('getTuple', () =>
        this.redis.zrange(this.indexKey(ref.threadId), `(${rangeEnd(prefix)}`, `[${prefix}`, 'BYLEX', 'REV', 'LIMIT', 0, 1),
      );
      if (latest === undefined) return undefined;
      ref.checkpointId = latest.slice(prefix.length);
    }
    const record = await this.call('getTuple', () =>
      this.redis.hgetBuffer(this.dataKey(ref.threadId), checkpointMember(ref.ns, ref.checkpointId)),
    );
    if (!record) return undefined;
    return this.loadTuple(ref, record);
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { filter, before } = options;
    let remaining = options.limit ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    const configurable = config.configurable ?? {};
    const ns: string | undefined =
      configurable.checkpoint_ns === undefined || configurable.checkpoint_ns === null
        ? undefined
        : identifier('checkpoint_ns', configurable.checkpoint_ns, true);
    const onlyId: string | undefined = configurable.checkpoint_id || undefined;
    const beforeId: string | undefined = before?.configurable?.checkpoint_id || undefined;

    const threadIds =
      configurable.thread_id === undefined || configurable.thread_id === null
        ? await this.call('list', () => this.redis.zrange(this.threadsKey(), 0, '-1', 'REV'))
        : [identifier('thread_id', configurable.thread_id)];

    // Member names are small; fetch them all, order newest first, then read the
    // records in batches until the limit is met.
    const prefix = ns === undefined ? `c${SEP}` : checkpointMember(ns, '');
    const pipeline = this.redis.pipeline();
    for (const threadId of threadIds) pipeline.zrange(this.indexKey(threadId), `[${prefix}`, `(${rangeEnd(prefix)}`, 'BYLEX');
    const memberLists = await this.exec('list', pipeline);
    const refs: CheckpointRef[] = [];
    threadIds.forEach((threadId, i) => {
      for (const member of memberLists[i] as string[]) {
        const [, memberNs, checkpointId] = member.split(SEP) as [string, string, string];
        if (onlyId !== undefined && checkpointId !== onlyId) continue;
        if (beforeId !== undefined && !(checkpointId < beforeId)) continue;
        refs.push({ threadId, ns: memberNs, checkpointId });
      }
    });
    refs.sort((a, b) => (a.checkpointId === b.checkpointId ? 0 : a.checkpointId < b.checkpointId ? 1 : -1));

    for (let start = 0; start < refs.length && remaining > 0; start += LIST_BATCH) {
      const batch = refs.slice(start, start + LIST_BATCH);
      const reads = this.redis.pipeline();
      for (const ref of batch) reads.hgetBuffer(this.dataKey(ref.threadId), checkpointMember(ref.ns, ref.checkpointId));
      const records = await this.exec('list', reads);
      for (const [i, ref] of batch.entries()) {
        const record = records[i] as Buffer | null;
        if (!record) continue; // deleted or expired since the index was read
        const parsed = await this.parseCheckpointRecord(record);
        if (filter && !Object.entries(filter).every(([key, value]) => isDeepStrictEqual(parsed.metadata[key], value))) continue;
        yield await this.loadTuple(ref, record, parsed);
        remaining -= 1;
        if (remaining <= 0) return;
      }
    }
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = requireThreadId(config, 'put');
    const ns = identifier('checkpoint_ns', config.configurable?.checkpoint_ns ?? '', true);
    const checkpointId = identifier('checkpoint_id', checkpoint.id);
    const parentId = identifier('checkpoint_id', config.configurable?.checkpoint_id ?? '', true);

    // Channel values go to blobs, so the checkpoint record stays small and a value
    // that did not change is not stored again.
    const { channel_values: values, ...rest } = copyCheckpoint(checkpoint);
    const [[cpType, cpBytes], [metaType, metaBytes]] = await Promise.all([
      this.serde.dumpsTyped(rest),
      this.serde.dumpsTyped(metadata),
    ]);
    const blobs = await Promise.all(
      Object.entries(newVersions).map(async ([channel, version]) => {
        const [type, bytes] =
          channel in values ? await this.serde.dumpsTyped(values[channel]) : [EMPTY, new Uint8Array()];
        return [blobField(ns, identifier('channel', channel), String(version)), pack([type, bytes])] as const;
      }),
    );

    const member = checkpointMember(ns, checkpointId);
    const tx = this.redis.multi();
    tx.hset(this.dataKey(threadId), member, pack([cpType, cpBytes, metaType, metaBytes, parentId]));
    for (const [field, value] of blobs) tx.hset(this.dataKey(threadId), field, value);
    tx.zadd(this.indexKey(threadId), 0, member);
    this.touch(tx, threadId);
    await this.exec('put', tx);
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    const threadId = requireThreadId(config, 'putWrites');
    const ns = identifier('checkpoint_ns', config.configurable?.checkpoint_ns ?? '', true);
    const rawId = config.configurable?.checkpoint_id;
    if (!rawId) throw new Error('putWrites needs config.configurable.checkpoint_id: writes belong to a checkpoint');
    const checkpointId = identifier('checkpoint_id', rawId);
    identifier('task_id', taskId);

    const entries = await Promise.all(
      writes.map(async ([channel, value], position) => {
        // Special writes (error, interrupt, …) have fixed negative slots and replace
        // what was there; regular writes keep the first value stored for a slot, so
        // a task retried after a crash cannot change what was recorded.
        const idx = WRITES_IDX_MAP[channel] ?? position;
        const [type, bytes] = await this.serde.dumpsTyped(value);
        return { member: writeMember(ns, checkpointId, taskId, idx), idx, record: pack([channel, type, bytes, taskPath]) };
      }),
    );
    if (entries.length === 0) return;
    const tx = this.redis.multi();
    for (const { member, idx, record } of entries) {
      if (idx >= 0) tx.hsetnx(this.dataKey(threadId), member, record);
      else tx.hset(this.dataKey(threadId), member, record);
      tx.zadd(this.indexKey(threadId), 0, member);
    }
    this.touch(tx, threadId);
    await this.exec('putWrites', tx);
  }

  async deleteThread(threadId: string): Promise<void> {
    const id = identifier('thread_id', threadId);
    const tx = this.redis.multi();
    tx.del(this.indexKey(id), this.dataKey(id));
    tx.zrem(this.threadsKey(), id);
    await this.exec('deleteThread', tx);
  }

  // ---- internals -------------------------------------------------------------

  /** Renews retention of the thread's keys and records it as recently written. */
  private touch(tx: ChainableCommander, threadId: string): void {
    const now = Date.now();
    tx.expire(this.indexKey(threadId), this.ttlSeconds);
    tx.expire(this.dataKey(threadId), this.ttlSeconds);
    tx.zadd(this.threadsKey(), now, threadId);
    // Threads idle longer than the retention have expired; forget them here too.
    tx.zremrangebyscore(this.threadsKey(), '-inf', `(${now - this.ttlSeconds * 1000}`);
    tx.expire(this.threadsKey(), this.ttlSeconds);
  }

  private async parseCheckpointRecord(record: Buffer): Promise<ParsedCheckpoint> {
    const [cpType, cpBytes, metaType, metaBytes, parentId] = unpack(record, 5, 'checkpoint');
    const [checkpoint, metadata] = await Promise.all([
      this.serde.loadsTyped(cpType.toString('utf8'), cpBytes),
      this.serde.loadsTyped(metaType.toString('utf8'), metaBytes),
    ]);
    return { checkpoint, metadata, parentId: parentId.toString('utf8') };
  }

  private async loadTuple(
    ref: CheckpointRef,
    record: Buffer,
    parsed?: ParsedCheckpoint,
  ): Promise<CheckpointTuple> {
    const { checkpoint, metadata, parentId } = parsed ?? (await this.parseCheckpointRecord(record));
    const versions = Object.entries(checkpoint.channel_versions ?? {});
    const [channelValues, pendingWrites] = await Promise.all([
      this.loadChannelValues(ref, versions),
      this.loadWrites(ref.threadId, ref.ns, ref.checkpointId),
    ]);
    const full: Checkpoint = { ...checkpoint, channel_values: channelValues };
    if (full.v < 4 && parentId) await this.migratePendingSends(full, ref, parentId);

    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: ref.threadId, checkpoint_ns: ref.ns, checkpoint_id: ref.checkpointId } },
      checkpoint: full,
      metadata,
      pendingWrites: await Promise.all(
        pendingWrites.map(
          async (w): Promise<CheckpointPendingWrite> => [w.taskId, w.channel, await this.serde.loadsTyped(w.type, w.value)],
        ),
      ),
    };
    if (parentId) {
      tuple.parentConfig = { configurable: { thread_id: ref.threadId, checkpoint_ns: ref.ns, checkpoint_id: parentId } };
    }
    return tuple;
  }

  private async loadChannelValues(
    ref: CheckpointRef,
    versions: [string, string | number][],
  ): Promise<Record<string, unknown>> {
    if (versions.length === 0) return {};
    const fields = versions.map(([channel, version]) => blobField(ref.ns, channel, String(version)));
    const blobs = await this.call('read channel values', () => this.redis.hmgetBuffer(this.dataKey(ref.threadId), ...fields));
    const values: Record<string, unknown> = {};
    await Promise.all(
      versions.map(async ([channel], i) => {
        const blob = blobs[i];
        // A missing blob is a channel versioned by the graph but never written
        // through put(); an 'empty' one was written without a value. Neither has a value.
        if (!blob) return;
        const [type, bytes] = unpack(blob, 2, 'channel value');
        const typeName = type.toString('utf8');
        if (typeName === EMPTY) return;
        values[channel] = await this.serde.loadsTyped(typeName, bytes);
      }),
    );
    return values;
  }

  /** The checkpoint's pending writes in `writesSortKey` order, as the base contract requires. */
  private async loadWrites(threadId: string, ns: string, checkpointId: string): Promise<StoredWrite[]> {
    const prefix = writesPrefix(ns, checkpointId);
    const members = await this.call('read writes', () =>
      this.redis.zrange(this.indexKey(threadId), `[${prefix}`, `(${rangeEnd(prefix)}`, 'BYLEX'),
    );
    if (members.length === 0) return [];
    const records = await this.call('read writes', () => this.redis.hmgetBuffer(this.dataKey(threadId), ...members));
    const writes: StoredWrite[] = [];
    members.forEach((member, i) => {
      const record = records[i];
      if (!record) return;
      const parts = member.split(SEP);
      const [channel, type, value, taskPath] = unpack(record, 4, 'write');
      writes.push({
        taskId: parts[3] ?? '',
        idx: Number(parts[4]),
        taskPath: taskPath.toString('utf8'),
        channel: channel.toString('utf8'),
        type: type.toString('utf8'),
        value,
      });
    });
    writes.sort((a, b) =>
      compareWritesSortKeys(writesSortKey(a.taskPath, a.taskId, a.idx), writesSortKey(b.taskPath, b.taskId, b.idx)),
    );
    return writes;
  }

  /**
   * Checkpoints older than format v4 kept pending sends as writes to TASKS on the
   * parent checkpoint; newer graphs expect them as the TASKS channel's value.
   */
  private async migratePendingSends(checkpoint: Checkpoint, ref: CheckpointRef, parentId: string): Promise<void> {
    const sends = (await this.loadWrites(ref.threadId, ref.ns, parentId)).filter((w) => w.channel === TASKS);
    if (sends.length === 0) return;
    checkpoint.channel_values[TASKS] = await Promise.all(sends.map((w) => this.serde.loadsTyped(w.type, w.value)));
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }

  /** Runs one Redis call; a failure raises (never "no state"), as a dependency error when it is one. */
  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toRedisError(error, `checkpointer ${operation}`);
    }
  }

  /** Executes a pipeline or MULTI and fails if any of its commands failed. */
  private async exec(operation: string, batch: ChainableCommander): Promise<unknown[]> {
    const results = await this.call(operation, () => batch.exec());
    // exec() resolves null when a MULTI was discarded (it is never WATCHed here).
    if (results === null) throw toRedisError(new Error('transaction aborted'), `checkpointer ${operation}`);
    return results.map(([error, value]) => {
      if (error) throw toRedisError(error, `checkpointer ${operation}`);
      return value;
    });
  }
}

// ---- encoding ----------------------------------------------------------------

/**
 * Ids become parts of keys and members separated by NUL, so they must be strings
 * without NUL; anything else would collide with another id.
 */
function identifier(name: string, value: unknown, allowEmpty = false): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string (got ${typeof value})`);
  if (!allowEmpty && value === '') throw new TypeError(`${name} must not be empty`);
  if (value.includes(SEP)) throw new TypeError(`${name} must not contain a NUL character`);
  return value;
}

function requireThreadId(config: RunnableConfig, operation: string): string {
  const threadId = config.configurable?.thread_id;
  if (threadId === undefined || threadId === null) {
    throw new Error(`${operation} needs config.configurable.thread_id (the conversation id)`);
  }
  return identifier('thread_id', threadId);
}

function checkpointMember(ns: string, checkpointId: string): string {
  return `c${SEP}${ns}${SEP}${checkpointId}`;
}

function writeMember(ns: string, checkpointId: string, taskId: string, idx: number): string {
  return `w${SEP}${ns}${SEP}${checkpointId}${SEP}${taskId}${SEP}${idx}`;
}

/** Every write member of one checkpoint starts with this. */
function writesPrefix(ns: string, checkpointId: string): string {
  return `w${SEP}${ns}${SEP}${checkpointId}${SEP}`;
}

function blobField(ns: string, channel: string, version: string): string {
  return `b${SEP}${ns}${SEP}${channel}${SEP}${version}`;
}

/** The exclusive upper bound of all members starting with `prefix` (which ends in NUL). */
function rangeEnd(prefix: string): string {
  return `${prefix.slice(0, -1)}\u0001`;
}

/** Length-prefixed parts in one binary value: [u32 length][bytes] for each part. */
function pack(parts: (string | Uint8Array)[]): Buffer {
  const buffers = parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part)));
  const out = Buffer.allocUnsafe(buffers.reduce((n, b) => n + 4 + b.length, 0));
  let offset = 0;
  for (const b of buffers) {
    out.writeUInt32BE(b.length, offset);
    b.copy(out, offset + 4);
    offset += 4 + b.length;
  }
  return out;
}

/** Inverse of `pack`; a value that does not decode to exactly `count` parts is corrupt and raises. */
type Parts<N extends number, T extends Buffer[] = []> = T['length'] extends N ? T : Parts<N, [...T, Buffer]>;

function unpack<N extends number>(value: Buffer, count: N, what: string): Parts<N> {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < value.length) {
    if (offset + 4 > value.length) break;
    const length = value.readUInt32BE(offset);
    if (offset + 4 + length > value.length) break;
    parts.push(value.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  if (offset !== value.length || parts.length !== count) {
    throw new Error(`corrupt ${what} record in Redis (${value.length} bytes, expected ${count} parts)`);
  }
  return parts as Parts<N>;
}
