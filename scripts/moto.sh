#!/usr/bin/env bash
# A local DynamoDB-wire server for the tests: moto in server mode, on 127.0.0.1, a free port.
#
#   scripts/moto.sh install   moto[server] comes with the dev dependencies: `make install`
#   scripts/moto.sh start     start it (if not running); URL in $INFRA_DIR/moto.url, pid in moto.pid
#   scripts/moto.sh stop      stop it
#   scripts/moto.sh url       print the URL of the running server
#
# Why not plain `moto_server`: it serves requests on parallel threads with no lock around
# DynamoDB's state, so two concurrent conditional writes can both pass their condition and a
# cancelled transaction's rollback can undo a write committed meanwhile. DynamoDB makes each
# request atomic; to emulate that, the same moto app is served here with one lock around
# each request (connections are still accepted concurrently). The concurrency tests need it.
#
# INFRA_DIR (default .infra) holds the state; MOTO_PYTHON the interpreter (default the venv's).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
INFRA_DIR="${INFRA_DIR:-$ROOT/.infra}"
PYTHON="${MOTO_PYTHON:-$ROOT/.venv/bin/python}"
URL_FILE="$INFRA_DIR/moto.url"
PID_FILE="$INFRA_DIR/moto.pid"
LOG_FILE="$INFRA_DIR/moto.log"

read -r -d '' SERVER <<'PY' || true
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()


def serialized(environ, start_response):
    with lock:  # one request at a time, response body included, as DynamoDB is atomic
        return list(app(environ, start_response))


run_simple(sys.argv[1], int(sys.argv[2]), serialized, threaded=True,
           request_handler=MotoRequestHandler)
PY

answers() {  # does an HTTP server answer at $1?
  "$PYTHON" - "$1" <<'PY'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
except urllib.error.HTTPError:
    pass
except OSError:
    sys.exit(1)
PY
}

alive() {  # a zombie (killed, not yet reaped by init) counts as gone
  kill -0 "$1" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"
}

running() {
  [[ -f "$PID_FILE" && -f "$URL_FILE" ]] && alive "$(cat "$PID_FILE")" \
    && answers "$(cat "$URL_FILE")"
}

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "${1:-}" in
  install)
    if ! "$PYTHON" -c 'import moto.server, werkzeug' 2>/dev/null; then
      make -C "$ROOT" install
    fi
    ;;
  start)
    if running; then
      echo "moto is running at $(cat "$URL_FILE")"
      exit 0
    fi
    mkdir -p "$INFRA_DIR"
    "$PYTHON" -c 'import moto.server' 2>/dev/null \
      || { echo "moto[server] is not installed: run scripts/moto.sh install" >&2; exit 1; }
    port="$(free_port)"
    url="http://127.0.0.1:$port"
    nohup "$PYTHON" -c "$SERVER" 127.0.0.1 "$port" >"$LOG_FILE" 2>&1 &
    echo $! >"$PID_FILE"
    for _ in $(seq 1 100); do
      if answers "$url"; then
        echo "$url" >"$URL_FILE"
        echo "moto is running at $url"
        exit 0
      fi
      alive "$(cat "$PID_FILE")" || break
      sleep 0.1
    done
    echo "moto did not start; its log:" >&2
    cat "$LOG_FILE" >&2
    kill "$(cat "$PID_FILE")" 2>/dev/null || true
    rm -f "$PID_FILE"
    exit 1
    ;;
  stop)
    if [[ -f "$PID_FILE" ]]; then
      pid="$(cat "$PID_FILE")"
      if kill "$pid" 2>/dev/null; then
        for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
        if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
      fi
    fi
    rm -f "$PID_FILE" "$URL_FILE"
    ;;
  url)
    running && cat "$URL_FILE"
    ;;
  *)
    echo "usage: $0 install|start|stop|url" >&2
    exit 2
    ;;
esac
