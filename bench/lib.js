// Shared helpers of the benchmark: the project's own modules (from dist/), a
// namespace of the bench's own (topics, subjects, database), spawned x7
// processes, CPU and memory from /proc, statistics and tables.
//
// Plain ESM JavaScript: it runs with Node alone after `npm run build`.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import kafkajs from 'kafkajs';
import { loadConfig } from '../dist/src/config.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../dist/src/kafka/client.js';
import { applyTopics, topicName } from '../dist/src/kafka/topics.js';
import { registerSchemas, RegistryAdmin, schemaSources } from '../dist/src/schemas/registry.js';
import { createCodec } from '../dist/src/codec/index.js';
import { createPool, migrate, seed } from '../dist/src/db/index.js';
import { signToken } from '../dist/src/bridge/auth.js';
import { projectPath } from '../dist/src/paths.js';

export { loadConfig, createKafka, JAVA_COMPATIBLE_PARTITIONER, topicName, createCodec, signToken, projectPath, randomUUID };

export const JWT_SECRET = 'x7-bench-secret-x7-bench-secret-0123456789abcdef';

/** Monotonic milliseconds (sub-ms resolution), same clock for every measurement in this process. */
export const now = () => performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let quiet = false;
export function setQuiet(q) { quiet = q; }
const started = Date.now();
/** A progress line on stderr, with the seconds since the bench started. */
export function progress(line) {
  if (!quiet) process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
}

// ---------------------------------------------------------------------------
// the stack and a namespace of our own

export function stackUp() {
  if (process.env.X7_SKIP_STACK === '1') return progress('X7_SKIP_STACK=1: the services are provided some other way');
  progress('bringing the local stack up (scripts/stack.sh up)');
  const result = spawnSync('bash', [projectPath('scripts/stack.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`the local stack did not come up (scripts/stack.sh up exited ${result.status})`);
}

export function uniquePrefix(label) {
  return `bench-${label}-${randomBytes(4).toString('hex')}.`;
}

/** Environment of a spawned x7 working inside the namespace (like test/support/isolation.ts). */
export function isolatedEnv(prefix, extra = {}) {
  return { X7_TOPIC_PREFIX: prefix, X7_CONSUMER_GROUP: `${prefix}processor`, X7_LOG_LEVEL: 'warn', ...extra };
}

export function isolatedConfig(prefix, extra = {}) {
  return loadConfig({ ...process.env, ...isolatedEnv(prefix, extra) });
}

/** Creates the namespace's topics (topics.yaml layout) and registers its subjects. */
export async function prepareNamespace(config) {
  const admin = createKafka(config, 'bench-setup').admin();
  await admin.connect();
  try {
    await applyTopics(admin, config);
  } finally {
    await admin.disconnect();
  }
  await registerSchemas(new RegistryAdmin(config.schemaRegistryUrl), schemaSources(config));
}

/** Deletes every topic whose name starts with the prefix (only the bench's own). */
export async function deleteTopicsWithPrefix(config, prefix) {
  if (!prefix.startsWith('bench-')) throw new Error(`refusing to delete topics of ${prefix}`);
  const admin = createKafka(config, 'bench-cleanup').admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    return topics.length;
  } finally {
    await admin.disconnect();
  }
}

/** A seeded database of the bench's own (like test/support/database.ts); drop() removes it. */
export async function createBenchDatabase() {
  const adminUrl = loadConfig().databaseUrl;
  const name = `x7_bench_${randomBytes(4).toString('hex')}`;
  const admin = createPool({ databaseUrl: adminUrl }, { max: 1 });
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool({ databaseUrl: url.toString() }, { max: 2 });
  const drop = async () => {
    await pool.end().catch(() => undefined);
    const again = createPool({ databaseUrl: adminUrl }, { max: 1 });
    try {
      // An autovacuum worker in the database makes FORCE fail with 42501 for a
      // non-superuser (as in test/support/database.ts): it is gone within moments.
      for (let attempt = 1; ; attempt++) {
        try {
          await again.query(`drop database if exists "${name}" with (force)`);
          break;
        } catch (error) {
          if (error?.code !== '42501' || attempt === 20) throw error;
          await sleep(250);
        }
      }
    } finally {
      await again.end();
    }
  };
  try {
    await migrate(pool, projectPath('supabase/migrations'));
    await seed(pool, projectPath('supabase/seed.sql'));
  } catch (error) {
    await drop();
    throw error;
  }
  return { url: url.toString(), name, pool, drop };
}

// ---------------------------------------------------------------------------
// processes

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

/** Starts `x7 ...args`; keeps the last 64 KiB of its output for error messages. */
export function startX7(args, env, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, projectPath('bin/x7.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d) => {
    output += d;
    if (output.length > 65_536) output = output.slice(-65_536);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return Object.assign(child, { output: () => output });
}

export function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM to this one child, SIGKILL after the grace period. */
export async function stopChild(child, graceMs = 15_000) {
  if (exited(child)) return child.exitCode;
  const done = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `x7 bridge` in the namespace and waits until /readyz answers 200. */
export async function startBridge({ prefix, databaseUrl, env = {} }) {
  const port = await freePort();
  const child = startX7(['bridge'], isolatedEnv(prefix, {
    DATABASE_URL: databaseUrl,
    X7_JWT_SECRET: JWT_SECRET,
    X7_BRIDGE_PORT: String(port),
    X7_BRIDGE_INSTANCE_ID: `bench-${port}`,
    // Any free port: the bench does not read it, and a bridge of `x7 dev` may hold the default.
    X7_BRIDGE_METRICS_PORT: '0',
    X7_HISTORY_TTL_MS: String(3_600_000),
    ...env,
  }));
  const bridge = { child, port, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/v1/stream`, stop: () => stopChild(child) };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited(child)) throw new Error(`x7 bridge exited early:\n${child.output()}`);
    try {
      const response = await fetch(`${bridge.http}/readyz`);
      if (response.status === 200) return bridge;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`x7 bridge not ready within 60 s:\n${child.output()}`);
    }
    await sleep(200);
  }
}

/** GET a process's /readyz: its HTTP status (200 = ready), 0 when it does not answer within 2 s. */
export async function readyzStatus(port) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * A consumer group as the broker sees it (classic group protocol): its state and,
 * per member, the partitions of `topic` it was assigned. Uses the given kafkajs admin.
 */
export async function describeGroup(admin, groupId, topic) {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0];
  if (!group) return { state: 'Unknown', members: [] };
  const members = group.members.map((m) => {
    let partitions = null; // null: the assignment could not be read (another protocol)
    try {
      const decoded = kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      partitions = decoded ? [...(decoded.assignment?.[topic] ?? [])].sort((a, b) => a - b) : [];
    } catch {
      // left null
    }
    return { memberId: m.memberId, clientId: m.clientId, partitions };
  });
  return { state: group.state, protocolType: group.protocolType, members };
}

// ---------------------------------------------------------------------------
// /proc: CPU and memory

const CLK_TCK = 100;

function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU ticks (user + system) of a process and all its descendants. */
export function treeTicks(rootPid) {
  if (!rootPid) return 0;
  const parents = new Map();
  const ticks = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statOf(entry);
    if (!s) continue;
    parents.set(Number(entry), s.ppid);
    ticks.set(Number(entry), s.ticks);
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    let p = pid;
    for (let depth = 0; depth < 50 && p > 1; depth++) {
      if (p === rootPid) {
        total += t;
        break;
      }
      p = parents.get(p) ?? 0;
    }
  }
  return total;
}

export function rssBytes(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(text);
  return match ? Number(match[1]) * 1024 : NaN;
}

function machineTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** Where scripts/stack.sh keeps its pid files: .stack/ of this checkout, or X7_STACK_DIR (as stack.sh reads it). */
export function stackDir() {
  return process.env.X7_STACK_DIR || projectPath('.stack');
}

function stackPid(service) {
  try {
    const pid = Number(readFileSync(join(stackDir(), 'run', `${service}.pid`), 'utf8').trim());
    return existsSync(`/proc/${pid}`) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * CPU use of the processes that matter, between start() and stop(): percent of one
 * core (200 % = both cores of this machine), and the machine as a whole.
 */
export class CpuMeter {
  constructor(pids) {
    this.pids = { ...pids };
    for (const s of ['kafka', 'registry', 'redis', 'postgres', 'temporal']) this.pids[s] ??= stackPid(s);
  }
  snapshot() {
    const out = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      // The bench itself: its own ticks only (its children are measured by name).
      out[name] = !pid ? 0 : pid === process.pid ? (statOf(pid)?.ticks ?? 0) : treeTicks(pid);
    }
    return { at: now(), ticks: out, machine: machineTicks() };
  }
  start() {
    this.first = this.snapshot();
  }
  stop() {
    const last = this.snapshot();
    const seconds = (last.at - this.first.at) / 1000;
    const result = {};
    // CPU seconds per process over the window, unrounded (cpuSeconds() after stop()).
    this.seconds = seconds;
    this.usedSeconds = {};
    for (const name of Object.keys(this.pids)) {
      // Never negative: a child that exits between the samples (e.g. a Redis BGSAVE
      // fork) takes its ticks with it.
      const used = Math.max(0, (last.ticks[name] - this.first.ticks[name]) / CLK_TCK);
      this.usedSeconds[name] = used;
      result[name] = round((used / seconds) * 100, 0);
    }
    const dt = last.machine.total - this.first.machine.total;
    // The machine in the same unit (% of one core; 2 cores = 200 %), and what none of
    // the processes above used (other work on the machine, the kernel).
    const cores = cpus().length;
    result.machine = round((1 - (last.machine.idle - this.first.machine.idle) / dt) * 100 * cores, 0);
    const tracked = Object.keys(this.pids).reduce((a, name) => a + result[name], 0);
    result.untracked = Math.max(0, result.machine - tracked);
    return result;
  }
  /** After stop(): CPU seconds (user + system) of each process over the window, and the window's length. */
  cpuSeconds() {
    return { windowSeconds: round(this.seconds, 2), ...Object.fromEntries(Object.entries(this.usedSeconds).map(([k, v]) => [k, round(v, 2)])) };
  }
}

// ---------------------------------------------------------------------------
// statistics and tables

export function round(x, digits = 1) {
  if (x === null || x === undefined || !Number.isFinite(x)) return x ?? null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Nearest-rank percentile; values missing (not delivered) count as +Infinity. */
export function percentile(sorted, p, missing = 0) {
  const n = sorted.length + missing;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return rank <= sorted.length ? sorted[rank - 1] : Infinity;
}

export function latencySummary(values, missing = 0) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
  return {
    count: sorted.length,
    missing,
    mean: round(mean),
    p50: round(percentile(sorted, 50, missing)),
    p95: round(percentile(sorted, 95, missing)),
    p99: round(percentile(sorted, 99, missing)),
    max: missing > 0 ? Infinity : round(sorted[sorted.length - 1] ?? null),
  };
}

/** Events per second between 10 % and 90 % of completions (steady state, without ramp-up and tail). */
export function steadyRate(completionTimes) {
  const t = [...completionTimes].sort((a, b) => a - b);
  if (t.length < 20) return null;
  const i10 = Math.floor(t.length * 0.1);
  const i90 = Math.floor(t.length * 0.9) - 1;
  const seconds = (t[i90] - t[i10]) / 1000;
  return seconds > 0 ? (i90 - i10) / seconds : null;
}

export function fmt(v) {
  if (v === null || v === undefined) return '–';
  if (v === Infinity) return '∞ (lost)';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(1);
  return String(v);
}

export function formatMs(v) {
  if (v === Infinity) return '>drain';
  return fmt(v);
}

/** A plain-text table: header row, rows of cells. */
export function table(title, header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => (typeof c === 'string' ? c : fmt(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [`\n${title}`, line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
  return out.join('\n');
}
