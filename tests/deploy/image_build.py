"""The image's build stage replayed here, where no Docker engine runs.

``build_stage_environment`` copies what the build stage COPYs (through .dockerignore) into a
fresh directory and runs its ``uv sync`` commands there with the repository's own uv and the
stage's ``UV_*`` settings, into a fresh virtualenv: the image's /opt/filmflare, elsewhere.
``ImageProcess`` runs the runtime stage's CMD from that virtualenv with the stage's ENV.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from tests.deploy.dockerfile import Stage
from tests.deploy.dockerignore import DockerIgnore
from tests.deploy.files import DOCKERIGNORE, ROOT

UV = ROOT / ".tools" / "bin" / "uv"


def copy_context(stage: Stage, workdir: Path) -> None:
    """Lay out ``workdir`` as the stage's WORKDIR is once its COPY lines have run."""
    ignore = DockerIgnore(DOCKERIGNORE.read_text())
    for sources, destination in stage.copies():
        assert not destination.startswith("/"), "the build stage copies into its WORKDIR"
        target = workdir / destination
        for source in sources:
            origin = ROOT / source
            files = list(ignore.files(ROOT, source))
            assert files, f"COPY {source}: nothing of it reaches the builder"
            for file in files:
                if origin.is_dir():
                    path = target / file.relative_to(origin)
                elif destination.endswith("/") or len(sources) > 1:
                    path = target / file.name
                else:
                    path = target
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, path)


def build_stage_environment(stage: Stage, workdir: Path, venv: Path) -> None:
    """Copy the stage's context into ``workdir`` and run its ``uv sync`` lines into ``venv``."""
    copy_context(stage, workdir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMFLARE_")}
    env.pop("VIRTUAL_ENV", None)
    env.update({k: v for k, v in stage.env().items() if k.startswith("UV_")})
    # The image's interpreter is the base image's Python 3.11; here, the one running the tests.
    env.update(UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON=sys.executable)
    for command in stage.uv_syncs():
        done = subprocess.run(
            [str(UV), *command],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=540,
            check=False,
        )
        assert done.returncode == 0, f"uv {' '.join(command)} failed:\n{done.stderr}"


def runtime_environment(stage: Stage, venv: Path, **overrides: str) -> dict[str, str]:
    """The runtime stage's ENV with the virtualenv in place of /opt/filmflare, plus overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMFLARE_")}
    for key, value in stage.env().items():
        if key != "PATH":
            env[key] = value
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    env.update(overrides)
    return env


class ImageProcess:
    """A command of the image, in its own process group so that its workers stop with it."""

    def __init__(self, command: list[str], env: Mapping[str, str], cwd: Path) -> None:
        self.log = cwd / "server.log"
        self._command, self._env, self._cwd = command, dict(env), cwd
        self._process: subprocess.Popen[bytes] | None = None
        self.left_behind = False  # set by stop() when a process of the group outlived the leader

    def start(self, health_url: str, seconds: float = 60) -> None:
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                self._command,
                cwd=self._cwd,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + seconds
        while not _answers(health_url):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.2)

    def stop(self) -> int | None:
        """SIGTERM to the group, as a container stop sends it; the exit status."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        # A worker that outlived its parent would go on serving without it.
        deadline = time.monotonic() + 10
        while _live_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _live_members(process.pid):
            self.left_behind = True
            os.killpg(process.pid, signal.SIGKILL)
        return process.returncode


def _live_members(group: int) -> list[int]:
    """Processes of the group that have not exited (zombies waiting for init do not count)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after ")".
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[2]) == group and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=1).status_code == 200
    return False
