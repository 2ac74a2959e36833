// Run by the Containerfile on its base image, as root, with the base's own Node (no shell
// needed: the Debian base has none). Makes any Node 20 base fit the image:
//   - Node 20, or the build stops (package.json's engines, and the version CI tests);
//   - tini at /usr/bin/tini (the entrypoint's init): the Debian base made by
//     deploy/image/build.sh has it; node:20-bookworm-slim gets it from Debian's apt;
//   - the x7 user and group, uid/gid 10001, which the image runs as (the chart's
//     runAsUser): appended to /etc/passwd and /etc/group where missing.
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

function fail(message) {
  console.error(`ensure-base: ${message}`);
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
}

const major = Number(process.versions.node.split('.')[0]);
if (major !== 20) fail(`the base image has Node ${process.versions.node}; x7-stream's image is built on Node 20`);

if (!existsSync('/usr/bin/tini')) {
  if (!existsSync('/usr/bin/apt-get')) fail('the base image has neither /usr/bin/tini nor apt-get to install it');
  run('/usr/bin/apt-get', ['update']);
  run('/usr/bin/apt-get', ['install', '-y', '--no-install-recommends', 'tini']);
  for (const entry of readdirSync('/var/lib/apt/lists')) rmSync(join('/var/lib/apt/lists', entry), { recursive: true, force: true });
  if (!existsSync('/usr/bin/tini')) fail('apt-get installed tini, but not at /usr/bin/tini');
}

const hasId = (file, id) => readFileSync(file, 'utf8').split('\n').some((line) => line.split(':')[2] === String(id));
if (!hasId('/etc/group', 10001)) appendFileSync('/etc/group', 'x7:x:10001:\n');
if (!hasId('/etc/passwd', 10001)) appendFileSync('/etc/passwd', 'x7:x:10001:10001:x7:/app:/usr/sbin/nologin\n');
console.log(`ensure-base: Node ${process.versions.node}, tini, user 10001: ready`);
