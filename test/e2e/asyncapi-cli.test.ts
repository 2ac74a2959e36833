// `x7 asyncapi` as a user runs it: the document on stdout (or in a file), needing no services.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadTopics } from '../../src/kafka/topics.js';
import { projectPath } from '../../src/paths.js';
import { runX7 } from '../support/cli.js';

interface Doc {
  asyncapi: string;
  info: { title: string; version: string };
  channels: Record<string, { address: string; messages: Record<string, { payload: { schemaFormat?: string; schema?: { name: string } } }> }>;
  operations: Record<string, { action: string; channel: { $ref: string } }>;
}

describe('x7 asyncapi', () => {
  it('prints the document as JSON with --format json: one channel per topic, Avro payloads', async () => {
    const result = await runX7(['asyncapi', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const doc = JSON.parse(result.stdout) as Doc;
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info.title).toBe('x7-stream');
    expect(doc.info.version).toBe((JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version);
    const channels = Object.values(doc.channels);
    expect(channels.map((c) => c.address).sort()).toEqual(loadTopics().map((t) => t.name).sort());
    const inbound = Object.values(channels.find((c) => c.address === 'chat.inbound')!.messages)[0]!;
    expect(inbound.payload.schemaFormat).toBe('application/vnd.apache.avro;version=1.9.0');
    expect(inbound.payload.schema!.name).toBe('ChatMessage');
    expect(Object.values(doc.operations).map((o) => o.action).sort()).toEqual(['receive', 'send', 'send', 'send', 'send']);
  });

  it('prints YAML by default, the same as docs/asyncapi.yaml, and writes it with --out', async () => {
    const committed = readFileSync(projectPath('docs/asyncapi.yaml'), 'utf8');
    const printed = await runX7(['asyncapi']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(committed);

    const dir = mkdtempSync(join(tmpdir(), 'x7-asyncapi-'));
    try {
      const out = join(dir, 'nested', 'asyncapi.yaml');
      const written = await runX7(['asyncapi', '--out', out]);
      expect(written.code, written.stderr).toBe(0);
      expect(written.stdout.trim()).toBe(`wrote ${out}`);
      expect(readFileSync(out, 'utf8')).toBe(committed);

      const json = join(dir, 'asyncapi.json');
      expect((await runX7(['asyncapi', '--out', json])).code).toBe(0);
      expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual(parseYaml(committed));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown format with its usage (exit 2)', async () => {
    const result = await runX7(['asyncapi', '--format', 'xml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--format must be one of yaml, json/);
    expect(result.stderr).toMatch(/usage: x7 asyncapi/);
    expect(result.stdout).toBe('');
  });
});
