#!/usr/bin/env bash
# A throwaway Redis for tests and benchmarks: Debian's redis-server on 127.0.0.1, no persistence.
#
#   scripts/redis.sh install   apt-get the server (and wrk, for the load run); idempotent
#   scripts/redis.sh start     start on a free loopback port; URL in .infra/redis.url, pid in
#                              .infra/redis.pid; returns once the server answers PING
#   scripts/redis.sh stop      stop the server started by `start`
#   scripts/redis.sh cluster-start
#                              a Redis Cluster of 3 masters on free loopback ports; the URL of
#                              one node in .infra/redis-cluster.url, `port pid` lines in
#                              .infra/redis-cluster.pids; returns once every node says
#                              cluster_state:ok; a running healthy cluster is reused
#   scripts/redis.sh cluster-stop
#                              stop the cluster and remove its state
#   scripts/redis.sh bench     a short load run on 127.0.0.1 (wrk): one search and one lookup,
#                              served with the Redis cache and with none (BENCH_SECONDS=10 each)
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=$PWD/.infra
URL_FILE=$STATE/redis.url
PID_FILE=$STATE/redis.pid
LOG_FILE=$STATE/redis.log
CLUSTER_DIR=$STATE/redis-cluster  # a directory (node file, log) per node, named by its port
CLUSTER_URL_FILE=$STATE/redis-cluster.url
CLUSTER_PIDS_FILE=$STATE/redis-cluster.pids
CLUSTER_NODES=3

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

# N distinct free ports: every socket is held until all are bound, so none is handed out twice.
free_ports() {
    python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "$1"
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

# Every node alive and saying cluster_state:ok (all 16384 slots served).
cluster_healthy() {
    local port pid
    [[ -f $CLUSTER_PIDS_FILE ]] || return 1
    while read -r port pid; do
        kill -0 "$pid" 2>/dev/null || return 1
        redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null \
            | grep -q '^cluster_state:ok' || return 1
    done <"$CLUSTER_PIDS_FILE"
}

cluster_start() {
    if [[ -f $CLUSTER_URL_FILE ]] && cluster_healthy; then
        echo "redis cluster already running at $(cat "$CLUSTER_URL_FILE")"
        return
    fi
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null \
        || { echo "redis-server or redis-cli missing: run $0 install" >&2; exit 1; }
    # What is left is half dead or from a killed run: its node files would bring the old
    # cluster's configuration back, so start from nothing.
    cluster_stop
    mkdir -p "$CLUSTER_DIR"
    local began=$SECONDS ports port bus i addresses=()
    read -r -a ports <<<"$(free_ports $((2 * CLUSTER_NODES)))"
    for ((i = 0; i < CLUSTER_NODES; i++)); do
        port=${ports[i]} bus=${ports[i + CLUSTER_NODES]}
        mkdir -p "$CLUSTER_DIR/$port"
        # The bus port is named, not left at port + 10000: that is past 65535 for a free port
        # above 55535. No RDB, no AOF; the node file (cluster-config-file) is the only file kept.
        # The log goes to a file, not to our stdout: a caller reading this script's output
        # through a pipe would otherwise wait for the servers to exit.
        redis-server --cluster-enabled yes --cluster-port "$bus" \
            --cluster-config-file nodes.conf --dir "$CLUSTER_DIR/$port" \
            --save "" --appendonly no --bind 127.0.0.1 --port "$port" --daemonize no \
            </dev/null >"$CLUSTER_DIR/$port/redis.log" 2>&1 &
        # Written as each node starts, so that cluster_stop also stops a start that failed.
        echo "$port $!" >>"$CLUSTER_PIDS_FILE"
        addresses+=("127.0.0.1:$port")
    done
    for port in "${ports[@]:0:CLUSTER_NODES}"; do
        for _ in $(seq 1 100); do
            redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break
            sleep 0.1
        done
    done
    # Every node a master (no replicas), the 16384 slots split evenly between them.
    if ! redis-cli --cluster create "${addresses[@]}" --cluster-replicas 0 --cluster-yes \
        >"$CLUSTER_DIR/create.log" 2>&1; then
        cat "$CLUSTER_DIR/create.log" >&2
        echo "redis-cli --cluster create failed; see $CLUSTER_DIR/*/redis.log" >&2
        cluster_stop
        exit 1
    fi
    for _ in $(seq 1 200); do
        if cluster_healthy; then
            # Written last: the tests' fixture takes a cluster named here as ready.
            echo "redis://127.0.0.1:${ports[0]}/0" >"$CLUSTER_URL_FILE"
            echo "redis cluster of $CLUSTER_NODES masters started at $(cat "$CLUSTER_URL_FILE")" \
                "in $((SECONDS - began))s (pids $(cut -d' ' -f2 "$CLUSTER_PIDS_FILE" | xargs))"
            return
        fi
        sleep 0.05
    done
    echo "redis cluster not ok after 10s; see $CLUSTER_DIR/*/redis.log" >&2
    cluster_stop
    exit 1
}

cluster_stop() {
    local port pid
    if [[ -f $CLUSTER_PIDS_FILE ]]; then
        # Only a redis-server: a pid file that outlived its processes may name someone else's.
        while read -r port pid; do
            if [[ $(ps -o comm= -p "$pid" 2>/dev/null) == redis-server ]]; then kill "$pid"; fi
        done <"$CLUSTER_PIDS_FILE"
        while read -r port pid; do
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        done <"$CLUSTER_PIDS_FILE"
    fi
    rm -rf "$CLUSTER_DIR" "$CLUSTER_PIDS_FILE" "$CLUSTER_URL_FILE"
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
    cluster-start) cluster_start ;;
    cluster-stop) cluster_stop ;;
    *) echo "usage: $0 install|start|stop|bench|cluster-start|cluster-stop" >&2; exit 2 ;;
esac
