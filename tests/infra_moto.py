"""The DynamoDB-wire server (moto) for infra tests, and a fresh table per test.

``moto_url`` (session): ``FILMFLARE_TEST_MOTO_URL`` if set; else the server
``scripts/moto.sh start`` left in ``.infra/moto.url``, if it answers; else one started here
with that script for this session and stopped at the end; else a skip (a failure under
``FILMFLARE_REQUIRE_INFRA=1``). Tables are made by the adapter's own ``ensure`` (the code of
``filmflare init``), under a name unique to the test, and deleted after it.

``MotoServer`` (fixture ``own_moto``) is a server of one test's own, which it may pause.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from aiobotocore.session import get_session
from botocore.exceptions import ClientError
from pydantic import SecretStr

from filmflare.config import Settings
from tests.conftest import skip_without

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "moto.sh"
SHARED_URL = ROOT / ".infra" / "moto.url"
SECRET = "dynamodb-tests-secret-that-is-long-enough-for-hs256"
# Each test module importing ``moto_url`` gets its own session fixture: the first one that
# starts a server leaves its URL here for the others, and stops it last (teardown is LIFO).
_STARTED: list[str] = []


def _answers(url: str) -> bool:
    try:
        httpx.get(f"{url}/moto-api/", timeout=1)
    except httpx.HTTPError:
        return False
    return True


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("FILMFLARE_TEST_MOTO_URL")
    if configured:
        yield configured.rstrip("/")
        return
    if SHARED_URL.exists() and _answers(shared := SHARED_URL.read_text().strip()):
        yield shared
        return
    if _STARTED:
        yield _STARTED[0]
        return
    if importlib.util.find_spec("moto") is None:
        skip_without("moto", "moto[server] is not installed (scripts/moto.sh install)")
    state = tmp_path_factory.mktemp("moto")
    env = os.environ | {"INFRA_DIR": str(state), "MOTO_PYTHON": sys.executable}
    started = subprocess.run(
        [str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    if started.returncode != 0:
        skip_without("moto", f"scripts/moto.sh start failed: {started.stderr.strip()}")
    _STARTED.append((state / "moto.url").read_text().strip())
    try:
        yield _STARTED[0]
    finally:
        _STARTED.clear()
        subprocess.run([str(SCRIPT), "stop"], env=env, timeout=30, check=False)


@pytest.fixture
async def dynamo_table(moto_url: str) -> AsyncIterator[str]:
    """A table name no other test uses; its tables are dropped afterwards."""
    name = f"filmflare-test-{uuid.uuid4().hex[:12]}"
    yield name
    await drop_tables(moto_url, [name, f"{name}-feed"])


def dynamo_settings(moto_url: str, table: str, data_dir: Path) -> Settings:
    """The DynamoDB store on moto, with the embedded search index in ``data_dir``."""
    return Settings(
        store="dynamodb",
        dynamodb_table=table,
        dynamodb_endpoint=moto_url,
        data_dir=data_dir,
        jwt_secret=SecretStr(SECRET),
    )


async def drop_tables(moto_url: str, names: list[str]) -> None:
    session = get_session()
    async with session.create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=moto_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    ) as client:
        for name in names:
            try:
                await client.delete_table(TableName=name)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise


class MotoServer:
    """A moto server of one test's own (``scripts/moto.sh`` with a private state directory).

    The test may pause it (SIGSTOP: connections are accepted by the kernel but nothing is
    answered, as with a DynamoDB that hangs) and resume it with its data intact: moto keeps
    its state in memory, so a pause, unlike a restart, proves what a write left behind.
    """

    def __init__(self, state: Path) -> None:
        self.state = state
        self.url = ""
        self._pid = 0

    def _script(self, action: str) -> subprocess.CompletedProcess[str]:
        env = os.environ | {"INFRA_DIR": str(self.state), "MOTO_PYTHON": sys.executable}
        return subprocess.run(
            [str(SCRIPT), action], env=env, capture_output=True, text=True, timeout=60, check=False
        )

    def start(self) -> None:
        started = self._script("start")
        if started.returncode != 0:
            raise RuntimeError(f"scripts/moto.sh start failed: {started.stderr.strip()}")
        self.url = (self.state / "moto.url").read_text().strip()
        self._pid = int((self.state / "moto.pid").read_text())

    def pause(self) -> None:
        os.kill(self._pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self._pid, signal.SIGCONT)

    def stop(self) -> None:
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGCONT)  # a paused server cannot act on SIGTERM
            self._pid = 0
        self._script("stop")


@pytest.fixture
def own_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """A moto server only this test uses, so that it may pause it."""
    if importlib.util.find_spec("moto") is None:
        skip_without("moto", "moto[server] is not installed (scripts/moto.sh install)")
    server = MotoServer(tmp_path_factory.mktemp("own-moto"))
    try:
        server.start()
    except RuntimeError as error:
        skip_without("moto", str(error))
    try:
        yield server
    finally:
        server.stop()
