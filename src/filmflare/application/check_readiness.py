"""Is every configured backend answering? (GET /readyz)

Rules: each backend is pinged at once with a deadline; the answer names every one that failed.
The store and the search index are required: either failing means not ready. The cache is
optional, since every request is still served without it: the cache alone failing means
degraded, which is still ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Literal

Status = Literal["ready", "degraded", "not ready"]


@dataclass(frozen=True, slots=True)
class Readiness:
    status: Status
    checks: dict[str, str]  # backend name -> "ok" or the reason it failed

    @property
    def serving(self) -> bool:
        return self.status != "not ready"

    @property
    def failing(self) -> dict[str, str]:
        return {name: state for name, state in self.checks.items() if state != "ok"}


class CheckReadiness:
    def __init__(
        self,
        pings: Mapping[str, Callable[[], Awaitable[None]]],
        optional: Collection[str] = (),
        timeout: float = 2.0,
    ):
        self._pings = pings
        self._optional = frozenset(optional)
        self._timeout = timeout

    async def execute(self) -> Readiness:
        async def probe(ping: Callable[[], Awaitable[None]]) -> str:
            try:
                async with asyncio.timeout(self._timeout):  # wait_for can eat a cancellation
                    await ping()
            except TimeoutError:
                return f"no answer within {self._timeout:g}s"
            except Exception as error:  # any failure means not ready; name it
                return str(error) or type(error).__name__
            return "ok"

        names = list(self._pings)
        results = await asyncio.gather(*(probe(self._pings[name]) for name in names))
        checks = dict(zip(names, results, strict=True))
        failing = {name for name, state in checks.items() if state != "ok"}
        if not failing:
            return Readiness("ready", checks)
        return Readiness("degraded" if failing <= self._optional else "not ready", checks)
