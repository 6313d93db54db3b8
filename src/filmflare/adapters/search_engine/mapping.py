"""The index: its fields, settings and mapping, shared by OpenSearch and Elasticsearch.

Text is folded and split into words by the adapter (``domain.text``, the rules every engine
follows) and indexed as those words joined by spaces, so the engine and the highlighter agree
on every word, whatever analysis plugins a cluster has: the mapping needs only the engine's
core (the ``whitespace`` analyzer and the ``lowercase`` normalizer), which the minimal
distributions used in tests have too. Each text field has an edge n-gram companion (``…_prefixes``:
every prefix of every word) for the last, still-typed word of a query, typos included.

One primary shard: a catalog fits in one, relevance statistics are then the same for every
page, and a rebuild can follow one sequence of writes (``rebuild``). Every movie id has one
document: the movie, or the tombstone of its deletion (``kind``), which every query excludes.
"""

from __future__ import annotations

from filmflare.adapters.search_engine.client import Json

# bookkeeping
ID = "id"
KIND = "kind"
VERSION = "version"
MOVIE = "movie"  # the movie itself (``codec``), stored, not indexed
MOVIE_KIND = "movie"
TOMBSTONE_KIND = "tombstone"

# full text: folded words joined by spaces
TITLE = "title"
ORIGINAL_TITLE = "original_title"
DIRECTORS = "directors"
CAST = "cast"
OVERVIEW = "overview"
TEXT_FIELDS = (TITLE, ORIGINAL_TITLE, DIRECTORS, CAST, OVERVIEW)
TITLE_EXACT = "title.exact"  # the whole folded title as one term
ORIGINAL_EXACT = "original_title.exact"

# keywords
TITLE_SORT = "title_sort"  # the folded title, for sorting by title
GENRES = "genres"  # as spelled, for counting
GENRE_KEYS = "genre_keys"  # case-folded, for filtering
LANGUAGE = "language"
CERTIFICATION = "certification"
EXTERNAL_ID = "external_id"  # exact, as stored
DIRECTOR_PEOPLE = "director_people"  # one nested document per person: the words of a name
CAST_PEOPLE = "cast_people"
PERSON_WORDS = "words"

# numbers and dates, absent when null
YEAR = "year"
RATING = "rating"
VOTES = "votes"
RUNTIME = "runtime_minutes"
CREATED_AT = "created_at"  # milliseconds, the precision every store keeps

WORDS = "whitespace"  # the text is already folded and split: only spaces separate words
FOLDED = "folded"  # the normalizer of case-insensitive keywords


def prefixes(field: str) -> str:
    """The edge n-gram companion of a text field."""
    return f"{field}_prefixes"


def _text(exact: bool) -> Json:
    mapped: Json = {"type": "text", "analyzer": WORDS}
    if exact:
        mapped["fields"] = {"exact": {"type": "keyword"}}
    return mapped


def _keyword(normalized: bool = False) -> Json:
    return {"type": "keyword", "normalizer": FOLDED} if normalized else {"type": "keyword"}


#: Fields newer than the first mapping: ``generations.ensure`` adds them to an index made
#: before them, which needs no reindex (no document made before a field holds it).
ADDED: Json = {EXTERNAL_ID: _keyword()}


def _properties() -> Json:
    properties: Json = {
        ID: _keyword(),
        KIND: _keyword(),
        VERSION: {"type": "long"},
        MOVIE: {"type": "object", "enabled": False},
        TITLE_SORT: _keyword(),
        GENRES: _keyword(),
        GENRE_KEYS: _keyword(normalized=True),
        LANGUAGE: _keyword(normalized=True),
        CERTIFICATION: _keyword(normalized=True),
        **ADDED,
        YEAR: {"type": "integer"},
        RATING: {"type": "double"},
        VOTES: {"type": "long"},
        RUNTIME: {"type": "integer"},
        CREATED_AT: {"type": "date", "format": "epoch_millis"},
    }
    for field in TEXT_FIELDS:
        properties[field] = _text(exact=field in (TITLE, ORIGINAL_TITLE))
        properties[prefixes(field)] = {
            "type": "text",
            "analyzer": WORDS,
            "index_options": "docs",  # matched at a constant score: no frequencies needed
            "norms": False,
        }
    for people in (DIRECTOR_PEOPLE, CAST_PEOPLE):
        properties[people] = {"type": "nested", "properties": {PERSON_WORDS: _keyword()}}
    return properties


def index_body(alias: str) -> Json:
    """Settings and mapping of a new index generation; ``alias`` names it at once."""
    return {
        "settings": {
            "index": {
                "number_of_shards": 1,
                "auto_expand_replicas": "0-1",
                # A write waits for the next refresh, and one that lands while the indexer
                # waits on a batch waits for two: half a second keeps both within the
                # contract's one second.
                "refresh_interval": "500ms",
            },
            "analysis": {"normalizer": {FOLDED: {"type": "custom", "filter": ["lowercase"]}}},
        },
        "mappings": {"dynamic": "strict", "properties": _properties()},
        "aliases": {alias: {}},
    }
