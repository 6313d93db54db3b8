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
# And why transactions are wrapped: moto saves a deep copy of a whole table for every item of
# a TransactWriteItems, to roll back a cancelled one, so each transaction costs time in
# proportion to the table (importing 800 movies took 85 s). Here a transaction saves only the
# items it names, and puts those back when it fails: the same outcome, since a transaction
# changes nothing else and, under the lock, nothing else runs meanwhile. A table with a
# stream (which a rollback would also have to rewind) keeps moto's own full copy.
#
# And why reads are answered with plain JSON: moto 5.2 writes every answer by walking the
# operation's model, which takes seconds for a page of items (a 500-change feed read took
# 6 s, past the store's 2 s read timeout). GetItem, BatchGetItem, Query and Scan answers are
# items, which DynamoDB's JSON protocol sends as they are: they go out through json.dumps
# (binary values as base64, absent members left out, as the model's writer does), and any
# other answer, or one json.dumps cannot write, goes through moto's own writer.
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
import base64
import copy
import json
import sys
import threading
import uuid

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

from moto.dynamodb import models
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()
full_transaction = models.DynamoDBBackend.transact_write_items


class TablesKept:
    """moto's ``copy`` while a transaction runs: its tables are not copied whole."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, *args):
        return value if isinstance(value, Table) else copy.deepcopy(value, *args)


def named_items(backend, transact_items):
    """(table, hash key, range key) of every item the transaction names; None if unsure."""
    found = []
    for entry in transact_items:
        if len(entry) != 1:
            return None
        operation = next(iter(entry.values()))
        table = backend.tables.get(operation.get("TableName"))
        if table is None or table.stream_shard is not None:
            return None  # moto's own way: it reports a missing table, rewinds a stream
        key = operation.get("Item") or operation.get("Key") or {}
        if table.hash_key_attr not in key:
            return None
        range_key = None
        if table.range_key_attr is not None:
            if table.range_key_attr not in key:
                return None
            range_key = DynamoType(key[table.range_key_attr])
        found.append((table, DynamoType(key[table.hash_key_attr]), range_key))
    return found


def held(table, hash_key, range_key):
    if range_key is None:
        item = table.items.get(hash_key)
    else:
        item = table.items.get(hash_key, {}).get(range_key)
    return copy.deepcopy(item)  # an update changes an item in place


def put_back(table, hash_key, range_key, item):
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
    elif item is None:
        table.items.get(hash_key, {}).pop(range_key, None)
    else:
        table.items[hash_key][range_key] = item


def item_transaction(backend, transact_items):
    named = named_items(backend, transact_items)
    if named is None:
        return full_transaction(backend, transact_items)
    saved = [(table, h, r, held(table, h, r)) for table, h, r in named]
    models.copy = TablesKept()
    try:
        return full_transaction(backend, transact_items)
    except BaseException:
        for table, h, r, item in reversed(saved):
            put_back(table, h, r, item)
        raise
    finally:
        models.copy = copy


models.DynamoDBBackend.transact_write_items = item_transaction

ITEM_READS = {"GetItem", "BatchGetItem", "Query", "Scan"}
model_serialized = DynamoHandler.serialized


def present(value):
    """``value`` without the None members the model's writer leaves out."""
    if isinstance(value, dict):
        return {k: present(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [present(v) for v in value]
    return value


def binary(value):
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def plain_serialized(handler, action_result):
    result = action_result.result
    if handler._get_action() in ITEM_READS and isinstance(result, dict):
        try:
            body = json.dumps(present(result), default=binary)
        except (TypeError, ValueError):
            return model_serialized(handler, action_result)
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-requestid": str(uuid.uuid4())}
        headers.update(handler.response_headers)
        return 200, headers, body
    return model_serialized(handler, action_result)


DynamoHandler.serialized = plain_serialized


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
