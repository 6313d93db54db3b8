#!/usr/bin/env bash
# A real OpenSearch or Elasticsearch on this machine, for the tests and for trying the
# production search profile:
#
#   scripts/search-engine.sh install   ENGINE          fetch and unpack it (idempotent)
#   scripts/search-engine.sh start     ENGINE [NAME]   run it; prints its URL
#   scripts/search-engine.sh stop      ENGINE [NAME]
#   scripts/search-engine.sh stop-all  ENGINE          every instance this checkout started
#   scripts/search-engine.sh available ENGINE          exit 0 when installed
#
# ENGINE is opensearch or elasticsearch: the integration-test distribution from Maven
# Central (a minimal build of the real server), cached in ~/.m2 and unpacked under .infra/.
# It runs on 127.0.0.1 on free ports with a 512 MB heap, one node, security off and disk
# watermarks off. Each instance (NAME, the engine's name unless given) has its own config,
# data, logs and temp dir, new on every start and removed on stop; its URL goes to
# .infra/NAME.url and its pid to .infra/NAME.pid. Starting a healthy instance again only
# prints its URL. The servers refuse to run as root, so as root they run as the system user
# filmflare-search.
# Versions: FILMFLARE_OPENSEARCH_VERSION, FILMFLARE_ELASTICSEARCH_VERSION (keep each client's
# major version, in pyproject.toml, equal to its server's). 9.x Elasticsearch and 3.x
# OpenSearch need Java 21+: a JDK 21+ under /usr/lib/jvm is then used.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/.infra"
RUN_USER=filmflare-search
OPENSEARCH_VERSION="${FILMFLARE_OPENSEARCH_VERSION:-2.19.6}"
ELASTICSEARCH_VERSION="${FILMFLARE_ELASTICSEARCH_VERSION:-8.19.3}"
START_SECONDS="${FILMFLARE_SEARCH_START_SECONDS:-180}"

die() { echo "search-engine: $*" >&2; exit 1; }

usage() {
  die "usage: $0 install|start|stop|stop-all|available opensearch|elasticsearch [NAME]"
}

[[ $# -eq 2 || $# -eq 3 ]] || usage
ACTION="$1" ENGINE="$2" NAME="${3:-$2}"
[[ "$NAME" =~ ^[A-Za-z0-9_.-]+$ ]] || die "an instance name is letters, digits, '.', '_', '-'"
case "$ENGINE" in
  opensearch)
    VERSION="$OPENSEARCH_VERSION" GROUP=org.opensearch.distribution.integ-test-zip
    PREFIX=OPENSEARCH EXTRA=() NEW_JAVA_FROM=3 ;;
  elasticsearch)
    VERSION="$ELASTICSEARCH_VERSION" GROUP=org.elasticsearch.distribution.integ-test-zip
    PREFIX=ES EXTRA=(-Expack.security.enabled=false) NEW_JAVA_FROM=9 ;;
  *) usage ;;
esac
MAJOR="${VERSION%%.*}"
ZIP="$HOME/.m2/repository/${GROUP//.//}/$ENGINE/$VERSION/$ENGINE-$VERSION.zip"
DIST="$INFRA/$ENGINE-$VERSION"  # the unpacked distribution (see run_home)
URL_FILE="$INFRA/$NAME.url"
PID_FILE="$INFRA/$NAME.pid"

apt_updated=0
need() {  # need COMMAND DEBIAN-PACKAGE: install the package when the command is missing
  command -v "$1" >/dev/null 2>&1 && return 0
  [[ $EUID -eq 0 ]] || die "$1 is missing: install the Debian package $2"
  if [[ $apt_updated -eq 0 ]]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

java_home() {  # a JDK for this version: 21+ for the newer majors, else the default java
  if (( MAJOR >= NEW_JAVA_FROM )); then
    local jdk
    for jdk in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*-2[1-9]-* /usr/lib/jvm/*-2[1-9]; do
      [[ -x "$jdk/bin/java" ]] && { echo "$jdk"; return; }
    done
    die "$ENGINE $VERSION needs Java 21 or newer under /usr/lib/jvm"
  fi
  need java openjdk-17-jre-headless
  dirname "$(dirname "$(readlink -f "$(command -v java)")")"
}

as_engine_user() {  # run "$@" as the unprivileged user when root
  if [[ $EUID -eq 0 ]]; then
    id -u "$RUN_USER" >/dev/null 2>&1 \
      || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
    setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups -- "$@"
  else
    "$@"
  fi
}

run_home() {  # as root, a checkout the engine's user cannot enter keeps the engine elsewhere
  mkdir -p "$INFRA"
  [[ -f "$INFRA/.gitignore" ]] || echo '*' >"$INFRA/.gitignore"
  if [[ $EUID -eq 0 ]] && ! as_engine_user test -x "$INFRA"; then
    DIST="/var/tmp/filmflare-search/$ENGINE-$VERSION"
    mkdir -p "$(dirname "$DIST")"
  fi
  HOME_DIR="$DIST/instances/$NAME"  # this instance's config, data and logs
}

unpack() {
  [[ -x "$DIST/bin/$ENGINE" ]] && return 0
  [[ -f "$ZIP" ]] || die "$ENGINE $VERSION is not installed: run $0 install $ENGINE"
  need unzip unzip
  rm -rf "$DIST.partial"
  mkdir "$DIST.partial"
  unzip -q "$ZIP" -d "$DIST.partial"
  mv "$DIST.partial/$ENGINE-$VERSION" "$DIST"
  rmdir "$DIST.partial"
}

install() {
  need curl curl
  java_home >/dev/null
  if [[ ! -f "$ZIP" ]]; then
    need mvn maven
    mvn -B -q dependency:get -Dtransitive=false \
      -Dartifact="$GROUP:$ENGINE:$VERSION:zip" \
      || die "Maven Central did not give $GROUP:$ENGINE:$VERSION:zip"
  fi
  unpack
  echo "$ENGINE $VERSION is installed in $DIST"
}

running_pid() {  # the recorded pid, when that process still runs
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

healthy() {
  [[ -f "$URL_FILE" ]] && curl -sf "$(cat "$URL_FILE")/_cluster/health" >/dev/null
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

prepare_home() {  # a fresh config (paths in it made absolute), data, logs and temp dir
  rm -rf "$HOME_DIR"
  mkdir -p "$HOME_DIR/data" "$HOME_DIR/logs" "$HOME_DIR/tmp"
  cp -r "$DIST/config" "$HOME_DIR/config"
  sed -i -e "s#=logs/#=$HOME_DIR/logs/#g" -e "s#HeapDumpPath=data#HeapDumpPath=$HOME_DIR/data#" \
    "$HOME_DIR/config/jvm.options"
  [[ $EUID -ne 0 ]] || chown -R "$RUN_USER:$RUN_USER" "$HOME_DIR"
}

start() {
  if running_pid >/dev/null; then
    if healthy; then
      cat "$URL_FILE"
      return 0
    fi
    stop  # running but not answering: start afresh
  fi
  need curl curl
  unpack
  local java http transport began log url deadline
  java="$(java_home)"
  rm -f "$URL_FILE" "$PID_FILE"
  prepare_home
  http="$(free_port)" transport="$(free_port)"
  log="$HOME_DIR/logs/startup.log"
  began="$EPOCHREALTIME"
  # The -d launcher puts the server in the background; the server writes its pid file.
  if ! as_engine_user env "${PREFIX}_JAVA_HOME=$java" "${PREFIX}_JAVA_OPTS=-Xms512m -Xmx512m" \
      "${PREFIX}_PATH_CONF=$HOME_DIR/config" "${PREFIX}_TMPDIR=$HOME_DIR/tmp" \
      "$DIST/bin/$ENGINE" -d -p "$HOME_DIR/logs/pid" \
      -Ediscovery.type=single-node -Enetwork.host=127.0.0.1 \
      -Ehttp.port="$http" -Etransport.port="$transport" \
      -Epath.data="$HOME_DIR/data" -Epath.logs="$HOME_DIR/logs" \
      -Ecluster.routing.allocation.disk.threshold_enabled=false \
      "${EXTRA[@]}" </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "$ENGINE did not start"
  fi
  url="http://127.0.0.1:$http" deadline=$((SECONDS + START_SECONDS))
  while ((SECONDS < deadline)); do
    if [[ ! -f "$PID_FILE" && -s "$HOME_DIR/logs/pid" ]]; then
      cp "$HOME_DIR/logs/pid" "$PID_FILE"
    fi
    if [[ -f "$PID_FILE" ]] && ! running_pid >/dev/null; then
      tail -n 30 "$log" "$HOME_DIR/logs/"*.log >&2 2>/dev/null || true
      die "$ENGINE stopped while starting"
    fi
    if [[ -f "$PID_FILE" ]] \
      && curl -sf "$url/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null; then
      echo "$url" >"$URL_FILE"
      echo "$ENGINE $VERSION ($NAME) answers at $url (pid $(cat "$PID_FILE")," \
        "started in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $began }") s)" >&2
      echo "$url"
      return 0
    fi
    sleep 0.5
  done
  stop
  die "$ENGINE did not become healthy within $START_SECONDS s"
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "$ENGINE ($NAME, pid $pid) stopped" >&2
  fi
  rm -f "$PID_FILE" "$URL_FILE"
  rm -rf "$HOME_DIR"
}

stop_all() {  # the instances a killed test run leaves behind; never another checkout's
  local pid_file
  for pid_file in "$INFRA"/*.pid; do
    NAME="$(basename "$pid_file" .pid)"
    [[ -d "$DIST/instances/$NAME" ]] || continue  # another engine's or server's pid
    URL_FILE="$INFRA/$NAME.url" PID_FILE="$pid_file" HOME_DIR="$DIST/instances/$NAME"
    stop
  done
}

available() {
  [[ -x "$DIST/bin/$ENGINE" || -f "$ZIP" ]]
}

run_home
case "$ACTION" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  stop-all) stop_all ;;
  available) available ;;
  *) usage ;;
esac
