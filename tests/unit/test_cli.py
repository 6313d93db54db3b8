"""The command line end to end, in-process, on the embedded backends in a temporary data dir.

The environment is the command line's real interface, so these tests set it through
``monkeypatch`` (which restores it) and run from a directory without a ``.env`` file.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt
import pytest

from filmflare.bootstrap import Container, build_from_environment
from filmflare.domain.movie import Movie
from filmflare.entrypoints.cli import main, workers
from filmflare.entrypoints.cli.parser import build_parser, parse
from filmflare.entrypoints.cli.serve import APP_FACTORY, server_options
from filmflare.entrypoints.http.server.protocol import LimitedHttpToolsProtocol

Capture = pytest.CaptureFixture[str]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("FILMFLARE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("FILMFLARE_DATA_DIR", str(data))
    return data


def stored_movies() -> list[Movie]:
    async def scan() -> list[Movie]:
        async with build_from_environment() as container:
            return [movie async for batch in container.repository.scan() for movie in batch]

    return asyncio.run(scan())


def write_lines(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


# init, import, reindex


def test_init_can_run_again(capsys: Capture) -> None:
    assert main(["init"]) == 0
    assert main(["init"]) == 0
    assert "ready" in capsys.readouterr().out
    assert stored_movies() == []


def test_import_takes_good_rows_and_lists_each_rejection(tmp_path: Path, capsys: Capture) -> None:
    source = write_lines(
        tmp_path / "movies.ndjson",
        [
            '{"title": "Heat", "year": 1995, "genres": ["Crime"]}',
            "",
            '{"title": "Too good", "rating": 11}',
            '{"title": "Ronin", "release_date": "1998-09-25"}',
            '{"title": "Alien"}',
            '{"title": "Up", "budget": 175000000}',
            '{"title": "Broken",',
        ],
    )
    assert main(["import", source]) == 0
    out = capsys.readouterr().out
    assert f"{source}: 3 rows created, 0 updated, 0 unchanged, 3 rejected" in out
    assert "line 3: rating: must be between 0 and 10" in out
    assert "line 6: budget: is not a movie field" in out
    assert "line 7: malformed JSON" in out
    movies = {movie.title: movie for movie in stored_movies()}
    assert set(movies) == {"Heat", "Ronin", "Alien"}
    assert movies["Ronin"].year == 1998
    assert main(["reindex"]) == 0
    assert "Reindexed 3 movies" in capsys.readouterr().out


def test_import_reads_csv_with_lists_and_empty_cells(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "movies.csv"
    source.write_text(
        "title,genres,cast,year,rating,language\n"
        'Heat,Crime|Drama,"Al Pacino|Robert De Niro",1995,8.3,EN\n'
        "Up,,,,,\n"
        "Odd,,,nineteen,,\n",
        encoding="utf-8",
    )
    assert main(["import", str(source)]) == 0
    out = capsys.readouterr().out
    assert "2 rows created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "line 4: year: must be an integer" in out
    movies = {movie.title: movie for movie in stored_movies()}
    heat, up = movies["Heat"], movies["Up"]
    assert (heat.genres, heat.cast, heat.year, heat.rating) == (
        ("Crime", "Drama"),
        ("Al Pacino", "Robert De Niro"),
        1995,
        8.3,
    )
    assert heat.language == "en"
    assert (up.genres, up.year, up.rating, up.language) == ((), None, None, None)


def test_import_reads_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    body = json.dumps([{"title": "Heat"}, {"title": "Ronin"}]).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body)))
    assert main(["import", "-"]) == 0
    assert (
        "standard input: 2 rows created, 0 updated, 0 unchanged, 0 rejected"
        in capsys.readouterr().out
    )
    assert sorted(movie.title for movie in stored_movies()) == ["Heat", "Ronin"]


def test_the_list_of_rejections_is_capped(tmp_path: Path, capsys: Capture) -> None:
    lines = ['{"title": ""}'] * 60 + ['{"title": "Heat"}']
    assert main(["import", write_lines(tmp_path / "movies.jsonl", lines)]) == 0
    out = capsys.readouterr().out
    assert "1 row created, 0 updated, 0 unchanged, 60 rejected" in out
    assert out.count("  line ") == 50
    assert "line 50: title: must not be empty" in out
    assert "line 51:" not in out
    assert "… and 10 more" in out


def test_import_fails_when_nothing_could_be_taken(tmp_path: Path, capsys: Capture) -> None:
    assert main(["import", write_lines(tmp_path / "bad.ndjson", ['{"year": 1995}'])]) == 1
    assert "line 1: title: is required" in capsys.readouterr().out
    assert main(["import", write_lines(tmp_path / "empty.ndjson", [""])]) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.json", None, "cannot open"),
        ("movies.csv", "name,year\nHeat,1995", "not movie fields: 'name'"),
        ("movies.json", "[]", None),
    ],
)
def test_an_unreadable_file_exits_1(
    tmp_path: Path, capsys: Capture, name: str, content: str | None, message: str | None
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    status = main(["import", str(path)])
    err = capsys.readouterr().err
    if message is None:
        assert status == 0
    else:
        assert status == 1
        assert message in err
        assert "Traceback" not in err


def test_usage_errors_exit_2(tmp_path: Path, capsys: Capture) -> None:
    assert main(["import", str(tmp_path / "movies.txt")]) == 2
    assert "pass --format" in capsys.readouterr().err
    assert main(["import", "movies.json", "--format", "xml"]) == 2
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["serve", "--port", "70000"]) == 2
    assert main(["--help"]) == 0


def test_an_explicit_format_overrides_the_extension(tmp_path: Path, capsys: Capture) -> None:
    path = tmp_path / "movies.txt"
    path.write_text("title\nHeat\n")
    assert main(["import", str(path), "--format", "csv"]) == 0
    assert "1 row created" in capsys.readouterr().out


def test_a_file_imported_again_creates_nothing_new(tmp_path: Path, capsys: Capture) -> None:
    rows = [
        '{"title": "Heat", "external_id": "imdb:tt0113277", "year": 1995}',
        '{"title": "Alien", "external_id": "imdb:tt0078748"}',
        '{"title": "Untracked"}',
    ]
    source = write_lines(tmp_path / "movies.ndjson", rows)
    assert main(["import", source]) == 0
    capsys.readouterr()
    assert main(["import", source]) == 0
    out = capsys.readouterr().out
    assert "resumed after line 3" in out
    assert "0 rows created, 0 updated, 2 unchanged, 0 rejected, 1 skipped" in out
    first = {movie.title: movie for movie in stored_movies()}
    assert len(first) == 3

    rows[0] = '{"title": "Heat", "external_id": "imdb:tt0113277", "year": 1995, "votes": 9}'
    changed = write_lines(tmp_path / "changed.ndjson", rows)
    assert main(["import", changed]) == 0
    assert "1 row created, 1 updated, 1 unchanged, 0 rejected" in capsys.readouterr().out
    after = {movie.title: movie for movie in stored_movies()}
    assert after["Heat"].id == first["Heat"].id
    assert (after["Heat"].version, after["Heat"].votes) == (2, 9)
    assert after["Alien"] == first["Alien"]
    assert main(["import", source, "--restart"]) == 0
    assert "1 row created, 1 updated, 1 unchanged" in capsys.readouterr().out
    assert len(stored_movies()) == 5  # "Untracked" twice more: it has no key to match by


def test_rows_for_one_external_id_apply_in_their_order(tmp_path: Path, capsys: Capture) -> None:
    source = write_lines(
        tmp_path / "movies.ndjson",
        [
            '{"title": "Heat", "external_id": "x:1"}',
            '{"title": "Heat, again", "external_id": "x:1"}',
            '{"title": "Heat, once more", "external_id": "x:1", "votes": 3}',
        ],
    )
    assert main(["import", source]) == 0
    assert "1 row created, 2 updated, 0 unchanged" in capsys.readouterr().out
    (movie,) = stored_movies()
    assert (movie.title, movie.version, movie.votes) == ("Heat, once more", 3, 3)


def test_export_then_import_with_kept_ids_moves_the_catalog(
    tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_lines(
        tmp_path / "movies.ndjson",
        [
            '{"title": "Heat", "external_id": "imdb:tt0113277", "genres": ["Crime"]}',
            '{"title": "Amélie", "release_date": "2001-04-25", "rating": 8.3}',
        ],
    )
    assert main(["import", source]) == 0
    exported = tmp_path / "catalog.ndjson"
    assert main(["export", str(exported)]) == 0
    assert "Exported 2 movies" in capsys.readouterr().err
    assert not (tmp_path / "catalog.ndjson.partial").exists()
    rows = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    original = {movie.id: movie for movie in stored_movies()}
    assert {row["id"] for row in rows} == set(original)
    assert all(row["version"] == 1 and row["created_at"].endswith("Z") for row in rows)

    monkeypatch.setenv("FILMFLARE_DATA_DIR", str(tmp_path / "elsewhere"))
    assert main(["import", str(exported), "--keep-ids"]) == 0
    assert "2 rows created" in capsys.readouterr().out
    moved = {movie.id: movie for movie in stored_movies()}
    assert set(moved) == set(original)
    for movie_id, movie in moved.items():
        assert movie.data == original[movie_id].data
        assert movie.created_at == original[movie_id].created_at
    assert main(["import", str(exported), "--keep-ids", "--restart"]) == 0
    assert "0 rows created, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert main(["import", str(exported)]) == 0  # the same file: it resumes, without ids
    assert "0 rows created, 0 updated, 1 unchanged, 0 rejected, 1 skipped" in (
        capsys.readouterr().out
    )


def test_export_to_standard_output(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["seed"]) == 0
    capsysbinary.readouterr()
    assert main(["export", "-"]) == 0
    lines = capsysbinary.readouterr().out.splitlines()
    assert len(lines) == 3200
    assert {"id", "title", "external_id", "version", "created_at"} <= set(json.loads(lines[0]))


# seed


def test_seed_imports_the_demo_catalog_once(capsys: Capture) -> None:
    assert main(["seed"]) == 0
    out = capsys.readouterr().out
    assert (
        "demo catalog movies-vega.json: 3,200 rows created, 0 updated, 0 unchanged, 1 rejected"
        in out
    )
    assert "line 3055: title: must not be null" in out
    movies = stored_movies()
    assert len(movies) == 3200
    wind = next(movie for movie in movies if movie.title == "Gone with the Wind")
    assert (wind.year, wind.genres, wind.certification) == (1939, ("Drama",), "G")
    assert main(["seed"]) == 0
    assert "already holds 3,200 movies" in capsys.readouterr().out
    assert len(stored_movies()) == 3200


def test_seed_with_a_missing_catalog_fails(tmp_path: Path, capsys: Capture) -> None:
    assert main(["seed", "--catalog", str(tmp_path / "none.json")]) == 1
    assert "cannot open" in capsys.readouterr().err


# token


def verify(token: str) -> tuple[str | None, frozenset[str], frozenset[str]]:
    async def check() -> tuple[str | None, frozenset[str], frozenset[str]]:
        async with build_from_environment() as container:
            principal = await container.tokens.verify(token)
        return principal.subject, principal.scopes, principal.roles

    return asyncio.run(check())


def test_token_mints_a_write_token_for_the_development_secret(capsys: Capture) -> None:
    assert main(["token"]) == 0
    token = capsys.readouterr().out.strip()
    assert verify(token) == ("dev", frozenset({"movies:write"}), frozenset())
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_token_takes_subject_roles_scopes_and_ttl(
    monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.setenv("FILMFLARE_JWT_SECRET", "s3cret-for-tests-only-0123456789abcdef")
    monkeypatch.setenv("FILMFLARE_JWT_ISSUER", "https://issuer.test")
    assert main(["token", "--subject", "alice", "--role", "editor", "--ttl", "60"]) == 0
    token = capsys.readouterr().out.strip()
    assert verify(token) == ("alice", frozenset(), frozenset({"editor"}))
    claims = jwt.decode(
        token,
        "s3cret-for-tests-only-0123456789abcdef",
        algorithms=["HS256"],
        issuer="https://issuer.test",
    )
    assert claims["exp"] - claims["iat"] == 60
    assert main(["token", "--scope", "movies:read"]) == 0
    assert verify(capsys.readouterr().out.strip())[1] == frozenset({"movies:read"})


def test_token_needs_a_secret(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    monkeypatch.setenv("FILMFLARE_JWT_JWKS_URL", "https://issuer.test/.well-known/jwks.json")
    assert main(["token"]) == 2
    err = capsys.readouterr().err
    assert "FILMFLARE_JWT_SECRET" in err
    assert len(err.strip().splitlines()) == 1


# configuration and serve


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FILMFLARE_STORE": "dynamodb"}, "FILMFLARE_JWT_SECRET"),
        (
            {"FILMFLARE_STORE": "dynamodb", "FILMFLARE_DYNAMODB_TABLE": "x"},
            "FILMFLARE_DYNAMODB_TABLE",
        ),
        ({"FILMFLARE_PORT": "eighty"}, "FILMFLARE_PORT"),
        ({"FILMFLARE_SEARCH": "solr"}, "FILMFLARE_SEARCH"),
    ],
)
def test_a_bad_configuration_is_named_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: Capture, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    assert message in err
    first, *more = err.strip().splitlines()
    assert first.startswith("filmflare: configuration error:")
    assert all(line.startswith("  FILMFLARE_") or "FILMFLARE_" in line for line in more)
    assert "Traceback" not in err


def test_the_production_profile_refuses_every_embedded_backend_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.setenv("FILMFLARE_PROFILE", "production")
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    for needed in ("STORE=dynamodb", "SEARCH=opensearch", "CACHE=redis", "JWT_SECRET"):
        assert f"FILMFLARE_{needed}" in err
    assert not (Path("data") / "filmflare.sqlite3").exists()  # nothing embedded was opened


def test_the_production_profile_needs_urls_and_a_long_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    production = {
        "FILMFLARE_PROFILE": "production",
        "FILMFLARE_STORE": "dynamodb",
        "FILMFLARE_DYNAMODB_ENDPOINT": "http://127.0.0.1:1",
        "FILMFLARE_SEARCH": "opensearch",
        "FILMFLARE_CACHE": "redis",
        "FILMFLARE_JWT_SECRET": "too-short",
    }
    for name, value in production.items():
        monkeypatch.setenv(name, value)
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    assert "FILMFLARE_SEARCH_URL" in err
    assert "FILMFLARE_REDIS_URL" in err
    assert "at least 32 characters" in err


def test_dynamodb_on_aws_needs_a_region(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("FILMFLARE_STORE", "dynamodb")
    monkeypatch.setenv("FILMFLARE_JWT_SECRET", "x" * 32)
    assert main(["init"]) == 2
    assert "AWS_DEFAULT_REGION" in capsys.readouterr().err


def serve_options(argv: list[str]) -> dict[str, object]:
    container: Container = build_from_environment()
    return server_options(container, parse(build_parser(), ["serve", *argv]))


def test_serve_defaults_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    options = serve_options([])
    assert (options["host"], options["port"], options["workers"]) == ("127.0.0.1", 8000, 1)
    assert options["factory"] is True
    assert options["loop"] == "uvloop"
    assert options["http"].func is LimitedHttpToolsProtocol  # type: ignore[attr-defined]
    assert options["proxy_headers"] is False
    assert options["log_config"] is None
    monkeypatch.setenv("FILMFLARE_HOST", "127.0.0.2")
    monkeypatch.setenv("FILMFLARE_PORT", "9000")
    assert (serve_options([])["host"], serve_options([])["port"]) == ("127.0.0.2", 9000)
    options = serve_options(["--port", "8081", "--workers", "2", "--proxy-headers"])
    assert (options["port"], options["workers"], options["proxy_headers"]) == (8081, 2, True)
    assert APP_FACTORY == "filmflare.entrypoints.http.app:app_from_environment"


def test_workers_come_from_the_environment_or_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMFLARE_WORKERS", "3")
    assert serve_options([])["workers"] == 3
    assert serve_options(["--workers", "1"])["workers"] == 1
    monkeypatch.setenv("FILMFLARE_WORKERS", "auto")
    assert serve_options([])["workers"] == workers.resolve("auto") >= 1


def test_auto_workers_follow_the_cgroup_quota(tmp_path: Path) -> None:
    cpus = len(os.sched_getaffinity(0))
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("max 100000\n")
    assert workers.resolve("auto", cpu_max) == cpus
    cpu_max.write_text("50000 100000\n")  # half a CPU still gets one worker
    assert workers.resolve("auto", cpu_max) == 1
    cpu_max.write_text(f"{(cpus + 4) * 100000} 100000\n")  # a quota above the CPUs here
    assert workers.resolve("auto", cpu_max) == cpus
    assert workers.resolve("auto", tmp_path / "absent") == cpus
    assert workers.resolve(5, cpu_max) == 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_runs_the_app_factory_until_terminated(tmp_path: Path) -> None:
    port = free_port()
    command = "from filmflare.entrypoints.cli import main; raise SystemExit(main())"
    server = subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        answer = None
        deadline = time.monotonic() + 60  # a bound on waiting for start-up, not a speed check
        while answer is None and server.poll() is None and time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None, "the server did not start"
        assert answer.status_code == 200
        search = httpx.get(f"http://127.0.0.1:{port}/movies", timeout=30)
        assert search.json()["total_results"] == 0
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    # uvicorn shuts down gracefully, then lets SIGTERM end the process as it would have.
    assert server.returncode in (0, -signal.SIGTERM), output.decode()
    assert b"Application shutdown complete" in output
    assert (tmp_path / "data" / "dev-jwt-secret").exists()
