// `x7 worker` as an operator runs it: a child process of the built CLI that executes
// a workflow on its task queue, logs JSON lines and exits 0 on SIGTERM.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { WorkflowManager } from '../../src/workflows/manager.js';
import { runX7, startX7, stopProcess } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, waitUntil } from '../support/pipeline.js';
import { insertBusiness, offsetIso } from '../support/workflows.js';

describe('x7 worker', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let config: Config;
  let manager: WorkflowManager;
  let connection: Connection;

  beforeAll(async () => {
    const prefix = uniquePrefix('worker-cli');
    db = await createTestDatabase({ label: 'worker_cli' });
    env = isolatedEnv(prefix, { DATABASE_URL: db.url, X7_TASK_QUEUE: `${prefix}workflows`, X7_LOG_LEVEL: 'info' });
    config = isolatedConfig(prefix, env);
    await prepareNamespace(config);
    await insertBusiness(db.pool, 'biz-cli', 'owner-cli');
    manager = await WorkflowManager.connect({ config });
    connection = await Connection.connect({ address: config.temporalAddress });
  });

  afterAll(async () => {
    await manager?.close();
    await connection?.close();
    await db?.drop();
  });

  it('explains itself', async () => {
    const result = await runX7(['worker', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('X7_TASK_QUEUE');
  });

  it('runs a workflow and stops cleanly on SIGTERM', async () => {
    const child = startX7(['worker'], env);
    try {
      await waitUntil(() => child.output().includes('"worker ready"') || child.exitCode !== null, 60_000, 'worker ready');
      expect(child.exitCode, child.output()).toBeNull();

      const conversationId = `c-${randomUUID()}`;
      const due = new Date(Date.now() + 1_500);
      const started = await manager.startWorkflow('voiceCallback', {
        businessId: 'biz-cli', conversationId, userId: 'u-caller', callbackAt: offsetIso(due, 120), causationId: randomUUID(),
      });
      const client = new Client({ connection, namespace: config.temporalNamespace });
      const result = await client.workflow.getHandle(started.workflowId).result();
      expect(result).toEqual({ callbackAt: due.toISOString() });
      const { rows } = await db.pool.query('select status from workflow_runs where workflow_id = $1', [started.workflowId]);
      expect(rows).toEqual([{ status: 'COMPLETED' }]);

      // X7_METRICS_PORT=0 (isolatedEnv): the start log line says where /metrics is.
      const serving = child.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; port?: number })
        .find((l) => l.msg?.startsWith('serving /healthz, /readyz and /metrics'));
      const base = `http://127.0.0.1:${serving!.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 20_000, '/readyz 200');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^x7_workflows_total\{workflow_type="VOICE_CALLBACK",status="STARTED"\} 1$/m);
      expect(metrics).toMatch(/^x7_workflows_total\{workflow_type="VOICE_CALLBACK",status="COMPLETED"\} 1$/m);
    } finally {
      const code = await stopProcess(child);
      expect(code, child.output()).toBe(0);
    }
    const lines = child.output().split('\n').filter((l) => l.trim() !== '');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(child.output()).toContain('"worker stopped"');
  });
});
