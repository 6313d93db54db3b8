"""How search text matches, said once: folding, words, typo tolerance and highlighting.

Every search engine adapter follows these rules (the embedded one indexes exactly these
words), and the search use case uses them to mark matched words, so a highlight never
disagrees with the match that found the movie.

- ``fold``: Unicode compatibility decomposition, accents and other nonspacing marks dropped,
  case folded, and the few Latin letters that do not decompose spelled out (``ø`` → ``o``).
- ``words``: runs of letters, digits and spacing marks in the folded text.
- A query word of 5 to 8 characters tolerates 1 edit, one of 9 or more tolerates 2; an edit
  inserts, deletes, substitutes or transposes (adjacent) characters anywhere in the word.
  The contract lets an edit to the first character count as two, which the server engines'
  queries do (it keeps their automata to the terms with the word's first letter); the
  embedded engine's fuzzy terms and ``matches`` (the highlighter) count it as one, so they
  match a little more, and a highlight never misses a word an engine matched.
- The last word of a query also matches as a prefix, with the same tolerance.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.movie import Movie

# Letters that compatibility decomposition leaves whole, spelled as ASCII folding would.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_EM_OPEN, _EM_CLOSE = "<em>", "</em>"


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return kept.translate(_LETTERS)


@lru_cache(maxsize=65536)
def _is_word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char) in ("Mc", "Me")


def fold(text: str) -> str:
    """``text`` for comparison: no accents, no case, compatibility forms spelled out."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(c) for c in text)


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Each word of ``text``, folded, with its start and end offsets in ``text`` itself."""
    if text.isascii():
        return [(m.group().lower(), m.start(), m.end()) for m in _ASCII_WORD.finditer(text)]
    spans: list[tuple[str, int, int]] = []
    current: list[str] = []
    start = end = 0
    for offset, char in enumerate(text):
        folded = _fold_char(char)
        if not folded:  # an accent belongs to the word it follows
            if current and end == offset:
                end = offset + 1
            continue
        for piece in folded:
            if _is_word_char(piece):
                if not current:
                    start = offset
                current.append(piece)
                end = offset + 1
            elif current:
                spans.append(("".join(current), start, end))
                current = []
    if current:
        spans.append(("".join(current), start, end))
    return spans


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (repeats kept)."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    return [word for word, _, _ in word_spans(text)]


def max_edits(word: str) -> int:
    """How many edits a query word tolerates: none below 5 characters, 2 from 9."""
    if len(word) >= 9:
        return 2
    return 1 if len(word) >= 5 else 0


def title_edits(query_words: Sequence[str]) -> int:
    """How many edits the whole query tolerates against a whole title, so that a title one
    typo away outranks the longer titles that hold its words: 1 when a word tolerates one.
    One, not two: an automaton of two edits over every whole title cost the engines more
    than every other clause of a long word at a million movies (``make bench``)."""
    return min(1, max((max_edits(word) for word in query_words), default=0))


def matches(query_word: str, word: str, prefix: bool) -> bool:
    """Is folded ``word`` within ``max_edits(query_word)`` of it (or, with ``prefix``,
    does some prefix of ``word`` come that close)?

    The distance is optimal string alignment: insertions, deletions, substitutions and
    transpositions of adjacent characters, each counting one.
    """
    limit = max_edits(query_word)
    if not prefix and abs(len(word) - len(query_word)) > limit:
        return False
    if prefix and limit == 0:
        return word.startswith(query_word)
    # rows[i][j]: distance between query_word[:i] and word[:j]
    before: list[int] = []
    previous = list(range(len(word) + 1))
    for i in range(1, len(query_word) + 1):
        row = [i] + [0] * len(word)
        for j in range(1, len(word) + 1):
            cost = 0 if query_word[i - 1] == word[j - 1] else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if (
                i > 1
                and j > 1
                and query_word[i - 1] == word[j - 2]
                and query_word[i - 2] == word[j - 1]
            ):
                row[j] = min(row[j], before[j - 2] + 1)
        before, previous = previous, row
        if min(row) > limit:
            return False
    return (min(previous) if prefix else previous[-1]) <= limit


def _matcher(text: str | None) -> list[tuple[str, bool]]:
    found = words(text or "")
    return [(word, index == len(found) - 1) for index, word in enumerate(found)]


def _marked(text: str, query: Sequence[tuple[str, bool]]) -> str | None:
    """``text`` HTML-escaped with each matched word in <em>, or None when nothing matched."""
    pieces: list[str] = []
    done = 0
    hit = False
    for word, start, end in word_spans(text):
        if start < done:  # one character that folds into two words (``½``) is marked once
            continue
        if any(matches(q, word, prefix) for q, prefix in query):
            pieces.append(html.escape(text[done:start]))
            pieces.append(_EM_OPEN + html.escape(text[start:end]) + _EM_CLOSE)
            done = end
            hit = True
    if not hit:
        return None
    pieces.append(html.escape(text[done:]))
    return "".join(pieces)


def _marked_list(items: Sequence[str], query: Sequence[tuple[str, bool]]) -> list[str] | None:
    marked = [_marked(item, query) for item in items]
    if all(m is None for m in marked):
        return None
    return [
        m if m is not None else html.escape(item) for m, item in zip(marked, items, strict=True)
    ]


def highlight_movie(movie: Movie, criteria: SearchCriteria) -> dict[str, str | list[str]]:
    """Matched fields of ``movie`` for ``criteria.q`` and ``criteria.title``, marked up.

    ``q`` marks title, original_title, overview, directors and cast; ``title`` marks title
    and original_title. Only fields with a matched word appear; a list field shows every
    item once any item matched.
    """
    everywhere = _matcher(criteria.q)
    titles = everywhere + _matcher(criteria.title)
    result: dict[str, str | list[str]] = {}
    for name, text, query in (
        ("title", movie.title, titles),
        ("original_title", movie.original_title, titles),
        ("overview", movie.overview, everywhere),
    ):
        if text and query and (marked := _marked(text, query)) is not None:
            result[name] = marked
    for name, items in (("directors", movie.directors), ("cast", movie.cast)):
        if items and everywhere and (listed := _marked_list(items, everywhere)) is not None:
            result[name] = listed
    return result
