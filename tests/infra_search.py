"""A real OpenSearch or Elasticsearch for the tests, one per engine and test session.

The URL comes from ``FILMFLARE_TEST_OPENSEARCH_URL`` / ``FILMFLARE_TEST_ELASTICSEARCH_URL``,
else from the server ``scripts/search-engine.sh start`` left running (``.infra/<engine>.url``),
else the fixture starts an instance of its own with that script when the distribution is
installed (and stops it at the end), else the tests skip (a failure under
``FILMFLARE_REQUIRE_INFRA=1``).

Each test gets its own alias (and so its own index generations), made by the adapter's
``ensure`` as ``filmflare init`` does, and deleted afterwards.

``EngineInstance`` (fixture ``own_opensearch``) is an instance of one test's own, which it
may stop for real and start again on the same ports with its data kept.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from filmflare.adapters.search_engine.client import EngineClient
from filmflare.adapters.search_engine.elasticsearch import ElasticsearchClient
from filmflare.adapters.search_engine.generations import numbered, pattern
from filmflare.adapters.search_engine.index import EngineSearchIndex
from filmflare.adapters.search_engine.opensearch import OpenSearchClient
from tests.conftest import skip_without

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "search-engine.sh"
START_TIMEOUT = 240  # seconds; a start takes about 10
# Each test module importing a session fixture gets its own copy of it: the first that starts
# an engine leaves its URL here for the others, and stops it last (teardown is LIFO).
_STARTED: dict[str, str] = {}
CLIENTS: dict[str, Callable[[str], EngineClient]] = {
    "opensearch": OpenSearchClient,
    "elasticsearch": ElasticsearchClient,
}


def _is_engine(url: str, engine: str) -> bool:
    """Does ``url`` answer as ``engine``? (Elasticsearch names itself in a header.)"""
    health = url.rstrip("/") + "/_cluster/health"
    try:
        with urllib.request.urlopen(health, timeout=3) as answer:  # noqa: S310 - a test URL
            product = str(answer.headers.get("X-Elastic-Product"))
    except OSError:
        return False
    return (product == "Elasticsearch") == (engine == "elasticsearch")


def _script(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def engine_url(engine: str) -> Iterator[str]:
    """The body of a session fixture: the URL of a running ``engine``."""
    given = os.environ.get(f"FILMFLARE_TEST_{engine.upper()}_URL")
    if given:
        yield given
        return
    url_file = ROOT / ".infra" / f"{engine}.url"
    if url_file.exists() and _is_engine(url := url_file.read_text().strip(), engine):
        yield url
        return
    if engine in _STARTED:  # another module's session fixture started one: share it
        yield _STARTED[engine]
        return
    if _script("available", engine).returncode != 0:
        skip_without(engine, f"not installed: run `bash scripts/search-engine.sh install {engine}`")
    own = f"{engine}-pytest-{os.getpid()}"  # an instance no other test session can stop
    started = _script("start", engine, own)
    if started.returncode != 0:
        skip_without(engine, f"scripts/search-engine.sh start failed: {started.stderr[-2000:]}")
    _STARTED[engine] = started.stdout.strip().splitlines()[-1]
    try:
        yield _STARTED[engine]
    finally:
        del _STARTED[engine]
        _script("stop", engine, own)


def unique_alias() -> str:
    return f"filmflare-test-{uuid.uuid4().hex[:12]}"


async def drop(client: EngineClient, alias: str) -> None:
    """Delete every generation of ``alias`` (names only: wildcard deletes may be refused)."""
    for name in numbered(alias, await client.index_names(pattern(alias))).values():
        await client.delete_index(name)


async def ensured_index(
    engine: str, url: str, make: Callable[[str, str], EngineSearchIndex]
) -> AsyncIterator[EngineSearchIndex]:
    """The body of an ``index`` fixture: a started, ensured, empty index under a new alias."""
    alias = unique_alias()
    index = make(url, alias)
    await index.start()
    try:
        await index.ensure()
        yield index
    finally:
        await index.close()
        await drop_alias(engine, url, alias)


async def drop_alias(engine: str, url: str, alias: str) -> None:
    """Delete what a test made under ``alias`` on a shared engine."""
    cleaner = CLIENTS[engine](url)
    await cleaner.start()
    try:
        await drop(cleaner, alias)
    finally:
        await cleaner.close()


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    yield from engine_url("opensearch")


@pytest.fixture(scope="session")
def elasticsearch_url() -> Iterator[str]:
    yield from engine_url("elasticsearch")


@pytest.fixture
def own_opensearch() -> Iterator[EngineInstance]:
    """An OpenSearch only this test uses, so that it may stop and restart it."""
    yield from own_engine("opensearch")


def own_engine(engine: str) -> Iterator[EngineInstance]:
    """The body of a fixture: a started ``EngineInstance``, removed at the end."""
    if _script("available", engine).returncode != 0:
        skip_without(engine, f"not installed: run `bash scripts/search-engine.sh install {engine}`")
    instance = EngineInstance(engine)
    try:
        instance.start()
    except RuntimeError as error:
        skip_without(engine, f"scripts/search-engine.sh start failed: {error}")
    try:
        yield instance
    finally:
        instance.remove()


class EngineInstance:
    """An engine instance of one test's own, under a name nobody else uses.

    ``stop`` is a real stop (SIGTERM, what an orchestrator sends) that keeps the data
    directory; ``restart`` runs the very command the script started, so the server comes
    back on the same ports with the same data, as a pod restarted on its volume does (the
    script's ``start`` would begin afresh, on new ports). ``remove`` stops it for good and
    deletes its state.
    """

    def __init__(self, engine: str) -> None:
        self.engine = engine
        self.name = f"{engine}-own-{uuid.uuid4().hex[:10]}"
        self.url = ""
        self._pid_file = ROOT / ".infra" / f"{self.name}.pid"  # where the script looks
        self._command: _Command | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        started = _script("start", self.engine, self.name)
        if started.returncode != 0:
            raise RuntimeError(started.stderr[-2000:])
        self.url = started.stdout.strip().splitlines()[-1]
        self._command = _Command.of(int(self._pid_file.read_text()))

    def stop(self) -> None:
        pid = int(self._pid_file.read_text())
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while _alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        if self._process is not None:
            self._process.wait(timeout=10)

    def restart(self) -> None:
        command = self._command
        assert command is not None, "restart follows start"
        as_root = os.geteuid() == 0
        self._process = subprocess.Popen(
            command.argv,
            env=command.env,
            cwd=command.cwd,
            user=command.uid if as_root else None,
            group=command.gid if as_root else None,
            extra_groups=[] if as_root else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._pid_file.write_text(f"{self._process.pid}\n")  # so the script's stop finds it
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(self.url):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.engine} did not come back at {self.url}")
            time.sleep(0.2)

    def remove(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # Ours to reap: the script would wait on the zombie it leaves until its deadline.
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        _script("stop", self.engine, self.name)  # whatever else runs, and the state on disk


@dataclass(frozen=True)
class _Command:
    """How a running process was started, read back from /proc."""

    argv: list[str]
    env: dict[str, str]
    cwd: str
    uid: int
    gid: int

    @classmethod
    def of(cls, pid: int) -> _Command:
        proc = Path(f"/proc/{pid}")
        argv = proc.joinpath("cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        pairs = proc.joinpath("environ").read_bytes().rstrip(b"\0").split(b"\0")
        env = dict(pair.decode().partition("=")[::2] for pair in pairs if b"=" in pair)
        owner = proc.stat()  # /proc/PID belongs to the process's user
        cwd = os.readlink(proc / "cwd")
        return cls([a.decode() for a in argv], env, cwd, owner.st_uid, owner.st_gid)


def _alive(pid: int) -> bool:
    """Running, and not a zombie (a killed server whose parent was not there to reap it)."""
    try:
        os.kill(pid, 0)
        status = Path(f"/proc/{pid}/status").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return "\nState:\tZ" not in status


def _ready(url: str) -> bool:
    health = f"{url}/_cluster/health?wait_for_status=yellow&timeout=1s"
    try:
        with urllib.request.urlopen(health, timeout=5):  # noqa: S310 - a test URL
            return True
    except OSError:
        return False
