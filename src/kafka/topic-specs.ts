// topics.yaml: loading it and checking every field, with one line per problem.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectPath } from '../paths.js';

export const COMPATIBILITY_LEVELS = [
  'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

const CLEANUP_POLICIES = ['delete', 'compact', 'compact,delete'] as const;
/** Kafka's topic-level compression.type values. */
const COMPRESSION_TYPES = ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
type CompressionType = (typeof COMPRESSION_TYPES)[number];
export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];

export interface TopicValueSpec {
  /** As written in the file, e.g. schemas/ChatMessage.avsc. */
  schema: string;
  /** Absolute path: `schema` taken relative to the topics file's folder. */
  schemaPath: string;
  compatibility: CompatibilityLevel;
}

export interface TopicSpec {
  /** Logical name, as in the file (X7_TOPIC_PREFIX not applied). */
  name: string;
  description: string;
  key: string;
  partitions: number;
  replicationFactor: number;
  retentionMs: number;
  cleanupPolicy: CleanupPolicy;
  /** The largest record (batch) the topic takes, in bytes; null: the broker's default. */
  maxMessageBytes: number | null;
  /** How the broker stores batches (compression.type); null: the broker's default ("producer": as written). */
  compressionType: CompressionType | null;
  /** Null for a topic without a value schema (the DLQ keeps raw bytes). */
  value: TopicValueSpec | null;
}

export const DEFAULT_TOPICS_FILE = projectPath('topics.yaml');

/** topics.yaml is unreadable or wrong; `problems` has one line per bad entry. */
export class TopicsFileError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TopicsFileError';
  }
}

/** Reads and checks a topics file (default: the project's topics.yaml). */
export function loadTopics(file: string = DEFAULT_TOPICS_FILE): TopicSpec[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TopicsFileError(file, [`cannot read it: ${(error as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new TopicsFileError(file, [`not YAML: ${(error as Error).message}`]);
  }
  return parseTopics(doc, file);
}

/** Pure: checks a parsed topics document; schema paths are taken relative to `file`'s folder. */
export function parseTopics(doc: unknown, file: string): TopicSpec[] {
  const problems: string[] = [];
  const baseDir = dirname(resolve(file));
  if (!isObject(doc)) throw new TopicsFileError(file, ['expected a mapping with "topics" (and optionally "defaults")']);

  let defaultReplication = 1;
  if (doc.defaults !== undefined) {
    if (!isObject(doc.defaults)) problems.push('defaults: expected a mapping');
    else if (doc.defaults.replicationFactor !== undefined) {
      const rf = doc.defaults.replicationFactor;
      if (isPositiveInt(rf)) defaultReplication = rf;
      else problems.push(`defaults.replicationFactor: expected a whole number of at least 1 (got ${show(rf)})`);
    }
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'topics' && key !== 'defaults') problems.push(`${key}: unknown key (expected "topics" or "defaults")`);
  }
  if (!isObject(doc.topics) || Object.keys(doc.topics).length === 0) {
    problems.push('topics: expected a mapping of topic name to its settings, with at least one topic');
    throw new TopicsFileError(file, problems);
  }

  const specs: TopicSpec[] = [];
  for (const [name, raw] of Object.entries(doc.topics)) {
    const at = `topics.${name}`;
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.length > 200) {
      problems.push(`${at}: a topic name may contain only letters, digits, ".", "_" and "-"`);
    }
    if (!isObject(raw)) {
      problems.push(`${at}: expected a mapping of settings`);
      continue;
    }
    const known = ['description', 'key', 'partitions', 'replicationFactor', 'retentionMs', 'cleanupPolicy', 'maxMessageBytes', 'compressionType', 'value'];
    for (const key of Object.keys(raw)) if (!known.includes(key)) problems.push(`${at}.${key}: unknown setting (expected one of ${known.join(', ')})`);
    const before = problems.length;
    const partitions = raw.partitions;
    if (!isPositiveInt(partitions)) problems.push(`${at}.partitions: expected a whole number of at least 1 (got ${show(partitions)})`);
    const replicationFactor = raw.replicationFactor ?? defaultReplication;
    if (!isPositiveInt(replicationFactor)) problems.push(`${at}.replicationFactor: expected a whole number of at least 1 (got ${show(replicationFactor)})`);
    const retentionMs = raw.retentionMs;
    if (!(Number.isSafeInteger(retentionMs) && ((retentionMs as number) > 0 || retentionMs === -1))) {
      problems.push(`${at}.retentionMs: expected milliseconds (a whole number above 0, or -1 for unlimited) (got ${show(retentionMs)})`);
    }
    const cleanupPolicy = raw.cleanupPolicy ?? 'delete';
    if (!(CLEANUP_POLICIES as readonly unknown[]).includes(cleanupPolicy)) {
      problems.push(`${at}.cleanupPolicy: expected one of ${CLEANUP_POLICIES.join(', ')} (got ${show(cleanupPolicy)})`);
    }
    const maxMessageBytes = raw.maxMessageBytes ?? null;
    if (maxMessageBytes !== null && !(isPositiveInt(maxMessageBytes) && (maxMessageBytes as number) >= 1024)) {
      problems.push(`${at}.maxMessageBytes: expected a whole number of bytes, at least 1024 (got ${show(maxMessageBytes)})`);
    }
    const compressionType = raw.compressionType ?? null;
    if (compressionType !== null && !(COMPRESSION_TYPES as readonly unknown[]).includes(compressionType)) {
      problems.push(`${at}.compressionType: expected one of ${COMPRESSION_TYPES.join(', ')} (got ${show(compressionType)})`);
    }
    for (const key of ['description', 'key'] as const) {
      if (raw[key] !== undefined && typeof raw[key] !== 'string') problems.push(`${at}.${key}: expected text (got ${show(raw[key])})`);
    }
    let value: TopicValueSpec | null = null;
    if (raw.value !== undefined && raw.value !== null) {
      if (!isObject(raw.value)) problems.push(`${at}.value: expected a mapping with "schema" and "compatibility"`);
      else {
        const { schema, compatibility } = raw.value;
        for (const key of Object.keys(raw.value)) {
          if (key !== 'schema' && key !== 'compatibility') problems.push(`${at}.value.${key}: unknown setting (expected schema, compatibility)`);
        }
        if (typeof schema !== 'string' || !schema.endsWith('.avsc')) problems.push(`${at}.value.schema: expected the path of an .avsc file (got ${show(schema)})`);
        if (!(COMPATIBILITY_LEVELS as readonly unknown[]).includes(compatibility)) {
          problems.push(`${at}.value.compatibility: expected one of ${COMPATIBILITY_LEVELS.join(', ')} (got ${show(compatibility)})`);
        }
        if (typeof schema === 'string') {
          value = { schema, schemaPath: resolve(baseDir, schema), compatibility: compatibility as CompatibilityLevel };
        }
      }
    }
    if (problems.length > before) continue;
    specs.push({
      name,
      description: (raw.description as string | undefined) ?? '',
      key: (raw.key as string | undefined) ?? '',
      partitions: partitions as number,
      replicationFactor: replicationFactor as number,
      retentionMs: retentionMs as number,
      cleanupPolicy: cleanupPolicy as CleanupPolicy,
      maxMessageBytes: maxMessageBytes as number | null,
      compressionType: compressionType as CompressionType | null,
      value,
    });
  }
  if (problems.length > 0) throw new TopicsFileError(file, problems);
  return specs;
}

/** The topic configs x7 manages; any other config on a topic is left as it is. */
export function topicConfigs(spec: Pick<TopicSpec, 'retentionMs' | 'cleanupPolicy'> & Partial<Pick<TopicSpec, 'maxMessageBytes' | 'compressionType'>>): Record<string, string> {
  return {
    'retention.ms': String(spec.retentionMs),
    'cleanup.policy': spec.cleanupPolicy,
    ...(spec.maxMessageBytes ? { 'max.message.bytes': String(spec.maxMessageBytes) } : {}),
    ...(spec.compressionType ? { 'compression.type': spec.compressionType } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositiveInt(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 1;
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

/** Kafka's default largest record batch (message.max.bytes), for topics that set none. */
export const BROKER_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** The largest record each topic of the file takes, by logical name. */
export function maxRecordBytes(specs: readonly TopicSpec[]): (logicalTopic: string) => number {
  const limits = new Map(specs.map((t) => [t.name, t.maxMessageBytes ?? BROKER_DEFAULT_MAX_MESSAGE_BYTES]));
  return (logicalTopic) => limits.get(logicalTopic) ?? BROKER_DEFAULT_MAX_MESSAGE_BYTES;
}
