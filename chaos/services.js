// The services a chaos run may break are its own: scripts/stack.sh run a second time
// under .stack/chaos-<profile>/ with ports of its own, sharing only the downloaded tools
// with the main stack (X7_STACK_TOOLS_DIR). The main stack, and anything else on the
// machine, is never signalled.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../bench/lib.js';

/** Ports of the chaos stack: the main stack's plus 10000, clear of it and of the tests' free ports. */
const PORTS = {
  X7_KAFKA_PORT: 19092, X7_KAFKA_CONTROLLER_PORT: 19093, X7_REGISTRY_PORT: 18081, X7_REDIS_PORT: 16379,
  X7_POSTGRES_PORT: 15432, X7_TEMPORAL_PORT: 17233, X7_TEMPORAL_UI_PORT: 18233,
};

/**
 * A stack of our own for `services` (a subset of postgres, redis, kafka, registry,
 * temporal); the others are the main stack's, as the environment names them.
 */
export function privateStack(profile, services) {
  const dir = projectPath(`.stack/chaos-${profile}`);
  const stackEnv = { ...process.env, X7_STACK_DIR: dir, X7_STACK_TOOLS_DIR: projectPath('.stack'), ...mapValues(PORTS, String) };
  const run = (command, names) => {
    const result = spawnSync('bash', [projectPath('scripts/stack.sh'), command, ...names], { env: stackEnv, stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) throw new Error(`scripts/stack.sh ${command} ${names.join(' ')} exited ${result.status}`);
  };
  const own = new Set(services);
  return {
    dir,
    services,
    /** Environment for x7 processes and this run's clients: our services where we have them. */
    clientEnv() {
      const env = {};
      if (own.has('kafka')) env.KAFKA_BROKERS = `127.0.0.1:${PORTS.X7_KAFKA_PORT}`;
      if (own.has('registry')) env.SCHEMA_REGISTRY_URL = `http://127.0.0.1:${PORTS.X7_REGISTRY_PORT}/apis/ccompat/v7`;
      if (own.has('redis')) env.REDIS_URL = `redis://127.0.0.1:${PORTS.X7_REDIS_PORT}`;
      if (own.has('postgres')) env.DATABASE_URL = `postgresql://x7:x7@127.0.0.1:${PORTS.X7_POSTGRES_PORT}/x7`;
      if (own.has('temporal')) env.TEMPORAL_ADDRESS = `127.0.0.1:${PORTS.X7_TEMPORAL_PORT}`;
      return env;
    },
    up(names = services) { run('up', names.filter((n) => own.has(n))); },
    down(names = services) { run('down', names.filter((n) => own.has(n))); },
    /**
     * kill -9 of a service of ours: its whole process group (stack.sh starts each with
     * setsid), so PostgreSQL's backends die with the postmaster as in a machine crash.
     */
    kill9(name) {
      if (!own.has(name)) throw new Error(`${name} is not a service this run started`);
      const pid = pidOf(dir, name);
      if (!pid) throw new Error(`${name} of the chaos stack is not running`);
      process.kill(-pid, 'SIGKILL');
      return pid;
    },
  };
}

function pidOf(dir, name) {
  const file = join(dir, 'run', `${name}.pid`);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return pid && existsSync(`/proc/${pid}`) ? pid : null;
}

function mapValues(object, f) {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, f(v)]));
}
