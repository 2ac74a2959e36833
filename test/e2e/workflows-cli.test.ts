// `x7 workflows list | describe | metrics | cancel` as an operator runs them: the built
// CLI as a child process, against the Temporal dev server, on a task queue of the
// test's own (X7_TASK_QUEUE) where an in-process worker runs what the test starts, so
// every count is exact and the test can run beside others and twice in a row.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { WorkflowManager, type StartResult } from '../../src/workflows/manager.js';
import type { WorkflowList, WorkflowMetrics } from '../../src/workflows/visibility.js';
import { createX7Worker, workflowsPath, type X7Worker } from '../../src/workflows/worker.js';
import { runX7 } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, TopicReader, waitUntil } from '../support/pipeline.js';
import { insertBooking, insertBusiness, offsetIso, quietTemporalLogger, terminateRunningWorkflows, workflowEventsOf } from '../support/workflows.js';

describe('x7 workflows', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let config: Config;
  let codec: EventCodec;
  let worker: X7Worker;
  let running: Promise<void>;
  let manager: WorkflowManager;
  let connection: Connection;
  let workflowEvents: TopicReader;
  const tag = randomUUID().slice(0, 8);
  const bizA = `biz-a-${tag}`;
  const bizB = `biz-b-${tag}`;
  let bookingId: string;
  let reservation: StartResult;
  let callbackA: StartResult;
  let callbackB: StartResult;

  const x7 = (...args: string[]) => runX7(['workflows', ...args], env);
  const json = <T>(stdout: string) => JSON.parse(stdout) as T;

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    } catch {
      // already installed in this process by another test file
    }
    const prefix = uniquePrefix('workflows-cli');
    db = await createTestDatabase({ label: 'workflows_cli' });
    env = isolatedEnv(prefix, { DATABASE_URL: db.url, X7_TASK_QUEUE: `${prefix}workflows` });
    config = isolatedConfig(prefix, env);
    await prepareNamespace(config);
    codec = createCodec(config);
    await insertBusiness(db.pool, bizA, `owner-a-${tag}`);
    await insertBusiness(db.pool, bizB, `owner-b-${tag}`);
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietTemporalLogger });
    worker = await createX7Worker({ config, logger: createLogger('test-worker', 'fatal'), workflowBundle, shutdownGraceTime: '2 seconds' });
    running = worker.run();
    connection = await Connection.connect({ address: config.temporalAddress });
    manager = WorkflowManager.fromClient(new Client({ connection, namespace: config.temporalNamespace }), { config });
    workflowEvents = await TopicReader.open(config, 'chat.workflows');

    const startsAt = new Date(Date.now() + 4 * 3_600_000);
    bookingId = await insertBooking(db.pool, { businessId: bizA, conversationId: `c-${randomUUID()}`, startsAt });
    reservation = await manager.startWorkflow('reservation', {
      bookingId, businessId: bizA, conversationId: `c-${randomUUID()}`, userId: 'u-guest', partySize: 2,
      startsAt: startsAt.toISOString(), timeZone: 'Europe/Lisbon', causationId: randomUUID(),
    });
    const callback = (businessId: string) => manager.startWorkflow('voiceCallback', {
      businessId, conversationId: `c-${randomUUID()}`, userId: 'u-caller', callbackAt: offsetIso(new Date(Date.now() + 3_600_000), 60), causationId: randomUUID(),
    });
    callbackA = await callback(bizA);
    callbackB = await callback(bizB);
    await waitUntil(async () => (await db.pool.query('select status from bookings where id = $1', [bookingId])).rows[0]?.status === 'confirmed', 30_000, 'booking confirmed');
    await waitUntil(async () => (await manager.listWorkflows({ status: 'Running' })).workflows.length === 3, 20_000, 'three running in visibility');
  });

  afterAll(async () => {
    // Leave nothing running on the shared dev server.
    if (connection) await terminateRunningWorkflows(new Client({ connection, namespace: config.temporalNamespace }), config.taskQueue);
    worker?.shutdown();
    await running;
    await connection?.close();
    await workflowEvents?.close();
    await db?.drop();
  });

  it('explains each command', async () => {
    for (const command of ['list', 'describe', 'metrics', 'cancel']) {
      const result = await x7(command, '--help');
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toContain(`usage: x7 workflows ${command}`);
      expect(result.stdout, command).toContain('X7_TASK_QUEUE');
    }
  });

  it('lists the workflows of its task queue, by type, status and business, and caps the output', async () => {
    const all = await x7('list');
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^WORKFLOW ID\s+TYPE\s+STATUS\s+STARTED\s+CLOSED\s+BUSINESS\s+CONVERSATION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0]).sort()).toEqual([reservation, callbackA, callbackB].map((s) => s.workflowId).sort());
    expect(lines.find((l) => l.startsWith(reservation.workflowId))).toMatch(new RegExp(`^${reservation.workflowId}\\s+reservation\\s+Running\\s+\\S+Z\\s+-\\s+${bizA}\\s+c-`));
    expect(all.stderr).toContain('3 workflows');

    const ofA = await x7('list', '--business', bizA, '--json');
    expect(ofA.code, ofA.stderr).toBe(0);
    const listed = json<WorkflowList & { taskQueue: string }>(ofA.stdout);
    expect(listed.taskQueue).toBe(config.taskQueue);
    expect(listed.workflows.map((w) => w.workflowId).sort()).toEqual([reservation.workflowId, callbackA.workflowId].sort());
    expect(listed.workflows.every((w) => w.businessId === bizA)).toBe(true);

    const callbacks = json<WorkflowList>((await x7('list', '--type', 'voice-callback', '--status', 'running', '--json')).stdout);
    expect(callbacks.workflows.map((w) => w.workflowId).sort()).toEqual([callbackA.workflowId, callbackB.workflowId].sort());
    expect(json<WorkflowList>((await x7('list', '--status', 'failed', '--json')).stdout).workflows).toEqual([]);

    const capped = await x7('list', '--limit', '1');
    expect(capped.code).toBe(0);
    expect(capped.stdout.trim().split('\n')).toHaveLength(2); // the header and one workflow
    expect(capped.stderr).toContain('1 workflow; more matched (raise --limit above 1)');

    const bad = await x7('list', '--status', 'stuck');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--status must be one of Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew, TimedOut (got "stuck")');
  });

  it('describes one workflow, with its own status, and says so when the id names none', async () => {
    const text = await x7('describe', reservation.workflowId);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^workflow\\s+${reservation.workflowId}$`, 'm'));
    expect(text.stdout).toMatch(/^type\s+reservation \(reservationWorkflow\)$/m);
    expect(text.stdout).toMatch(/^status\s+Running$/m);
    expect(text.stdout).toMatch(/^x7 status\s+CONFIRMED: Booking for 2 confirmed$/m);
    expect(text.stdout).toMatch(new RegExp(`^business\\s+${bizA}$`, 'm'));
    expect(text.stdout).toMatch(/^duration\s+.+ so far$/m);

    const described = json<{ runId: string; kind: string; taskQueue: string }>((await x7('describe', callbackB.workflowId, '--json')).stdout);
    expect(described).toMatchObject({ runId: callbackB.runId, kind: 'voiceCallback', taskQueue: config.taskQueue });

    const unknown = `voice-callback-${randomUUID()}`;
    const missing = await x7('describe', unknown);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim()).toBe(`x7 workflows describe: no workflow with id ${unknown} on task queue ${config.taskQueue} (namespace ${config.temporalNamespace})`);
    expect((await x7('describe')).code).toBe(2);
  });

  it('counts by type and status, in a table and as JSON', async () => {
    const result = await x7('metrics', '--json');
    expect(result.code, result.stderr).toBe(0);
    const metrics = json<WorkflowMetrics>(result.stdout);
    expect(metrics.taskQueue).toBe(config.taskQueue);
    expect(metrics.byKind.reservation.byStatus).toEqual({ Running: 1 });
    expect(metrics.byKind.voiceCallback.byStatus).toEqual({ Running: 2 });
    expect(metrics.byKind.managementAction.total).toBe(0);
    expect(metrics.window.byKind.reservation).toEqual({ closed: 0, failed: 0, p50Ms: null, p95Ms: null, maxMs: null });

    const table = await x7('metrics', '--since', '1h');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`task queue ${config.taskQueue}: 3 workflows, 3 running, 0 failed`);
    expect(table.stdout).toMatch(/^TYPE\s+RUNNING\s+TOTAL$/m);
    expect(table.stdout).toMatch(/^reservation\s+1\s+1$/m);
    expect(table.stdout).toMatch(/^voiceCallback\s+2\s+2$/m);
    expect(table.stdout).toMatch(/^TYPE\s+CLOSED\s+FAILED\s+P50\s+P95\s+MAX$/m);
    expect((await x7('metrics', '--since', 'yesterday')).code).toBe(2);
  });

  it('cancels a reservation the way the pipeline does, with the reason, and refuses one that has ended', async () => {
    expect((await x7('cancel', reservation.workflowId)).code).toBe(2); // no --reason
    const cancelled = await x7('cancel', reservation.workflowId, '--reason', 'guest called to cancel');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout.trim()).toBe(`cancelling ${reservation.workflowId} (run ${reservation.runId}): sent the cancel signal: the reservation cancels its booking and tells the customer`);

    await waitUntil(async () => (await workflowEventsOf(workflowEvents, codec, reservation.workflowId))
      .some((e) => e.status === 'CANCELLED' && e.detail === 'guest called to cancel'), 30_000, 'CANCELLED WorkflowEvent with the reason');
    expect((await db.pool.query('select status from bookings where id = $1', [bookingId])).rows[0].status).toBe('cancelled');

    await waitUntil(async () => (await manager.findWorkflow(reservation.workflowId))?.status === 'Completed', 20_000, 'the run closed');
    const again = await x7('cancel', reservation.workflowId, '--reason', 'again');
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`x7 workflows cancel: workflow ${reservation.workflowId} has already ended (completed); nothing to cancel`);
    const unknown = await x7('cancel', `reservation-${randomUUID()}`, '--reason', 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no workflow with id reservation-');
  });

  it('cancels a voice callback through Temporal with the reason kept in its history', async () => {
    const cancelled = await x7('cancel', callbackB.workflowId, '--reason', 'the customer came in person', '--json');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(json(cancelled.stdout)).toEqual({ workflowId: callbackB.workflowId, runId: callbackB.runId, method: 'cancel' });
    await waitUntil(async () => (await manager.findWorkflow(callbackB.workflowId))?.status === 'Canceled', 20_000, 'the run cancelled');
    const described = await x7('describe', callbackB.workflowId);
    expect(described.stdout).toMatch(/^status\s+Canceled$/m);
    expect(described.stdout).toMatch(/^cancel reason\s+the customer came in person$/m);
  });

  it('says plainly when Temporal cannot be reached, and exits 1', async () => {
    const down = await runX7(['workflows', 'list'], { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stdout).toBe('');
    expect(down.stderr).toMatch(/^x7 workflows list: cannot reach Temporal at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\): /m);
  });
});
