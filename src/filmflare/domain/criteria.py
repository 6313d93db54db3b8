"""Search criteria: what ``GET /movies`` may ask for, validated as a whole."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from filmflare.domain.errors import BadRequest, FieldError, ValidationFailed

SORT_FIELDS = ("relevance", "title", "year", "rating", "votes", "created_at")
FACETS = ("genres", "decade", "rating")
MAX_WINDOW = 10_000
RANGES = (
    ("year_from", "year_to"),
    ("rating_min", "rating_max"),
    ("runtime_min", "runtime_max"),
)


@dataclass(frozen=True, slots=True)
class Sort:
    field: str
    descending: bool

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.field


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    """A validated search. Empty text means no text query; ranges are inclusive."""

    q: str | None = None
    title: str | None = None
    genres: tuple[str, ...] = ()
    genre_match: str = "any"
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    rating_min: float | None = None
    rating_max: float | None = None
    votes_min: int | None = None
    runtime_min: int | None = None
    runtime_max: int | None = None
    director: str | None = None
    cast: str | None = None
    language: str | None = None
    certification: str | None = None
    external_id: str | None = None
    sort: Sort | None = None
    page: int = 1
    per_page: int = 20
    cursor: str | None = None
    facets: tuple[str, ...] = ()
    highlight: bool = False

    def __post_init__(self) -> None:
        errors = [
            FieldError(low, f"must not exceed {high}")
            for low, high in RANGES
            if (lo := getattr(self, low)) is not None
            and (hi := getattr(self, high)) is not None
            and lo > hi
        ]
        if errors:
            raise ValidationFailed(errors)
        if self.cursor is None and self.page * self.per_page > MAX_WINDOW:
            raise BadRequest(
                f"page × per_page may not exceed {MAX_WINDOW}; "
                "page deeper with the cursor from next_cursor"
            )

    @property
    def has_text(self) -> bool:
        return bool(self.q or self.title)

    @property
    def effective_sort(self) -> Sort:
        """The order results come in: relevance for a text query, else most votes first."""
        if self.sort is not None and (self.sort.field != "relevance" or self.has_text):
            return self.sort
        return Sort("relevance", False) if self.has_text else Sort("votes", True)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def fingerprint(self) -> str:
        """Identifies what the results are and their order, not which page is shown."""
        fields = asdict(self)
        for name in ("page", "per_page", "cursor", "facets", "highlight", "sort"):
            fields.pop(name)
        fields["sort"] = str(self.effective_sort)
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode())
        return digest.hexdigest()[:16]
