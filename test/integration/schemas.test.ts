// `x7 schemas register` and `x7 schemas check` against the real registry.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { runX7 } from '../support/cli.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';

const SUBJECTS = ['chat.inbound-value', 'chat.outbound-value', 'chat.workflows-value', 'chat.analytics-value'];

/** A copy of schemas/ where ChatMessage gained a required field (no default): not BACKWARD compatible. */
function schemasWithRequiredField(): string {
  const dir = mkdtempSync(join(tmpdir(), 'x7-schemas-'));
  cpSync(projectPath('schemas'), dir, { recursive: true });
  const file = join(dir, 'ChatMessage.avsc');
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  schema.fields.push({ name: 'tenantId', type: 'string' });
  writeFileSync(file, JSON.stringify(schema, null, 2));
  return dir;
}

async function versions(prefix: string, subject: string): Promise<number[]> {
  const response = await fetch(`${isolatedConfig(prefix).schemaRegistryUrl}/subjects/${prefix}${subject}/versions`);
  return (await response.json()) as number[];
}

describe('x7 schemas', () => {
  it('registers every subject with its compatibility level, idempotently, and then checks clean', async () => {
    const prefix = uniquePrefix('schemas-register');
    const first = await runX7(['schemas', 'register'], isolatedEnv(prefix));
    expect(first.code).toBe(0);
    for (const s of SUBJECTS) expect(first.stdout).toMatch(new RegExp(`^${prefix.replace(/\./g, '\\.')}${s.replace(/\./g, '\\.')}: registered as schema id \\d+`, 'm'));
    expect(first.stdout).toContain(`${prefix}chat.inbound-value: registered as schema id`);
    expect(first.stdout).toMatch(/chat\.inbound-value: .*\(compatibility BACKWARD_TRANSITIVE\)/);
    expect(first.stdout).toMatch(/chat\.outbound-value: .*\(compatibility FULL_TRANSITIVE\)/);
    const config = await fetch(`${isolatedConfig(prefix).schemaRegistryUrl}/config/${prefix}chat.inbound-value`);
    expect(await config.json()).toMatchObject({ compatibilityLevel: 'BACKWARD_TRANSITIVE' });

    const again = await runX7(['schemas', 'register'], isolatedEnv(prefix));
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(first.stdout); // same ids
    expect(await versions(prefix, 'chat.inbound-value')).toEqual([1]);

    const check = await runX7(['schemas', 'check'], isolatedEnv(prefix));
    expect(check.code).toBe(0);
    for (const s of SUBJECTS) expect(check.stdout).toContain(`${prefix}${s}: compatible with the latest version`);
  });

  it('fails the check of a new required field with the registry\'s reason, registering nothing', async () => {
    const prefix = uniquePrefix('schemas-incompatible');
    expect((await runX7(['schemas', 'register'], isolatedEnv(prefix))).code).toBe(0);
    const check = await runX7(['schemas', 'check', '--schemas-dir', schemasWithRequiredField()], isolatedEnv(prefix));
    expect(check.code).toBe(1);
    const line = check.stdout.split('\n').find((l) => l.startsWith(`${prefix}chat.inbound-value:`));
    expect(line).toContain('INCOMPATIBLE');
    expect(line).toContain('tenantId'); // the registry names the offending field
    expect(check.stdout).toContain(`${prefix}chat.outbound-value: compatible with the latest version`);
    expect(check.stderr).toContain('1 schema(s) incompatible');
    expect(await versions(prefix, 'chat.inbound-value')).toEqual([1]);
  });

  it('says so when a subject has nothing registered yet', async () => {
    const prefix = uniquePrefix('schemas-new');
    const check = await runX7(['schemas', 'check'], isolatedEnv(prefix));
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`${prefix}chat.inbound-value: not registered yet, nothing to check against`);
  });

  it('reports an unreachable registry in one line and exits non-zero', async () => {
    const prefix = uniquePrefix('schemas-down');
    const result = await runX7(['schemas', 'register'], isolatedEnv(prefix, { SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/x7 schemas register: schema registry at http:\/\/127\.0\.0\.1:1\/apis\/ccompat\/v7 is unavailable/);
  });
});
