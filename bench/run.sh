#!/usr/bin/env bash
# Entry point of `npm run bench`: raises the open-file limit (10,000 WebSocket
# connections need 10,000 descriptors in the bench and as many in the bridge, which
# inherits the limit) and runs the bench with this script's arguments
# (`npm run bench -- --quick` ends as `bash bench/run.sh --quick`). See bench/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hard="$(ulimit -Hn)"
want=65536
if [ "$hard" != "unlimited" ] && [ "$hard" -lt "$want" ]; then want="$hard"; fi
ulimit -n "$want" 2>/dev/null || echo "[bench] could not raise the open-file limit above $(ulimit -n)" >&2
exec node bench/run.js "$@"
