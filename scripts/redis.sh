#!/usr/bin/env bash
# A throwaway Redis for tests and benchmarks: Debian's redis-server on 127.0.0.1, no persistence.
#
#   scripts/redis.sh install   apt-get the server (and wrk, for the load run); idempotent
#   scripts/redis.sh start     start on a free loopback port; URL in .infra/redis.url, pid in
#                              .infra/redis.pid; returns once the server answers PING
#   scripts/redis.sh stop      stop the server started by `start`
#   scripts/redis.sh bench     a short load run on 127.0.0.1 (wrk): one search and one lookup,
#                              served with the Redis cache and with none (BENCH_SECONDS=10 each)
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=$PWD/.infra
URL_FILE=$STATE/redis.url
PID_FILE=$STATE/redis.pid
LOG_FILE=$STATE/redis.log

install() {
    if command -v redis-server >/dev/null && command -v redis-cli >/dev/null \
        && command -v wrk >/dev/null; then
        return
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends redis-server redis-tools wrk
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    if [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
        echo "redis already running at $(cat "$URL_FILE")"
        return
    fi
    command -v redis-server >/dev/null || { echo "redis-server missing: run $0 install" >&2; exit 1; }
    mkdir -p "$STATE"
    local port
    port=$(free_port)
    # No RDB snapshots, no AOF: a test server keeps nothing on disk.
    redis-server --save "" --appendonly no --bind 127.0.0.1 --port "$port" \
        --daemonize no --logfile "$LOG_FILE" --dir "$STATE" &
    echo $! >"$PID_FILE"
    for _ in $(seq 1 100); do
        if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
            echo "redis://127.0.0.1:$port/0" >"$URL_FILE"
            echo "redis started at $(cat "$URL_FILE") (pid $(cat "$PID_FILE"))"
            return
        fi
        sleep 0.1
    done
    echo "redis did not answer; see $LOG_FILE" >&2
    stop
    exit 1
}

stop() {
    if [[ -f $PID_FILE ]]; then
        local pid
        pid=$(cat "$PID_FILE")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
    fi
    rm -f "$PID_FILE" "$URL_FILE"
}

wait_for() {
    for _ in $(seq 1 300); do
        python3 -c "import urllib.request as u; u.urlopen('$1', timeout=1)" 2>/dev/null && return
        sleep 0.1
    done
    echo "no answer from $1" >&2
    return 1
}

bench() {
    local seconds=${BENCH_SECONDS:-10} data started="" port pid id cache path
    command -v wrk >/dev/null || { echo "wrk missing: run $0 install" >&2; exit 1; }
    [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null || { start; started=1; }
    data=$(mktemp -d)
    export FILMFLARE_DATA_DIR=$data FILMFLARE_LOG_LEVEL=warning FILMFLARE_REDIS_PREFIX="bench-$$:"
    export FILMFLARE_REDIS_URL=$(cat "$URL_FILE") FILMFLARE_JWT_SECRET=bench-only-secret-0123456789abcdef
    .venv/bin/filmflare init >/dev/null
    .venv/bin/filmflare seed >/dev/null
    for cache in redis none; do
        port=$(free_port)
        FILMFLARE_CACHE=$cache .venv/bin/filmflare serve --port "$port" &
        pid=$!
        wait_for "http://127.0.0.1:$port/healthz"
        id=$(python3 -c "import json, urllib.request as u; print(json.load(u.urlopen(
            'http://127.0.0.1:$port/movies?per_page=1'))['results'][0]['id'])")
        for path in "/movies?q=star%20wars&genre=action&facets=genres" "/movies/$id"; do
            echo "== FILMFLARE_CACHE=$cache GET $path (wrk -t1 -c8 -d${seconds}s)"
            wrk -t1 -c8 -d"${seconds}s" --latency "http://127.0.0.1:$port$path" \
                | grep -E "^ +(Latency|50%|90%|99%)|Requests/sec|Non-2xx"
        done
        kill "$pid"
        wait "$pid" || true
    done
    rm -rf "$data"
    [[ -z $started ]] || stop
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    bench) bench ;;
    *) echo "usage: $0 install|start|stop|bench" >&2; exit 2 ;;
esac
