// Temporal for an integration test: an in-process worker running the same code as
// `x7 worker` on the test's own task queue (config.taskQueue), a WorkflowManager and a
// raw client on the dev server. stop() terminates what the queue still runs, so
// nothing a test started keeps running on the shared dev server.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { WorkflowManager } from '../../src/workflows/manager.js';
import { createX7Worker, workflowsPath } from '../../src/workflows/worker.js';
import { quietTemporalLogger, terminateRunningWorkflows } from './workflows.js';

export interface TemporalHarness {
  manager: WorkflowManager;
  client: Client;
  stop(): Promise<void>;
}

export async function startTemporalHarness(config: Config): Promise<TemporalHarness> {
  try {
    // The SDK's own lines: errors only.
    Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  } catch {
    // installed already by another test file in this process
  }
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietTemporalLogger });
  const worker = await createX7Worker({ config, logger: createLogger('test-worker', 'fatal'), workflowBundle, shutdownGraceTime: '2 seconds' });
  const running = worker.run();
  const manager = await WorkflowManager.connect({ config });
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.temporalNamespace });
  return {
    manager,
    client,
    async stop() {
      await terminateRunningWorkflows(client, config.taskQueue);
      worker.shutdown();
      await running;
      await manager.close();
      await connection.close();
    },
  };
}
