// A confirmed dashboard action run for real: the DASHBOARD processor's workflow stage
// starts the management action workflow through the WorkflowManager on the Temporal
// dev server, an in-process worker runs it, and it changes the data, writes the allowed
// audit row and reports COMPLETED to the dashboard conversation. A redelivered "yes"
// starts nothing more.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardProcessor } from '../../processors/dashboard/index.js';
import type { ProcessorDeps } from '../../processors/shared/deps.js';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { AnalyticsEvent, ChatMessage, OutboundEvent } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import type { ChatProcessor, ProcessorResult } from '../../src/pipeline/processor.js';
import { WorkflowManager } from '../../src/workflows/manager.js';
import { createX7Worker, workflowsPath, type X7Worker } from '../../src/workflows/worker.js';
import { chatDeps } from '../support/chat.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, TopicReader, waitUntil } from '../support/pipeline.js';
import { quietTemporalLogger, terminateRunningWorkflows } from '../support/workflows.js';

const logger = createLogger('test', 'silent');
const BUSINESS = 'lis-studio-cabelo-chiado';

describe('DASHBOARD management action through Temporal', () => {
  let config: Config;
  let db: TestDatabase;
  let codec: EventCodec;
  let worker: X7Worker;
  let running: Promise<void>;
  let manager: WorkflowManager;
  let connection: Connection;
  let client: Client;
  let outbound: TopicReader;
  let processor: ChatProcessor;
  let deps: ProcessorDeps;

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    } catch {
      // already installed in this process by another test file
    }
    const prefix = uniquePrefix('dashwf');
    db = await createTestDatabase({ seed: true, label: 'dashwf' });
    config = isolatedConfig(prefix, { DATABASE_URL: db.url, X7_TASK_QUEUE: `${prefix}workflows` });
    await prepareNamespace(config);
    codec = createCodec(config);
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietTemporalLogger });
    worker = await createX7Worker({ config, logger: createLogger('test-worker', 'fatal'), workflowBundle, shutdownGraceTime: '2 seconds' });
    running = worker.run();
    manager = await WorkflowManager.connect({ config });
    connection = await Connection.connect({ address: config.temporalAddress });
    client = new Client({ connection, namespace: config.temporalNamespace });
    outbound = await TopicReader.open(config, 'chat.outbound');
    deps = chatDeps(db.pool, db.url, manager);
    processor = createDashboardProcessor(deps);
  });

  afterAll(async () => {
    if (client) {
      await terminateRunningWorkflows(client, config.taskQueue);
    }
    worker?.shutdown();
    await running;
    await manager?.close();
    await connection?.close();
    await outbound?.close();
    await db?.drop();
  });

  it("pauses bookings on the owner's yes, once, with its audit row and a COMPLETED update", async () => {
    const conversationId = `c-${randomUUID().slice(0, 8)}`;
    const message = (text: string, eventId = randomUUID()): ChatMessage => ({
      eventId, conversationId, chatType: 'DASHBOARD', userId: 'u-marta', businessId: BUSINESS, text,
      channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null,
    });
    // As the runtime does: the message at its offset, then the store's flush (the commit).
    const process = async (m: ChatMessage, offset: number): Promise<ProcessorResult['outputs']> => {
      try {
        const { outputs } = await processor.process(m, { logger, source: { topic: 't', partition: 0, offset: String(offset) }, clock: deps.clock, stageLatenciesMs: {} });
        await deps.store.flush(0);
        return outputs;
      } catch (error) {
        deps.store.rollback(0);
        throw error;
      }
    };
    const outcome = (outputs: ProcessorResult['outputs']) => (outputs.find((o) => o.topic === 'chat.analytics')!.value as AnalyticsEvent).outcome;

    expect(outcome(await process(message('Stop taking bookings please'), 0))).toBe('CONFIRMATION_REQUESTED');
    const yes = message('yes');
    const first = await process(yes, 1);
    expect(outcome(first)).toBe('WORKFLOW_STARTED');
    const workflowId = `management-${yes.eventId}`;

    await waitUntil(async () => {
      const { rows } = await db.pool.query(`select 1 from audit_log where detail->>'workflowId' = $1 and allowed`, [workflowId]);
      return rows.length === 1;
    }, 30_000, 'audit row of the management action');
    const { rows } = await db.pool.query('select accepting_bookings from businesses where id = $1', [BUSINESS]);
    expect(rows[0].accepting_bookings).toBe(false);

    await waitUntil(async () => {
      const mine = outbound.records.filter((r) => r.key?.toString() === conversationId);
      const events = await Promise.all(mine.map(async (r) => (await codec.decode('chat.outbound', r.value)).value as OutboundEvent));
      return events.some((e) => e.body.type === 'WorkflowUpdate' && e.body.workflowId === workflowId && e.body.status === 'COMPLETED');
    }, 30_000, 'COMPLETED update on the dashboard conversation');

    // The same "yes" delivered again (its offset not committed in Kafka): its stored
    // outputs come back, nothing new starts. So does a producer's duplicate at a later offset.
    const eventIds = (outputs: ProcessorResult['outputs']) => outputs.map((o) => (o.value as { eventId: string }).eventId);
    const again = await process(yes, 1);
    expect(eventIds(again)).toEqual(eventIds(first));
    const duplicate = await process(yes, 2);
    expect(eventIds(duplicate)).toEqual(eventIds(first));
    const audits = await db.pool.query(`select count(*)::int as n from audit_log where action = 'pause_bookings' and detail->>'workflowId' = $1`, [workflowId]);
    expect(audits.rows[0].n).toBe(1);
  });
});
