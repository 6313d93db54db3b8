"""Filters: genres, numeric ranges, people, language and certification.

Filters never change the score. A movie without a value has no term in a numeric field,
so every range excludes it.
"""

from __future__ import annotations

from collections.abc import Iterator

import tantivy

from filmflare.adapters.embedded_search import schema as f
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.text import words

Occur = tantivy.Occur
Query = tantivy.Query
FieldType = tantivy.FieldType


def one_person(searcher: tantivy.Searcher, schema: tantivy.Schema, field: str, text: str) -> Query:
    """A person in ``field`` whose name has every word of ``text`` (whole words, folded).

    Names are indexed as ``word#n`` for the n-th person; the term dictionary tells which
    people have each word, and only those having them all are asked for.
    """
    wanted = list(dict.fromkeys(words(text)))
    people: set[str] | None = None
    for word in wanted:  # words have no "#", so the prefix is this very word
        having = {
            term[len(word) + 1 :] for term, _ in searcher.terms_with_prefix(field, word + "#")
        }
        people = having if people is None else people & having
    if not people:
        return Query.empty_query()
    return Query.boolean_query(
        [
            (
                Occur.Should,
                Query.boolean_query(
                    [(Occur.Must, Query.term_query(schema, field, f"{w}#{n}")) for w in wanted]
                ),
            )
            for n in sorted(people)
        ]
    )


Bound = int | float | None


def _ranges(criteria: SearchCriteria) -> Iterator[tuple[str, FieldType, Bound, Bound]]:
    if criteria.year is not None:
        yield f.YEAR, FieldType.Integer, criteria.year, criteria.year
    if criteria.year_from is not None or criteria.year_to is not None:
        yield f.YEAR, FieldType.Integer, criteria.year_from, criteria.year_to
    if criteria.rating_min is not None or criteria.rating_max is not None:
        yield f.RATING, FieldType.Float, criteria.rating_min, criteria.rating_max
    if criteria.votes_min is not None:
        yield f.VOTES, FieldType.Integer, criteria.votes_min, None
    if criteria.runtime_min is not None or criteria.runtime_max is not None:
        yield f.RUNTIME, FieldType.Integer, criteria.runtime_min, criteria.runtime_max


def _numeric(schema: tantivy.Schema, field: str, kind: FieldType, low: Bound, high: Bound) -> Query:
    if kind is FieldType.Float:  # a float field compares with floats only
        low = None if low is None else float(low)
        high = None if high is None else float(high)
    return Query.range_query(schema, field, kind, lower_bound=low, upper_bound=high)


def filters(
    searcher: tantivy.Searcher, schema: tantivy.Schema, criteria: SearchCriteria
) -> list[Query]:
    """One query per filter in ``criteria``; a movie must match them all."""
    found = [Query.term_query(schema, f.KIND, f.MOVIE)]
    if criteria.genres:
        keys = [genre.casefold() for genre in criteria.genres]
        if criteria.genre_match == "all":
            found += [Query.term_query(schema, f.GENRE_KEYS, key) for key in keys]
        else:
            found.append(Query.term_set_query(schema, f.GENRE_KEYS, keys))
    found += [_numeric(schema, *spec) for spec in _ranges(criteria)]
    for field, text in ((f.DIRECTOR_WORDS, criteria.director), (f.CAST_WORDS, criteria.cast)):
        if text:
            found.append(one_person(searcher, schema, field, text))
    for field, value in (
        (f.LANGUAGE, criteria.language),
        (f.CERTIFICATION, criteria.certification),
    ):
        if value:
            found.append(Query.term_query(schema, field, value.casefold()))
    if criteria.external_id:
        found.append(Query.term_query(schema, f.EXTERNAL_ID, criteria.external_id))
    return found
