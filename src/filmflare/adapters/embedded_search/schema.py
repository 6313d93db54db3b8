"""The tantivy schema: which field holds what, and how it is tokenized.

Searchable text is folded and split into words in Python (``domain.text``) and indexed as
those words joined by spaces, so the engine and the highlighter agree on every word; the
``words`` analyzer only splits on the spaces. Keywords (ids, genres, whole titles, sort keys)
are single terms; each sort has a number per movie (``sort_keys``). One document per movie
id: the movie, or the tombstone of its deletion.
"""

from __future__ import annotations

import tantivy

#: Moves whenever ``build_schema`` changes: tantivy opens an index only with the schema it
#: was made with, so a generation of another version is rebuilt (``filmflare init``).
#: 2: ``external_id``.
SCHEMA_VERSION = 2

# bookkeeping
ID = "id"
KIND = "kind"
VERSION = "version"
STAMP = "stamp"  # when this document was written (ns), to find what changed during a rebuild
SOURCE = "source"  # the movie as JSON
FOLDED_TITLE = "folded_title"  # to order titles that share a rank
MOVIE = "movie"
TOMBSTONE = "tombstone"

# full text: folded words joined by spaces
TITLE = "title"
ORIGINAL_TITLE = "original_title"
DIRECTORS = "directors"
CAST = "cast"
OVERVIEW = "overview"
TEXT_FIELDS = (TITLE, ORIGINAL_TITLE, DIRECTORS, CAST, OVERVIEW)

# keywords
TITLE_EXACT = "title_exact"  # the folded words of the whole title, as one term
ORIGINAL_EXACT = "original_title_exact"
DIRECTOR_WORDS = "director_words"  # "word#n": a word of the n-th director's name
CAST_WORDS = "cast_words"
GENRE_KEYS = "genre_keys"  # case-folded, for filtering
GENRE_NAMES = "genre_names"  # as spelled, for counting
LANGUAGE = "language"
CERTIFICATION = "certification"
EXTERNAL_ID = "external_id"  # exact, as stored

# numbers, absent when null
YEAR = "year"
RATING = "rating"
VOTES = "votes"
RUNTIME = "runtime_minutes"

SORTABLE = ("title", "year", "rating", "votes", "created_at")

WORDS_ANALYZER = "words"
_RAW = "raw"


def rank_field(name: str, descending: bool) -> str:
    """The number whose ascending order is this sort, up to ties (see ``sort_keys``)."""
    return f"rank_{name}_{'desc' if descending else 'asc'}"


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(ID, stored=True, tokenizer_name=_RAW)
    builder.add_text_field(KIND, stored=True, tokenizer_name=_RAW)
    builder.add_integer_field(VERSION, stored=True, indexed=True, fast=True)
    builder.add_integer_field(STAMP, indexed=True, fast=True)
    builder.add_bytes_field(SOURCE, stored=True)
    builder.add_bytes_field(FOLDED_TITLE, stored=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=WORDS_ANALYZER, index_option="freq")
    for name in (TITLE_EXACT, ORIGINAL_EXACT, GENRE_KEYS, LANGUAGE, CERTIFICATION, EXTERNAL_ID):
        builder.add_text_field(name, tokenizer_name=_RAW, index_option="basic")
    for name in (DIRECTOR_WORDS, CAST_WORDS):
        builder.add_text_field(name, tokenizer_name=WORDS_ANALYZER, index_option="basic")
    builder.add_text_field(GENRE_NAMES, fast=True, tokenizer_name=_RAW, index_option="basic")
    for name in (YEAR, VOTES, RUNTIME):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_float_field(RATING, indexed=True, fast=True)
    for name in SORTABLE:
        for descending in (False, True):
            builder.add_unsigned_field(rank_field(name, descending), fast=True)
    return builder.build()


def prepare(index: tantivy.Index) -> None:
    """Register the analyzers (tantivy keeps them per opened index, not on disk)."""
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    index.register_tokenizer(WORDS_ANALYZER, analyzer)
