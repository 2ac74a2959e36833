// Brings the local stack up before any test runs, unless only unit tests were asked
// for or X7_SKIP_STACK=1 says the services are provided some other way.
import { spawnSync } from 'node:child_process';
import { projectPath } from '../../src/paths.js';

export default function setup({ config }: { config: { include?: string[] } }): void {
  const onlyUnit = process.argv.slice(2).some((a) => a.includes('test/unit')) &&
    !process.argv.slice(2).some((a) => a.includes('integration') || a.includes('e2e'));
  if (onlyUnit || process.env.X7_SKIP_STACK === '1') return;
  void config;
  const result = spawnSync('bash', [projectPath('scripts/stack.sh'), 'up'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the local stack did not come up (scripts/stack.sh up exited ${result.status})`);
}
