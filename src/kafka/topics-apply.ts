// Making the cluster match topics.yaml. `planTopicChanges` is pure (what must
// change, or why it cannot); `applyTopics` does the I/O around it.
import kafkajs, { type Admin } from 'kafkajs';
import type { Config } from '../config.js';
import { topicName } from './topic-names.js';
import { DEFAULT_TOPICS_FILE, loadTopics, topicConfigs, type TopicSpec } from './topic-specs.js';

// kafkajs is CommonJS without named exports Node can see: take them from the default.
const { ConfigResourceTypes } = kafkajs;

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
