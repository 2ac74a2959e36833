// Run by the Containerfile on the production node_modules: removes what the image's platform
// can never load. @temporalio/core-bridge ships its native library for five platforms (about
// 27 MB each); only the one matching this Node's platform and architecture is kept, the
// directory name being the Rust target @temporalio/core-bridge looks up at run time
// (common.js, getPrebuiltPath). Its sdk-core/ folder, the Rust source of that library (11 MB),
// only serves building it from source, so it goes too.
// A file, not an inline script: the Debian base has no shell.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const nodeModules = process.argv[2];
if (!nodeModules || !existsSync(nodeModules)) {
  console.error(`usage: node prune-node-modules.mjs NODE_MODULES (got ${nodeModules})`);
  process.exit(2);
}

const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch];
const keep = process.platform === 'linux' && arch ? `${arch}-unknown-linux-gnu` : undefined;
const releases = join(nodeModules, '@temporalio', 'core-bridge', 'releases');
if (!keep) {
  console.error(`prune-node-modules: no Temporal core bridge for ${process.platform}/${process.arch}`);
  process.exit(1);
}
if (!existsSync(join(releases, keep))) {
  console.error(`prune-node-modules: ${join(releases, keep)} is missing: the worker could not load Temporal's core`);
  process.exit(1);
}
rmSync(join(nodeModules, '@temporalio', 'core-bridge', 'sdk-core'), { recursive: true, force: true });
for (const dir of readdirSync(releases)) {
  if (dir !== keep) {
    rmSync(join(releases, dir), { recursive: true, force: true });
    console.log(`removed ${join(releases, dir)}`);
  }
}
