// Brings the local stack up before any test runs (the same script as
// `npm run stack:up`; harmless when it is already up), unless only unit tests were
// asked for or X7_SKIP_STACK=1 says the services are provided some other way.
import { spawnSync } from 'node:child_process';
import { projectPath } from '../../src/paths.js';

export default function setup(): void {
  const paths = process.argv.slice(2).filter((a) => a.startsWith('test/'));
  const onlyUnit = paths.length > 0 && paths.every((a) => a.startsWith('test/unit'));
  if (onlyUnit || process.env.X7_SKIP_STACK === '1') return;
  const result = spawnSync('bash', [projectPath('scripts/stack.sh'), 'up'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the local stack did not come up (scripts/stack.sh up exited ${result.status})`);
}
