// `x7 dev`: everything a developer needs, in one command. It brings the local stack
// up, prepares it with the same commands an operator would run (topics, schemas,
// migrations, seed), then runs the processor, the worker and the bridge as child
// processes and prints the chat page's address once the bridge answers.
// Ctrl-C stops the three processes; the stack keeps running (npm run stack:down).
// With X7_LLM=local it first starts `x7 llm serve` (the local model, see
// src/llm/runtime.ts) and points the processor at it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig } from '../../config.js';
import { defaultModelPath, INSTALL_HINT } from '../../llm/runtime.js';
import { projectPath } from '../../paths.js';
import { parseCommandArgs, type Command } from '../command.js';

const OPTIONS = { 'no-stack': { type: 'boolean' }, 'no-seed': { type: 'boolean' } } as const;

const SETUP_STEPS: string[][] = [['topics', 'apply'], ['schemas', 'register'], ['db', 'migrate'], ['db', 'seed']];
const SERVICES = ['processor', 'worker', 'bridge'] as const;

export const devCommand: Command = {
  help: [
    'usage: x7 dev [--no-stack] [--no-seed]',
    '',
    'Starts the local stack (scripts/stack.sh up), applies topics.yaml, registers the',
    'schemas, migrates and seeds the database, then runs x7 processor, x7 worker and',
    'x7 bridge (with demo sign-in enabled) until Ctrl-C, their logs prefixed by name.',
    '',
    'options:',
    '  --no-stack   use services that are already running (addresses from the environment)',
    '  --no-seed    skip loading the demo data',
    '',
    'X7_LLM=local also runs x7 llm serve (Gemma 3 270M on the CPU; install it once with',
    'npm run llm:install) on X7_LLM_PORT (default 11435) and sets X7_LLM_BASE_URL and',
    'X7_LLM_MODEL for the processor to it.',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });
    // Fail on bad configuration before starting anything.
    const env: NodeJS.ProcessEnv = { ...process.env, X7_DEV_TOKENS: process.env.X7_DEV_TOKENS ?? '1', X7_JWT_SECRET: process.env.X7_JWT_SECRET ?? devJwtSecret() };
    const localLlm = readLocalLlm(env);
    if (localLlm) {
      env.X7_LLM_BASE_URL = `http://127.0.0.1:${localLlm.port}/v1`;
      env.X7_LLM_MODEL = LOCAL_MODEL_ID;
      // A CPU model answers in seconds, not the hosted APIs' default of 10 s at most.
      env.X7_LLM_TIMEOUT_MS ??= '60000';
    }
    const config = loadConfig(env);

    if (!values['no-stack']) {
      step('starting the local stack');
      const stack = spawnSync('bash', [projectPath('scripts/stack.sh'), 'up'], { stdio: 'inherit' });
      if (stack.status !== 0) throw new Error('the local stack did not come up (see the lines above)');
    }
    for (const command of SETUP_STEPS) {
      if (values['no-seed'] && command.join(' ') === 'db seed') continue;
      step(`x7 ${command.join(' ')}`);
      const result = spawnSync(process.execPath, [projectPath('bin/x7.js'), ...command], { stdio: 'inherit', env });
      if (result.status !== 0) throw new Error(`"x7 ${command.join(' ')}" failed (exit ${result.status})`);
    }

    const children = new Map<string, ChildProcess>();
    let stopping = false;
    const stopAll = async (): Promise<void> => {
      stopping = true;
      await Promise.all([...children.values()].map((child) => stopChild(child)));
    };
    const exited = new Promise<number>((resolve) => {
      for (const name of localLlm ? ['llm', ...SERVICES] : [...SERVICES]) {
        const args = name === 'llm' ? ['llm', 'serve', '--port', String(localLlm!.port)] : [name];
        const child = spawn(process.execPath, [projectPath('bin/x7.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        children.set(name, child);
        prefixLines(child, name);
        child.once('exit', (code, signal) => {
          if (stopping) return;
          process.stderr.write(`[dev] x7 ${name} exited (${signal ?? `code ${code}`}); stopping the others\n`);
          void stopAll().then(() => resolve(1));
        });
      }
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          process.stderr.write(`\n[dev] ${signal}: stopping processor, worker and bridge (the stack keeps running; npm run stack:down stops it)\n`);
          void stopAll().then(() => resolve(0));
        });
      }
    });

    if (localLlm) {
      // The processor waits for the model by itself (/readyz says llm: … until it answers);
      // this only tells the developer when it is there.
      void waitForHttp(`${env.X7_LLM_BASE_URL}/models`, 120_000, () => stopping).then((up) => {
        if (up) process.stderr.write(`[dev] local model ready at ${env.X7_LLM_BASE_URL} (${LOCAL_MODEL_ID})\n`);
      });
    }
    const pageUrl = `http://${config.bridgeHost}:${config.bridgePort}/`;
    const ready = await waitForHttp(`${pageUrl}healthz`, 60_000, () => stopping);
    if (ready) {
      process.stderr.write(`\n[dev] ready: open ${pageUrl} and sign in as a demo user (u-diego is a customer, u-ana an owner)\n\n`);
    } else if (!stopping) {
      process.stderr.write(`[dev] the bridge did not answer at ${pageUrl}healthz within 60 s\n`);
      await stopAll();
      return 1;
    }
    return exited;
  },
};

/**
 * Dev tokens are signed with X7_JWT_SECRET. Without one set, a secret made once and
 * kept under .stack/ lets a page's token survive a restart of `x7 dev`.
 */
function devJwtSecret(): string {
  const file = join(process.env.X7_STACK_DIR ?? projectPath('.stack'), 'dev-jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** The id `x7 llm serve` gives the model that llm/install.sh installs. */
const LOCAL_MODEL_ID = 'gemma-3-270m-q4_k_m';

/** X7_LLM: empty (no local model) or "local" (run `x7 llm serve` on X7_LLM_PORT). */
function readLocalLlm(env: NodeJS.ProcessEnv): { port: number } | null {
  const mode = env.X7_LLM ?? '';
  if (mode === '') return null;
  if (mode !== 'local') throw new ConfigError([`X7_LLM must be empty or "local", not "${mode}"`]);
  const port = Number(env.X7_LLM_PORT || 11435);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError([`X7_LLM_PORT must be a port number, not "${env.X7_LLM_PORT}"`]);
  if (!existsSync(defaultModelPath(env)) || !existsSync(projectPath('llm/node_modules/node-llama-cpp/package.json'))) {
    throw new ConfigError([`X7_LLM=local needs the local model: ${INSTALL_HINT}`]);
  }
  return { port };
}

function step(text: string): void {
  process.stderr.write(`[dev] ${text}…\n`);
}

function prefixLines(child: ChildProcess, name: string): void {
  const label = name.padEnd(9);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${label}| ${line}\n`));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function waitForHttp(url: string, limitMs: number, cancelled: () => boolean): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline && !cancelled()) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  return false;
}
