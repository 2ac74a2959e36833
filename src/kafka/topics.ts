// topics.yaml: loading and checking it, physical topic and subject names, and making
// the cluster match it. `planTopicChanges` is pure (what must change, or why it
// cannot); `applyTopics` does the I/O around it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import kafkajs, { type Admin } from 'kafkajs';
import type { Config } from '../config.js';
import type { LogicalTopic } from '../events.js';
import { projectPath } from '../paths.js';

// kafkajs is CommonJS without named exports Node can see: take them from the default.
const { ConfigResourceTypes } = kafkajs;

export const COMPATIBILITY_LEVELS = [
  'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

const CLEANUP_POLICIES = ['delete', 'compact', 'compact,delete'] as const;
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
    const known = ['description', 'key', 'partitions', 'replicationFactor', 'retentionMs', 'cleanupPolicy', 'value'];
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
      value,
    });
  }
  if (problems.length > 0) throw new TopicsFileError(file, problems);
  return specs;
}

/** The physical topic name: X7_TOPIC_PREFIX + logical name. */
export function topicName(config: Pick<Config, 'topicPrefix'>, logicalName: LogicalTopic | string): string {
  return `${config.topicPrefix}${logicalName}`;
}

/** The value subject of a physical topic (TopicNameStrategy). */
export function subjectFor(topic: string): string {
  return `${topic}-value`;
}

/** The topic configs x7 manages; any other config on a topic is left as it is. */
export function topicConfigs(spec: Pick<TopicSpec, 'retentionMs' | 'cleanupPolicy'>): Record<string, string> {
  return { 'retention.ms': String(spec.retentionMs), 'cleanup.policy': spec.cleanupPolicy };
}

export interface DesiredTopic {
  /** Physical name. */
  topic: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface ActualTopic {
  partitions: number;
  /** Current values of (at least) the managed configs. */
  configs: Record<string, string>;
}

export type TopicAction =
  | { kind: 'create'; topic: string; partitions: number; replicationFactor: number; configs: Record<string, string> }
  | { kind: 'addPartitions'; topic: string; from: number; to: number }
  | { kind: 'alterConfig'; topic: string; changes: { name: string; from: string | undefined; to: string }[] };

/** The plan would lower partitions, which Kafka cannot do (and would reorder keys). */
export class TopicPlanError extends Error {
  constructor(readonly lowered: { topic: string; actual: number; desired: number }[]) {
    super(
      `refusing to lower partitions (Kafka cannot remove partitions; recreate the topic by hand if you must): ` +
        lowered.map((l) => `${l.topic} has ${l.actual}, the file asks for ${l.desired}`).join('; ') +
        '. Nothing was changed.',
    );
    this.name = 'TopicPlanError';
  }
}

/** Pure: what to do so that `actual` matches `desired`; throws TopicPlanError before any action if partitions would drop. */
export function planTopicChanges(desired: DesiredTopic[], actual: ReadonlyMap<string, ActualTopic>): TopicAction[] {
  const lowered = desired.flatMap((d) => {
    const a = actual.get(d.topic);
    return a && a.partitions > d.partitions ? [{ topic: d.topic, actual: a.partitions, desired: d.partitions }] : [];
  });
  if (lowered.length > 0) throw new TopicPlanError(lowered);

  const actions: TopicAction[] = [];
  for (const d of desired) {
    const a = actual.get(d.topic);
    if (!a) {
      actions.push({ kind: 'create', topic: d.topic, partitions: d.partitions, replicationFactor: d.replicationFactor, configs: { ...d.configs } });
      continue;
    }
    if (a.partitions < d.partitions) actions.push({ kind: 'addPartitions', topic: d.topic, from: a.partitions, to: d.partitions });
    const changes = Object.entries(d.configs)
      .filter(([name, value]) => a.configs[name] !== value)
      .map(([name, to]) => ({ name, from: a.configs[name], to }));
    if (changes.length > 0) actions.push({ kind: 'alterConfig', topic: d.topic, changes });
  }
  return actions;
}

/** Human description of one action, for `x7 topics apply`. */
export function describeAction(action: TopicAction): string {
  switch (action.kind) {
    case 'create':
      return `created ${action.topic} (${action.partitions} partitions, replication ${action.replicationFactor}, ${formatConfigs(action.configs)})`;
    case 'addPartitions':
      return `raised ${action.topic} from ${action.from} to ${action.to} partitions`;
    case 'alterConfig':
      return `updated ${action.topic}: ${action.changes.map((c) => `${c.name} ${c.from ?? '(unset)'} -> ${c.to}`).join(', ')}`;
  }
}

function formatConfigs(configs: Record<string, string>): string {
  return Object.entries(configs).map(([k, v]) => `${k}=${v}`).join(', ');
}

/** The desired state of the cluster for a topics file under this configuration. */
export function desiredTopics(config: Pick<Config, 'topicPrefix'>, specs: TopicSpec[]): DesiredTopic[] {
  return specs.map((s) => ({
    topic: topicName(config, s.name),
    partitions: s.partitions,
    replicationFactor: s.replicationFactor,
    configs: topicConfigs(s),
  }));
}

/**
 * Makes the cluster match the topics file: reads the current state, plans, and
 * (only when the whole plan is allowed) runs the actions. Returns what was done.
 */
export async function applyTopics(admin: Admin, config: Pick<Config, 'topicPrefix'>, file: string = DEFAULT_TOPICS_FILE): Promise<TopicAction[]> {
  const desired = desiredTopics(config, loadTopics(file));
  const existing = new Set(await admin.listTopics());
  const present = desired.filter((d) => existing.has(d.topic)).map((d) => d.topic);
  const actual = await describeTopics(admin, present);
  const actions = planTopicChanges(desired, actual.managed);

  const creates = actions.filter((a): a is Extract<TopicAction, { kind: 'create' }> => a.kind === 'create');
  if (creates.length > 0) {
    await admin.createTopics({
      // kafkajs's own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker
      // answers for a moment after creating a topic; waitForLeaders below retries it.
      waitForLeaders: false,
      topics: creates.map((c) => ({
        topic: c.topic,
        numPartitions: c.partitions,
        replicationFactor: c.replicationFactor,
        configEntries: Object.entries(c.configs).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitForLeaders(admin, creates.map((c) => c.topic));
  }
  const raises = actions.filter((a): a is Extract<TopicAction, { kind: 'addPartitions' }> => a.kind === 'addPartitions');
  if (raises.length > 0) {
    await admin.createPartitions({ topicPartitions: raises.map((r) => ({ topic: r.topic, count: r.to })) });
    await waitUntilApplied(admin, raises.map((r) => r.topic), (state) =>
      raises.every((r) => (state.managed.get(r.topic)?.partitions ?? 0) >= r.to));
  }
  const alters = actions.filter((a): a is Extract<TopicAction, { kind: 'alterConfig' }> => a.kind === 'alterConfig');
  if (alters.length > 0) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: alters.map((a) => ({
        type: ConfigResourceTypes.TOPIC,
        name: a.topic,
        // kafkajs speaks the legacy (non-incremental) AlterConfigs, which resets every
        // topic override not sent: send the topic's other overrides along unchanged.
        configEntries: Object.entries({
          ...actual.overrides.get(a.topic),
          ...Object.fromEntries(a.changes.map((c) => [c.name, c.to])),
        }).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitUntilApplied(admin, alters.map((a) => a.topic), (state) =>
      alters.every((a) => a.changes.every((c) => state.managed.get(a.topic)?.configs[c.name] === c.to)));
  }
  return actions;
}

/** Throws a clear error when a topic is missing, instead of kafkajs's "does not host this topic-partition". */
export async function assertTopicExists(admin: Admin, topic: string): Promise<void> {
  if (!(await admin.listTopics()).includes(topic)) throw new Error(`topic ${topic} does not exist (run "x7 topics apply")`);
}

/** Waits until every partition of the topics has a leader, so they can be used at once. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      last = error; // not known to the broker we asked yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`created topics ${topics.join(', ')} but they have no leaders after ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

/**
 * A KRaft broker applies partition and config changes from its metadata log a moment
 * after acknowledging them: "applied" is reported only once the cluster shows them.
 */
async function waitUntilApplied(admin: Admin, topics: string[], applied: (state: DescribedTopics) => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!applied(await describeTopics(admin, topics))) {
    if (Date.now() > deadline) throw new Error(`the cluster does not show the changes to ${topics.join(', ')} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface DescribedTopics {
  managed: Map<string, ActualTopic>;
  /** Per topic, every config set on the topic itself (not inherited). */
  overrides: Map<string, Record<string, string>>;
}

async function describeTopics(admin: Admin, topics: string[]): Promise<DescribedTopics> {
  const managed = new Map<string, ActualTopic>();
  const overrides = new Map<string, Record<string, string>>();
  if (topics.length === 0) return { managed, overrides };
  const metadata = await admin.fetchTopicMetadata({ topics });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  for (const t of metadata.topics) managed.set(t.name, { partitions: t.partitions.length, configs: {} });
  for (const resource of described.resources) {
    const entry = managed.get(resource.resourceName);
    if (!entry) continue;
    const own: Record<string, string> = {};
    for (const c of resource.configEntries) {
      entry.configs[c.configName] = c.configValue;
      // configSource 1 = DYNAMIC_TOPIC_CONFIG: set on this topic.
      if (!c.isDefault && (c as { configSource?: number }).configSource === 1 && !c.readOnly) own[c.configName] = c.configValue;
    }
    overrides.set(resource.resourceName, own);
  }
  return { managed, overrides };
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
