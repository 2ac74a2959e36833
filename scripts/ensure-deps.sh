#!/usr/bin/env bash
# Installs what the project needs beyond the machine's toolchains, when it is missing:
# the npm packages (npm ci, when node_modules is absent or older than the lock file)
# and Debian's Chromium for the browser test. Run by `npm test` and `npm run dev`
# before anything else, so both work on a fresh clone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[deps] installing npm packages (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi

if [ "${1:-}" = "--with-browser" ] && [ ! -x /usr/bin/chromium ]; then
  echo "[deps] installing Debian's chromium for the browser test…" >&2
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
fi
