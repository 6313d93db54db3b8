"""The searches of the query-cost scenario, in slices, and the cases of its relevance probe.

Every search is an API target (``/movies?q=…``), so FilmFlare's side is the body or query the
search adapter builds for it, and the references search the same text. All are drawn, seeded,
from the catalog's title words (every catalog's titles are made of the demo's words):

- ``general``: the uncached scenario's mix (``queries.distinct_searches``): one word, a second
  still being typed, a genre, a decade with genre counts, a title search; with sorts.
- ``long-word``: one word of 9 letters or more, where fuzzy matching expands most.
- ``3-word``: three consecutive words of a title, as a user types a title.

In each slice a share of the searches has a typo in its longest word: two adjacent inner
letters swapped, as fast typing does. Each search is asked once per variant, so a slice
holds as many different searches as a run asks for (fewer when the words run out).

The relevance probe takes the most voted demo titles and swaps two inner letters of each
one's longest word: is the film then among the first three hits?
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from bench.catalogs import seeds
from bench.queries import distinct_searches, target
from filmflare.domain.rules import parse_movie_data
from filmflare.domain.text import max_edits, words

SEED = 90_210
SLICES = ("general", "long-word", "3-word")
WARM_UP = "warm-up"  # searches of every slice's kind asked before measuring, none measured
TYPO_SHARE = 0.3
LONG_WORD = 9  # letters
RELEVANCE_TITLES = 100
_TEXT_PARAMS = ("q", "title")


def typo(word: str, rng: random.Random) -> str:
    """``word`` with two adjacent inner letters swapped (itself when no swap changes it)."""
    pairs = [i for i in range(1, len(word) - 2) if word[i] != word[i + 1]]
    if not pairs:
        return word
    i = rng.choice(pairs)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def with_typo(text: str, rng: random.Random) -> str:
    """``text`` with its longest word mistyped."""
    found = text.split(" ")
    longest = max(range(len(found)), key=lambda n: len(found[n]))
    found[longest] = typo(found[longest], rng)
    return " ".join(found)


def search_text(api_target: str) -> tuple[str, str]:
    """The text parameter of a search target (``q`` or ``title``) and its folded words."""
    params = dict(parse_qsl(urlsplit(api_target).query, keep_blank_values=True))
    name = next(p for p in _TEXT_PARAMS if p in params)
    return name, " ".join(words(params[name]))


def _typed(api_target: str, rng: random.Random) -> str:
    """``api_target`` with a typo in its text, for a share of the searches."""
    if rng.random() >= TYPO_SHARE:
        return api_target
    path, _, query = api_target.partition("?")
    params = parse_qsl(query, keep_blank_values=True)
    mistyped = [(k, with_typo(v, rng) if k in _TEXT_PARAMS else v) for k, v in params]
    return target(path, mistyped)


def _distinct(texts: Iterator[str], count: int, tries: int) -> list[str]:
    found: dict[str, None] = {}
    for text in itertools.islice(texts, tries):
        found[text] = None
        if len(found) >= count:
            break
    return list(found)


def _long_words(rng: random.Random) -> Iterator[str]:
    pool = [w for w in seeds().lower_words if len(w) >= LONG_WORD]
    while True:
        yield target("/movies", [("q", rng.choice(pool))])


def _three_words(rng: random.Random) -> Iterator[str]:
    titles = [found for m in seeds().movies if len(found := words(str(m["title"]))) >= 3]
    while True:
        title = rng.choice(titles)
        start = rng.randint(0, len(title) - 3)
        yield target("/movies", [("q", " ".join(title[start : start + 3]))])


def query_sets(count: int, warm_up: int = 50) -> dict[str, list[str]]:
    """``count`` searches per slice (a slice of few words may hold fewer), and the warm-up's:
    ``warm_up`` more of each slice, none of them measured."""
    rng = random.Random(SEED)
    general = distinct_searches(count + warm_up)
    makers: dict[str, Callable[[], Iterator[str]]] = {
        "general": lambda: iter(general),
        "long-word": lambda: _long_words(rng),
        "3-word": lambda: _three_words(rng),
    }
    sets: dict[str, list[str]] = {WARM_UP: []}
    for name, make in makers.items():
        typed = (_typed(t, rng) for t in make())
        found = _distinct(typed, count + warm_up, (count + warm_up) * 20)
        sets[name] = found[:count]
        sets[WARM_UP] += found[count:]
    return sets


@dataclass(frozen=True, slots=True)
class Case:
    """A popular film, and a search for its title with a typo in the longest word."""

    title: str
    year: int | None
    target: str


def relevance_cases(count: int = RELEVANCE_TITLES) -> list[Case]:
    """The ``count`` most voted demo films whose longest title word is long enough for the
    contract to tolerate an edit (5 letters or more)."""
    rng = random.Random(SEED + 1)
    popular = sorted(seeds().movies, key=lambda m: -int(m["votes"] or 0))
    cases = []
    for row in popular:
        text = " ".join(words(str(row["title"])))
        if not text or max_edits(max(text.split(" "), key=len)) == 0:
            continue
        mistyped = with_typo(text, rng)
        if mistyped == text:  # no two different inner letters to swap
            continue
        data = parse_movie_data(row)
        cases.append(Case(data.title, data.year, target("/movies", [("q", mistyped)])))
        if len(cases) == count:
            break
    return cases


def write(path: Path, count: int) -> Path:
    """The query sets and the relevance cases as one JSON file, for the probes."""
    data = {
        "sets": query_sets(count),
        "relevance": [[c.title, c.year, c.target] for c in relevance_cases()],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def read(path: Path) -> tuple[dict[str, list[str]], list[Case]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["sets"], [Case(*case) for case in data["relevance"]]
