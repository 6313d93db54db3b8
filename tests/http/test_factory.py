"""``app_from_environment``: the uvicorn factory reads the configuration and sets up logging."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from filmflare.entrypoints.http.app import app_from_environment
from tests.http.conftest import SECRET, caught_up

pytestmark = pytest.mark.anyio


@pytest.fixture
def restored_logging() -> Iterator[logging.Logger]:
    """``logs.configure`` changes the process-wide ``filmflare`` logger; put it back."""
    logger = logging.getLogger("filmflare")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield logger
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


async def test_the_factory_serves_from_a_dotenv_and_logs_json_lines(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restored_logging: logging.Logger,
) -> None:
    data_dir = tmp_path / "data"
    (tmp_path / ".env").write_text(
        f"FILMFLARE_DATA_DIR={data_dir}\nFILMFLARE_JWT_SECRET={SECRET}\n"
    )
    monkeypatch.chdir(tmp_path)  # the settings read .env from the working directory

    app = app_from_environment()
    async with app.router.lifespan_context(app):
        await caught_up(app.state.container)  # ready once the index holds the change feed
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz", headers={"X-Request-ID": "from-env"})

    assert response.status_code == 200
    assert (data_dir / "filmflare.sqlite3").exists()
    lines = [orjson.loads(line) for line in capsys.readouterr().err.splitlines()]
    access = [line for line in lines if line.get("logger") == "filmflare.access"]
    assert access == [
        {
            "time": access[0]["time"],
            "level": "info",
            "logger": "filmflare.access",
            "message": f"GET /readyz 200 {access[0]['duration_ms']:.2f}ms",
            "request_id": "from-env",
            "method": "GET",
            "path": "/readyz",
            "status": 200,
            "duration_ms": access[0]["duration_ms"],
        }
    ]
