#!/usr/bin/env bash
# `make bench`: FilmFlare beside its reference points, on the embedded and production profiles,
# with the results in bench/results/ (see bench/run.py for the options, passed on as given):
#
#   bash scripts/bench.sh                      every profile and size (demo, 100k, 1m)
#   bash scripts/bench.sh --quick              demo catalog only, 3 s runs: a smoke test
#   bash scripts/bench.sh --profile embedded --sizes demo,100k --seconds 10
#   bash scripts/bench.sh --scenario query-cost --sizes demo   the engines' query cost alone
#
# Installs what it needs first: wrk and redis-server (Debian), OpenSearch (Maven Central,
# through scripts/search-engine.sh) and moto (the venv); the query-cost scenario installs
# Elasticsearch the same way when it starts it. The servers it starts are stopped on the way
# out, however the run ends.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python

production=1
for arg in "$@"; do
  [[ "$arg" == "embedded" || "$arg" == "--profile=embedded" ]] && production=0
done

bash scripts/redis.sh install  # redis-server, redis-cli and wrk
if [[ $production -eq 1 ]]; then
  bash scripts/search-engine.sh install opensearch >/dev/null
  bash scripts/moto.sh install
fi
command -v taskset >/dev/null || echo "bench: taskset is missing: runs will not be pinned" >&2

stop_servers() {  # a backstop: bench.run stops its servers itself unless it is killed
  bash scripts/search-engine.sh stop opensearch bench-opensearch 2>/dev/null || true
  bash scripts/search-engine.sh stop elasticsearch bench-elasticsearch 2>/dev/null || true
  INFRA_DIR=.infra/bench-moto bash scripts/moto.sh stop 2>/dev/null || true
  if [[ -f .infra/bench-moto/redis-started ]]; then
    bash scripts/redis.sh stop || true
    rm -f .infra/bench-moto/redis-started
  fi
}
trap stop_servers EXIT

"$PYTHON" -m bench.run "$@"
