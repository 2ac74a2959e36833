// A registry of the test's own (Apicurio, ccompat API) that the test may stop and
// restart without disturbing any other test. Its H2 database lives in a temporary
// folder, so schemas and their ids survive a restart, as on a real registry.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from './ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { projectPath } from '../../src/paths.js';

/** The runner jar that scripts/stack.sh installed (X7_APICURIO_JAR overrides it). */
function installedRegistryJar(): string {
  const base = join(process.env.X7_STACK_DIR ?? projectPath('.stack'), 'apicurio');
  for (const version of readdirSync(base).sort().reverse()) {
    const jar = readdirSync(join(base, version)).find((f) => f.endsWith('-runner.jar'));
    if (jar) return join(base, version, jar);
  }
  throw new Error(`no Apicurio runner jar under ${base}: run "npm run stack:up" first`);
}

export interface PrivateRegistry {
  /** Base URL of the Confluent-compatible API, as SCHEMA_REGISTRY_URL wants it. */
  url: string;
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
  /** Stops it for good and removes its data. */
  dispose(): Promise<void>;
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the private registry exited with ${child.exitCode}:\n${log().slice(-2000)}`);
    try {
      const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the private registry did not answer within ${timeoutMs} ms:\n${log().slice(-2000)}`);
}

export async function startPrivateRegistry(): Promise<PrivateRegistry> {
  const jar = process.env.X7_APICURIO_JAR ?? installedRegistryJar();
  const dataDir = mkdtempSync(join(tmpdir(), 'x7-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async () => {
    output = '';
    child = spawn('java', [
      '-Xmx384m',
      '-Dquarkus.http.host=127.0.0.1',
      `-Dquarkus.http.port=${port}`,
      `-Dapicurio.datasource.url=jdbc:h2:file:${join(dataDir, 'registry')}`,
      '-jar', jar,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await waitUntilReady(url, child, () => output);
  };

  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url,
    stop,
    restart: launch,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
