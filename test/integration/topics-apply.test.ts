// `x7 topics apply` against the real broker, as an operator runs it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createKafka } from '../../src/kafka/client.js';
import { projectPath } from '../../src/paths.js';
import { runX7 } from '../support/cli.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';

const TOPICS = ['chat.inbound', 'chat.outbound', 'chat.workflows', 'chat.analytics', 'chat.inbound.dlq'];

/** A copy of topics.yaml with `edit` applied, in a temporary folder. */
function editedTopicsFile(edit: (doc: { topics: Record<string, { partitions: number; retentionMs: number }> }) => void): string {
  const doc = parse(readFileSync(projectPath('topics.yaml'), 'utf8'));
  edit(doc);
  const file = join(mkdtempSync(join(tmpdir(), 'x7-topics-')), 'topics.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

async function clusterState(prefix: string, logical: string) {
  const admin = createKafka(isolatedConfig(prefix), 'test-inspect').admin();
  await admin.connect();
  try {
    const topic = `${prefix}${logical}`;
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['retention.ms', 'max.message.bytes'] }] });
    const value = (name: string) => resources[0]!.configEntries.find((c) => c.configName === name)?.configValue;
    return { partitions: meta!.partitions.length, retentionMs: value('retention.ms'), maxMessageBytes: value('max.message.bytes') };
  } finally {
    await admin.disconnect();
  }
}

describe('x7 topics apply', () => {
  it('creates the five topics, then reports them up to date', async () => {
    const prefix = uniquePrefix('topics-create');
    const first = await runX7(['topics', 'apply'], isolatedEnv(prefix));
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    for (const t of TOPICS) expect(first.stdout).toContain(`created ${prefix}${t} (`);
    expect(first.stdout).toContain(`created ${prefix}chat.inbound (12 partitions, replication 1, retention.ms=604800000, cleanup.policy=delete, max.message.bytes=1048576, compression.type=uncompressed)`);
    expect(await clusterState(prefix, 'chat.workflows')).toMatchObject({ partitions: 6, retentionMs: '2592000000' });
    // The DLQ takes twice what chat.inbound takes: a rejected record's copy with its x7.* headers always fits.
    expect(await clusterState(prefix, 'chat.inbound')).toMatchObject({ maxMessageBytes: '1048576' });
    expect(await clusterState(prefix, 'chat.inbound.dlq')).toMatchObject({ maxMessageBytes: '2097152' });

    const second = await runX7(['topics', 'apply'], isolatedEnv(prefix));
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('topics are up to date');
  });

  it('raises partitions and updates retention from an edited file', async () => {
    const prefix = uniquePrefix('topics-raise');
    expect((await runX7(['topics', 'apply'], isolatedEnv(prefix))).code).toBe(0);
    // An override x7 does not manage, set by someone else: it must survive the update.
    const admin = createKafka(isolatedConfig(prefix), 'test-override').admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: `${prefix}chat.outbound`, configEntries: [
        { name: 'retention.ms', value: '604800000' }, { name: 'cleanup.policy', value: 'delete' }, { name: 'max.message.bytes', value: '2000000' },
      ] }],
    });
    await admin.disconnect();
    const file = editedTopicsFile((doc) => {
      doc.topics['chat.analytics']!.partitions = 8;
      doc.topics['chat.outbound']!.retentionMs = 3_600_000;
    });
    const result = await runX7(['topics', 'apply', '--file', file], isolatedEnv(prefix));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`raised ${prefix}chat.analytics from 6 to 8 partitions`);
    expect(result.stdout).toContain(`updated ${prefix}chat.outbound: retention.ms 604800000 -> 3600000`);
    expect(await clusterState(prefix, 'chat.analytics')).toMatchObject({ partitions: 8 });
    expect(await clusterState(prefix, 'chat.outbound')).toMatchObject({ retentionMs: '3600000', maxMessageBytes: '2000000' });
  });

  it('refuses a file with fewer partitions, exits non-zero and changes nothing', async () => {
    const prefix = uniquePrefix('topics-lower');
    expect((await runX7(['topics', 'apply'], isolatedEnv(prefix))).code).toBe(0);
    const file = editedTopicsFile((doc) => {
      doc.topics['chat.inbound']!.partitions = 4;
      doc.topics['chat.outbound']!.retentionMs = 3_600_000; // must not be applied either
    });
    const result = await runX7(['topics', 'apply', '--file', file], isolatedEnv(prefix));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`refusing to lower partitions`);
    expect(result.stderr).toContain(`${prefix}chat.inbound has 12, the file asks for 4`);
    expect(result.stderr).toContain('Nothing was changed.');
    expect(result.stdout).toBe('');
    expect(await clusterState(prefix, 'chat.inbound')).toMatchObject({ partitions: 12 });
    expect(await clusterState(prefix, 'chat.outbound')).toMatchObject({ retentionMs: '604800000' });
  });

  it('reports a broken topics file entry by entry without touching the cluster', async () => {
    const prefix = uniquePrefix('topics-badfile');
    const file = editedTopicsFile((doc) => {
      (doc.topics['chat.inbound'] as unknown as Record<string, unknown>).partitions = 'many';
    });
    const result = await runX7(['topics', 'apply', '--file', file], isolatedEnv(prefix));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('topics.chat.inbound.partitions: expected a whole number of at least 1 (got "many")');
  });
});
