"""HTTP caching of the search-like reads through ``filmflare serve`` and its real HTTP server.

Two workers on the embedded profile, each with its own memory cache: both give a search the
same weak ``ETag`` (a digest of the answer's bytes, whichever process made it), answer its
``If-None-Match`` with a bodiless 304 on the wire, say the configured ``Cache-Control``, and
stop matching the old tag within the contract's second after a write through either of them.
Loopback only, bounded in count and time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http.conftest import MOVIE, SECRET, bearer
from tests.system.api_process import ApiProcess
from tests.system.workers import WorkerConnection, close_all, connect_to_every_worker

pytestmark = pytest.mark.slow
SEARCH = "/movies?genre=western&sort=title"
SEARCH_VISIBLE_SECONDS = 1.0


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[WorkerConnection]]:
    settings = {
        "FILMFLARE_DATA_DIR": str(tmp_path / "data"),
        "FILMFLARE_JWT_SECRET": SECRET,
        "FILMFLARE_LOG_LEVEL": "warning",
        "FILMFLARE_HTTP_MAX_AGE": "7",
    }
    api = ApiProcess(tmp_path, settings, workers=2)
    api.start()
    held: list[WorkerConnection] = []
    try:
        held = connect_to_every_worker(api)
        yield held
    finally:
        close_all(held)
        api.stop()


def get(worker: WorkerConnection, held_tag: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-cased names) and the body bytes as sent on the wire."""
    headers = {} if held_tag is None else {"If-None-Match": held_tag}
    worker.connection.request("GET", SEARCH, headers=headers)
    response = worker.connection.getresponse()
    body = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_every_worker_tags_an_answer_alike_and_retires_the_tag_after_a_write(
    workers: list[WorkerConnection],
) -> None:
    writer = workers[0]
    status, movie = writer.request(
        "POST", "/movies", MOVIE | {"title": "Rio Bravo", "genres": ["Western"]}, bearer()
    )
    assert status == 201, movie
    deadline = time.monotonic() + SEARCH_VISIBLE_SECONDS
    while get(writer)[2].count(b"Rio Bravo") == 0:
        assert time.monotonic() < deadline, "the new movie was not found within the second"
        time.sleep(0.02)

    answers = [get(worker) for worker in workers]
    tags = {headers["etag"] for _, headers, _ in answers}
    assert [status for status, _, _ in answers] == [200] * len(workers)
    assert len(tags) == 1, f"the workers disagree on the tag: {tags}"
    tag = tags.pop()
    assert tag.startswith('W/"')
    assert {headers["cache-control"] for _, headers, _ in answers} == {"public, max-age=7"}
    for worker in workers:
        status, headers, body = get(worker, tag)
        assert (status, body) == (304, b"")
        assert (headers["etag"], headers["cache-control"]) == (tag, "public, max-age=7")
        assert "content-length" not in headers or headers["content-length"] == "0"

    status, patched = workers[-1].request(
        "PATCH", f"/movies/{movie['id']}", {"title": "Rio Lobo"}, bearer()
    )
    assert status == 200, patched
    deadline = time.monotonic() + SEARCH_VISIBLE_SECONDS
    for worker in workers:
        while (seen := get(worker, tag))[0] == 304:
            assert time.monotonic() < deadline, f"worker {worker.pid} still matched the old tag"
            time.sleep(0.02)
        status, headers, body = seen
        assert status == 200
        assert b"Rio Lobo" in body
        assert headers["etag"] != tag
