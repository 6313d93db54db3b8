"""The query-cost variants on OpenSearch or Elasticsearch, and the engine's CPU time.

FilmFlare's body is the adapter's ``search_body`` for the API target (size, sort and facets
as the API sends them). The references search the same folded text with the same ``size``
and ``_source``, and nothing else (no filters, sort, facets or exact total). Every search
goes to ``<alias>/_search?request_cache=false`` on one kept-alive connection, one at a time;
the time is from sending to the last byte of the answer.

The engine's CPU time is the ``utime + stime`` of its process (``/proc/<pid>/stat``, every
thread, in clock ticks); the check is the engine's own ``process.cpu.total_in_millis``
(``_nodes/_local/stats/process``, which the engine refreshes once a second). Both include
whatever the engine does meanwhile (refreshes, merges, its compiler, its own timers): the
idle rate is measured and reported beside them.
"""

from __future__ import annotations

import http.client
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bench import query_cost
from bench.query_cost import FILMFLARE, MATCH, MULTI_MATCH, Answer, QueryFailed
from bench.query_sets import read, search_text
from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.documents import read_movie
from filmflare.adapters.search_engine.searching import search_body
from filmflare.config import Settings
from filmflare.domain.query_params import parse_search_params

_TICKS = os.sysconf("SC_CLK_TCK")
_HEADERS = {"Content-Type": "application/json"}
TITLE_FIELDS = (f.TITLE, f.ORIGINAL_TITLE)


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` and all its threads so far."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat.rsplit(")", 1)[1].split()  # the name, in parentheses, may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime: fields 14 and 15


def reference_bodies(api_target: str, size: int) -> dict[str, Any]:
    """The plain ``match`` and ``multi_match`` for the text of ``api_target``."""
    param, text = search_text(api_target)
    fields = f.TEXT_FIELDS if param == "q" else TITLE_FIELDS
    common = {"size": size, "_source": [f.MOVIE]}
    multi = {"query": text, "fields": list(fields), "fuzziness": "AUTO"}
    return {
        MATCH: {"query": {"match": {f.TITLE: text}}, **common},
        MULTI_MATCH: {"query": {"multi_match": multi}, **common},
    }


class EngineRunner:
    """``query_cost.Runner`` on an engine at ``url``, its index ``alias``, its process ``pid``."""

    def __init__(self, url: str, alias: str, pid: int) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        self.path = f"/{alias}/_search?request_cache=false"
        self.pid = pid

    def _call(self, method: str, path: str, body: bytes | None = None) -> tuple[float, bytes]:
        began = time.perf_counter()
        self.connection.request(method, path, body, _HEADERS)
        response = self.connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - began
        if response.status != 200:
            raise QueryFailed(f"{response.status}: {data[:400].decode(errors='replace')}")
        return seconds, data

    def prepare(self, api_target: str) -> Mapping[str, bytes]:
        criteria = parse_search_params(parse_qsl(urlsplit(api_target).query))
        bodies = {FILMFLARE: search_body(criteria, None)}
        bodies |= reference_bodies(api_target, criteria.per_page)
        return {v: json.dumps(b, separators=(",", ":")).encode() for v, b in bodies.items()}

    def ask(self, request: bytes, read: bool = False) -> Answer:
        seconds, data = self._call("POST", self.path, request)
        hits = json.loads(data)["hits"]
        found = []
        if read:
            movies = (read_movie(hit) for hit in hits["hits"])
            found = [(movie.title, movie.year) for movie in movies]
        return Answer(seconds, int(hits["total"]["value"]), found)

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)

    def check_seconds(self) -> float | None:
        path = "/_nodes/_local/stats/process?filter_path=nodes.*.process.cpu.total_in_millis"
        _, data = self._call("GET", path)
        nodes = json.loads(data)["nodes"]
        return sum(int(n["process"]["cpu"]["total_in_millis"]) for n in nodes.values()) / 1000


def measure(
    settings: Settings, sets_file: str, rounds: str, warm_up: str, pid: str
) -> dict[str, Any]:
    """``bench.probe query-cost``: the query sets of ``sets_file`` on this profile's engine."""
    sets, cases = read(Path(sets_file))
    runner = EngineRunner(settings.search_url or "", settings.search_index, int(pid))
    try:
        answer = query_cost.measure(runner, sets, cases, int(rounds), float(warm_up))
    finally:
        runner.connection.close()
    return {"engine": settings.search, **answer}
