"""Pydantic models that describe the wire format in the OpenAPI document, and nothing else.

Requests are validated by the domain (``rules.parse_movie_data``) and responses are serialized
by ``application.presenters``; these models only have to say the same thing, exactly.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_VOTES = 2**53 - 1

# Names must hold something besides whitespace: the domain trims, then refuses empty names.
NON_BLANK = r"[^\s\x1c-\x1f\x85]"
Title = Annotated[str, Field(min_length=1, max_length=300, pattern=NON_BLANK)]
Genre = Annotated[str, Field(min_length=1, max_length=40, pattern=NON_BLANK)]
Person = Annotated[str, Field(min_length=1, max_length=200, pattern=NON_BLANK)]
Year = Annotated[int, Field(ge=1870, le=2100)]
Rating = Annotated[float, Field(ge=0, le=10)]
Votes = Annotated[int, Field(ge=0, le=MAX_VOTES)]
Runtime = Annotated[int, Field(ge=1, le=1000)]
Language = Annotated[
    str,
    Field(
        pattern=r"^\s*([A-Za-z]{2}\s*)?$",
        description="ISO 639-1 code, any case (stored lower-cased); blank means none",
    ),
]
ReleaseDate = Annotated[
    date,
    Field(
        description="A real calendar date, YYYY-MM-DD, in 1870–2100",
        json_schema_extra={"pattern": r"^(18[7-9][0-9]|19[0-9]{2}|20[0-9]{2}|2100)-"},
    ),
]
Certification = Annotated[str, Field(max_length=10)]
ExternalId = Annotated[
    str,
    Field(
        pattern=r"^\s*[A-Za-z0-9._:-]{0,100}\s*$",
        description="The movie's key in the catalog it came from (`imdb:tt0068646`), "
        "unique in this catalog, compared exactly; blank means none",
    ),
]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MovieInput(_Closed):
    """The client fields of a movie (POST, PUT). Absent fields are null or empty lists;
    strings are trimmed, ``language`` is lower-cased, repeated genres are dropped, and
    ``year`` is derived from ``release_date`` when only the date is given."""

    title: Title
    original_title: Annotated[str, Field(max_length=300)] | None = None
    year: Year | None = None
    release_date: ReleaseDate | None = None
    genres: Annotated[list[Genre], Field(max_length=10)] | None = None
    directors: Annotated[list[Person], Field(max_length=20)] | None = None
    cast: Annotated[list[Person], Field(max_length=100)] | None = None
    overview: Annotated[str, Field(max_length=5000)] | None = None
    runtime_minutes: Runtime | None = None
    rating: Rating | None = None
    votes: Votes | None = None
    language: Language | None = None
    certification: Certification | None = None
    external_id: ExternalId | None = None


class Movie(_Closed):
    """A stored movie. ``version`` is also its ``ETag``."""

    id: str = Field(pattern=r"^[0-9a-z]{16}$")
    title: Title
    original_title: str | None
    year: Year | None
    release_date: date | None
    genres: list[str]
    directors: list[str]
    cast: list[str]
    overview: str | None
    runtime_minutes: Runtime | None
    rating: Rating | None
    votes: Votes | None
    language: str | None
    certification: str | None
    external_id: str | None = Field(pattern=r"^[A-Za-z0-9._:-]{1,100}$")
    version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime


class SearchResult(Movie):
    """A movie in a result list; ``highlight`` only with ``highlight=true``: each matched
    field's whole text (every item, for a list field), HTML-escaped, matches in ``<em>``."""

    highlight: dict[str, str | list[str]] = Field(default_factory=dict)


class TextBucket(_Closed):
    value: str
    count: int = Field(ge=1)


class DecadeBucket(_Closed):
    value: int
    count: int = Field(ge=1)


class Facets(_Closed):
    """Counts over the whole filtered result; only the facets asked for appear."""

    genres: list[TextBucket] = Field(default_factory=list)
    decade: list[DecadeBucket] = Field(default_factory=list)
    rating: list[TextBucket] = Field(default_factory=list)


class SearchPage(_Closed):
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=100)
    total_results: int = Field(ge=0)
    total_pages: int = Field(ge=0)
    results: list[SearchResult]
    next_cursor: str | None
    facets: Facets = Field(default_factory=Facets)


class Suggestion(_Closed):
    id: str
    title: str
    year: int | None


class Suggestions(_Closed):
    suggestions: list[Suggestion]


class GenreCount(_Closed):
    name: str
    count: int = Field(ge=1)


class Genres(_Closed):
    genres: list[GenreCount]


class FieldProblem(_Closed):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="https://filmflare.dev/problems/<slug>, one per status")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    errors: list[FieldProblem] = Field(
        default_factory=list, description="Only for 422: every broken rule, by field"
    )
    checks: dict[str, str] = Field(
        default_factory=dict, description="Only from /readyz: each backend and its state"
    )
    backends: dict[str, str] = Field(
        default_factory=dict,
        description="Only from /readyz: what each backend is (e.g. store: dynamodb)",
    )


class Health(_Closed):
    status: Literal["ok"]


class Ready(_Closed):
    status: Literal["ready"]
    checks: dict[str, Literal["ok"]] = Field(description="store, search, cache: each answers")
    backends: dict[str, str] = Field(
        description="What each backend is: store sqlite|dynamodb, search "
        "embedded|opensearch|elasticsearch, cache memory|redis|none"
    )


MODELS: tuple[type[BaseModel], ...] = (
    MovieInput,
    Movie,
    SearchPage,
    Suggestions,
    Genres,
    Problem,
    Health,
    Ready,
)
