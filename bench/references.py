"""The reference points measured beside the service, in the same run, the same way.

- The ceiling: ``bare_app`` answering the same targets with the bytes and headers the API
  gave for them (recorded from the API itself, cache hits), on the same server, options and
  core, driven by the same wrk script.
- The engine's own query time: for OpenSearch, the adapter's request bodies for the same
  searches POSTed straight to the engine by wrk (same script shape, same concurrency); for
  the embedded engine, the adapter's query run in-process one at a time (``embedded_refs``).
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import bare_app
from bench.load import Load, from_json, wrk
from bench.profiles import Profile
from bench.servers import Server, bare_server


def record_answers(api_url: str, targets: list[str], path: Path) -> Path:
    """What the API answers for ``targets`` (asking fills its cache), for the bare app."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(bare_app.record(api_url, targets)), encoding="utf-8")
    return path


def ceiling(answers: Path, workdir: Path) -> Server:
    return bare_server(answers, workdir)


def engine_query(
    profile: Profile,
    targets: Path,
    bodies: Path,
    start: int,
    connections: int,
    seconds: float,
) -> Load:
    """The engine's own time for the searches of ``targets`` from line ``start`` on."""
    if profile.engine_url:
        url = f"{profile.engine_url.rstrip('/')}/{profile.alias}/_search"
        return wrk(url, "bodies", [str(bodies), str(start)], connections, seconds)
    answer = profile.probe("engine-query", str(targets), str(start), str(seconds))
    return from_json(answer)
