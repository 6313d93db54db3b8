"""What the load generator asks for, as lists of request targets (one per line for Lua).

- Hot targets (cached runs): a few dozen searches a front page would send, title prefixes
  as users type them, and the most asked movies. Asked once to warm the cache, then again
  and again: every measured request is a cache hit.
- Distinct searches (uncached runs): tens of thousands of different searches, seeded, far
  more than a run can send, so no request of a run repeats an earlier one and every one
  misses the cache, as a long tail of real searches does. This keeps the service's own
  cache in place (``FILMFLARE_CACHE`` unchanged) rather than turning it off: a miss costs
  the lookup and the fill too, and that is what a user waits for.
- Engine bodies: for each distinct search, the request body the search adapter sends the
  engine for it (``search_body``), so the engine's own time is measured on the same queries.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from bench.catalogs import seeds
from filmflare.domain.query_params import parse_search_params

SEED = 4_711
FRONT_PAGE = (
    "/movies",
    "/movies?q=star%20wars&genre=action&facets=genres",
    "/movies?genre=Drama&sort=-rating",
    "/movies?genre=Comedy&genre=Romantic%20Comedy&year_from=1990&year_to=1999",
    "/movies?q=love&facets=genres,decade,rating&per_page=5",
    "/movies?year_from=2000&sort=-votes&per_page=50",
    "/movies?director=spielberg&sort=year",
    "/movies?title=the&sort=title",
    "/movies?rating_min=8&votes_min=1000&sort=-rating",
    "/movies?q=godfater",
    "/movies?q=night&highlight=true",
    "/movies?certification=PG-13&language=en&sort=-created_at",
)
_SORTS = ("", "-rating", "year", "-votes", "title")


def target(path: str, params: Sequence[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(params, quote_via=quote)}" if params else path


def hot_searches(count: int = 48) -> list[str]:
    """The front page's searches, then single popular title words."""
    words = seeds().lower_words
    picked = random.Random(SEED).sample(words, count - len(FRONT_PAGE))
    return [*FRONT_PAGE, *(target("/movies", [("q", word)]) for word in picked)]


def hot_prefixes(titles: int = 60) -> list[str]:
    """``/movies/suggest`` for the first two to six letters of popular titles."""
    movies = sorted(seeds().movies, key=lambda m: -(m["votes"] or 0))[:titles]
    found: dict[str, None] = {}
    for movie in movies:
        title = str(movie["title"]).lower()
        for end in range(2, min(6, len(title)) + 1):
            found[target("/movies/suggest", [("q", title[:end]), ("limit", "8")])] = None
    return list(found)


def distinct_searches(count: int) -> list[str]:
    """``count`` different searches, every one a different cache entry."""
    s = seeds()
    rng = random.Random(SEED + 1)
    found: dict[str, None] = {}
    while len(found) < count:
        word = rng.choice(s.lower_words)
        shape = rng.random()
        params: list[tuple[str, str]]
        if shape < 0.35:
            params = [("q", word)]
        elif shape < 0.6:  # a second word still being typed
            other = rng.choice(s.lower_words)
            params = [("q", f"{word} {other[: rng.randint(2, max(2, len(other)))]}")]
        elif shape < 0.75:
            params = [("q", word), ("genre", rng.choice(s.genres))]
        elif shape < 0.9:
            year = rng.randint(1930, 2015)
            params = [("q", word), ("year_from", str(year)), ("year_to", str(year + 9))]
            params.append(("facets", "genres"))
        else:
            params = [("title", word)]
        sort = rng.choice(_SORTS)
        if sort:
            params.append(("sort", sort))
        found[target("/movies", params)] = None
    return list(found)


def engine_body(api_target: str) -> str:
    """The JSON body the search adapter sends the engine for ``api_target``."""
    from filmflare.adapters.search_engine.searching import search_body  # loads no SDK

    criteria = parse_search_params(parse_qsl(urlsplit(api_target).query, keep_blank_values=True))
    return json.dumps(search_body(criteria, None), separators=(",", ":"))


def write_lines(path: Path, lines: Iterable[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path
