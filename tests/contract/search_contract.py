"""The contract every ``MovieSearchIndex`` adapter honours (API.md, "Search: GET /movies").

A subclass provides an ``index`` fixture: a started, ensured, empty index made by the
adapter's production code. Everything here goes through the port, so the same tests hold
the embedded engine and OpenSearch or Elasticsearch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from filmflare.domain.criteria import SearchCriteria, Sort
from filmflare.domain.errors import BadRequest
from filmflare.domain.movie import Movie, MovieData
from filmflare.domain.query_params import TEXT_LIMIT
from filmflare.domain.search import FacetBucket, GenreCount, SearchPage
from filmflare.ports.search_index import MovieSearchIndex
from tests.contract.typo_relevance import TITLES, TOP, demo_movies, found_in_top

T0 = datetime(2024, 5, 17, 8, 30, 12, 345000, tzinfo=UTC)


def movie(movie_id: str, title: str, version: int = 1, **fields: Any) -> Movie:
    """A movie with a chosen id (ids break ties, so tests pick them)."""
    created = fields.pop("created_at", T0)
    made = Movie.create(movie_id, MovieData(title=title, **fields), created)
    return replace(made, version=version)


async def find(index: MovieSearchIndex, **criteria: Any) -> SearchPage:
    return await index.search(SearchCriteria(**criteria), None)


async def ids(index: MovieSearchIndex, **criteria: Any) -> list[str]:
    return [hit.movie.id for hit in (await find(index, **criteria)).hits]


async def walk(index: MovieSearchIndex, criteria: SearchCriteria) -> list[str]:
    """Every id of a result, page after page through the positions."""
    page = await index.search(criteria, None)
    seen = [hit.movie.id for hit in page.hits]
    while page.next_position is not None:
        page = await index.search(criteria, page.next_position)
        assert page.hits, "a position was returned but nothing followed"
        seen += [hit.movie.id for hit in page.hits]
    return seen


SORTED = [  # id, title, year, rating, votes, created minute
    ("a", "Beta", 2000, 7.5, 10, 3),
    ("b", "alpha", 1990, None, 500, 1),
    ("c", "Älpha", None, 7.5, None, 3),
    ("d", "Gamma", 2000, 9.0, 10, 2),
    ("e", "Alphabet", 1990, 2.0, 0, 1),
]
ORDERS = {
    "title": (["b", "c", "e", "a", "d"], ["d", "a", "e", "b", "c"]),
    "year": (["b", "e", "a", "d", "c"], ["a", "d", "b", "e", "c"]),
    "rating": (["e", "a", "c", "d", "b"], ["d", "a", "c", "e", "b"]),
    "votes": (["e", "a", "d", "b", "c"], ["b", "a", "d", "e", "c"]),
    "created_at": (["b", "e", "d", "a", "c"], ["a", "c", "d", "b", "e"]),
}


@pytest.mark.anyio
class SearchIndexContract:
    """Not collected alone: subclasses named ``Test…`` supply the ``index`` fixture."""

    # --- full text -------------------------------------------------------------------

    async def test_a_hit_restores_every_field(self, index: MovieSearchIndex) -> None:
        stored = movie(
            "full",
            "Amélie — Le Fabuleux Destin",
            version=4,
            original_title="Le Fabuleux Destin d'Amélie Poulain",
            year=2001,
            release_date=date(2001, 4, 25),
            genres=("Comedy", "Romance"),
            directors=("Jean-Pierre Jeunet",),
            cast=("Audrey Tautou", 'Rufus "Quote" O\'Neil', "山田 太郎 🎬"),
            overview="Line one\nline two <b>bold</b> & more.",
            runtime_minutes=122,
            rating=8.3,
            votes=2**53 - 1,
            language="fr",
            certification="PG-13",
            created_at=datetime(2020, 2, 29, 23, 59, 59, 123456, tzinfo=UTC),
        )
        stored = replace(stored, updated_at=stored.created_at + timedelta(days=3, microseconds=7))
        await index.upsert([stored, movie("bare", "Bare")])
        assert [hit.movie for hit in (await find(index, q="amelie")).hits] == [stored]
        assert [hit.movie for hit in (await find(index, q="bare")).hits] == [movie("bare", "Bare")]
        assert (await find(index, q="amelie")).hits[0].highlight is None

    async def test_q_searches_titles_people_and_overview(self, index: MovieSearchIndex) -> None:
        await index.upsert(
            [
                movie("t", "Zephyr"),
                movie("o", "One", original_title="Zephyr"),
                movie("d", "Two", directors=("Zephyr Jones",)),
                movie("c", "Three", cast=("Ann Zephyr",)),
                movie("v", "Four", overview="A zephyr blows."),
                movie("g", "Five", genres=("Zephyr",), certification="zephyr"),
            ]
        )
        assert sorted(await ids(index, q="zephyr")) == ["c", "d", "o", "t", "v"]
        assert sorted(await ids(index, title="zephyr")) == ["o", "t"]

    async def test_every_word_must_match_in_some_field(self, index: MovieSearchIndex) -> None:
        await index.upsert(
            [
                movie("1", "The Matrix", directors=("Lana Wachowski",)),
                movie("2", "The Matrix Reloaded"),
                movie("3", "Reloaded Dreams"),
            ]
        )
        assert await ids(index, q="matrix reloaded") == ["2"]
        assert await ids(index, q="wachowski matrix") == ["1"]
        assert await ids(index, q="matrix nowhere") == []
        assert await ids(index, title="matrix wachowski") == []
        assert await ids(index, q="matrix", title="reloaded") == ["2"]
        assert await ids(index, q="!!! ...") == []

    async def test_case_and_accents_do_not_matter(self, index: MovieSearchIndex) -> None:
        await index.upsert([movie("1", "Amélie"), movie("2", "LÓDŹ STORY"), movie("3", "Cafe")])
        assert await ids(index, q="AMELIE") == ["1"]
        assert await ids(index, q="łódź story") == ["2"]
        assert await ids(index, q="lodz") == ["2"]
        assert await ids(index, q="CAFÉ") == ["3"]

    @pytest.mark.parametrize(
        ("typed", "found"),
        [
            ("matirx", True),  # transposition, 6 letters: 1 edit
            ("mtrix", True),  # deletion
            ("maatrix", True),  # insertion
            ("metrix", True),  # substitution
            ("mxtrxx", False),  # 2 edits for a 6-letter word
            ("hlelo", True),  # 5 letters: 1 edit
            ("hell", True),  # 4 letters, an exact prefix
            ("hlel", False),  # 4 letters: no edit
            ("sacrfaec", False),  # 8 letters: 2 edits are too many
            ("gdofathre", True),  # 9 letters: 2 edits
            ("trmeinatro", False),  # 3 edits
            ("gdofa", True),  # a prefix within 1 edit
        ],
    )
    async def test_typos_by_word_length(
        self, index: MovieSearchIndex, typed: str, found: bool
    ) -> None:
        await index.upsert(
            [
                movie("1", "Matrix"),
                movie("2", "Hello"),
                movie("3", "Scarface"),
                movie("4", "Godfather"),
                movie("5", "Terminator"),
            ]
        )
        assert bool(await ids(index, q=typed)) is found
        assert bool(await ids(index, title=typed)) is found

    async def test_a_first_letter_typo_counts_as_two_edits(self, index: MovieSearchIndex) -> None:
        """A word of 9 letters or more may have its first letter wrong, and nothing else."""
        await index.upsert([movie("1", "Terminator")])
        assert await ids(index, q="xerminator") == ["1"]
        assert await ids(index, q="eterminator") == ["1"]  # a letter added in front

    async def test_popular_titles_are_found_through_a_swap_in_their_longest_word(
        self, index: MovieSearchIndex
    ) -> None:
        movies = demo_movies()
        for start in range(0, len(movies), 500):
            await index.upsert(movies[start : start + 500])
        found, misses = await found_in_top(index, movies)
        print(f"\ntypo probe: {found} of {TITLES} films in the first {TOP}")
        assert found == TITLES, misses

    async def test_only_the_last_word_is_a_prefix(self, index: MovieSearchIndex) -> None:
        await index.upsert([movie("1", "The Matrix"), movie("2", "Matrix Theory")])
        assert await ids(index, q="the matr") == ["1"]
        assert await ids(index, q="matr the") == []
        assert sorted(await ids(index, q="matrix th")) == ["1", "2"]

    async def test_exact_title_first_then_title_over_other_fields(
        self, index: MovieSearchIndex
    ) -> None:
        await index.upsert(
            [
                movie("1", "Heat Wave", votes=900),
                movie("2", "Heat", votes=1),
                movie("3", "Summer", overview="Heat, heat and heat again.", votes=1000),
                movie("4", "Cold", cast=("Heat Miser",)),
            ]
        )
        found = await ids(index, q="heat")
        assert found[:2] == ["2", "1"]
        assert sorted(found[2:]) == ["3", "4"]
        assert (await ids(index, title="heat"))[0] == "2"
        echo = "The Thing, the thing, the THING"
        await index.upsert(
            [
                movie(
                    "5",
                    "The Thing Thing The",
                    original_title=echo,
                    directors=(echo,),
                    cast=(echo,),
                    overview=echo,
                ),
                movie("6", "The Thing"),
            ]
        )
        assert (await ids(index, q="THE thing"))[0] == "6"
        assert (await ids(index, title="the thing"))[0] == "6"

    async def test_a_title_within_the_typos_outranks_longer_titles_holding_its_words(
        self, index: MovieSearchIndex
    ) -> None:
        """With a typo no title matches exactly; the one the whole query comes closest to
        still comes first, ahead of sequels that match its words in more fields."""
        echo = "The godfather returns. The godfather, again."
        await index.upsert(
            [
                movie("1", "The Godfather", votes=10),
                movie("2", "The Godfather Returns", votes=9000, overview=echo, cast=(echo,)),
                movie("3", "The Godfather Rises", votes=8000, overview=echo),
                movie("4", "Godfather Night", original_title="The Godfather", votes=5),
                movie("5", "Night", original_title="Godfather Night", votes=7000, overview=echo),
            ]
        )
        found = await ids(index, q="the godfahter")
        assert found[:2] == ["1", "4"]
        assert sorted(found[2:]) == ["2", "3", "5"]
        assert (await ids(index, q="the godfathr"))[:2] == ["1", "4"]
        assert (await ids(index, title="the godfahter"))[:2] == ["1", "4"]
        assert (await ids(index, q="godfather nihgt"))[0] == "4"

    async def test_the_longest_query_against_the_longest_title(
        self, index: MovieSearchIndex
    ) -> None:
        """A whole title of 300 characters, matched within two edits by a query as long as
        the API takes (500 characters) or by the title itself with a typo."""
        title_words = [f"{letter}ecumenical" for letter in "abcdefghijklmnopqrstuvwxyz"]
        title = " ".join(title_words)[:300].rsplit(" ", 1)[0]
        await index.upsert([movie("1", title), movie("2", f"{title} Returns", votes=100)])
        mistyped = title.replace("aecumenical", "aecumencial", 1)
        assert (await ids(index, q=mistyped))[0] == "1"
        longest = " ".join([mistyped, title, title])[:TEXT_LIMIT].rsplit(" ", 1)[0]
        assert len(longest) > 490
        assert sorted(await ids(index, q=longest)) == ["1", "2"]

    # --- filters ---------------------------------------------------------------------

    async def test_external_id_is_exact_and_combines(self, index: MovieSearchIndex) -> None:
        await index.upsert(
            [
                movie("1", "Heat", external_id="imdb:tt0113277", year=1995),
                movie("2", "Heat", external_id="IMDB:tt0113277", year=1995),
                movie("3", "Heat", year=1995),
            ]
        )
        assert await ids(index, external_id="imdb:tt0113277") == ["1"]
        assert await ids(index, external_id="IMDB:tt0113277") == ["2"]
        assert await ids(index, external_id="imdb:tt011327") == []
        assert await ids(index, external_id="imdb:tt0113277", q="heat", year=1995) == ["1"]
        assert await ids(index, external_id="imdb:tt0113277", year=1996) == []
        await index.upsert([movie("1", "Heat", version=2, year=1995)])  # the id let go
        assert await ids(index, external_id="imdb:tt0113277") == []

    async def test_genres_any_or_all_ignoring_case(self, index: MovieSearchIndex) -> None:
        await index.upsert(
            [
                movie("1", "A", genres=("Drama", "Crime")),
                movie("2", "B", genres=("drama",)),
                movie("3", "C", genres=("Comedy",)),
                movie("4", "D"),
            ]
        )
        assert sorted(await ids(index, genres=("DRAMA",))) == ["1", "2"]
        assert sorted(await ids(index, genres=("crime", "comedy"))) == ["1", "3"]
        assert await ids(index, genres=("drama", "crime"), genre_match="all") == ["1"]
        assert await ids(index, genres=("Western",)) == []

    @pytest.mark.parametrize(
        ("criteria", "expected"),
        [
            ({"year": 1999}, ["2"]),
            ({"year_from": 1999}, ["2", "3"]),
            ({"year_from": 1990, "year_to": 1999}, ["1", "2"]),
            ({"rating_min": 7.5}, ["2", "3"]),
            ({"rating_min": 5.0, "rating_max": 7.5}, ["1", "2"]),
            ({"rating_max": 10.0}, ["1", "2", "3"]),
            ({"votes_min": 0}, ["1", "2", "3"]),
            ({"votes_min": 100}, ["2", "3"]),
            ({"runtime_min": 90, "runtime_max": 120}, ["1", "2"]),
            ({"runtime_max": 1000}, ["1", "2", "3"]),
            ({"language": "en"}, ["1", "3"]),
            ({"certification": "pg-13"}, ["2"]),
            ({"certification": "pg"}, []),
        ],
    )
    async def test_ranges_are_inclusive_and_never_match_null(
        self, index: MovieSearchIndex, criteria: dict[str, Any], expected: list[str]
    ) -> None:
        await index.upsert(
            [
                movie("1", "A", year=1990, rating=5.0, votes=0, runtime_minutes=90, language="en"),
                movie(
                    "2",
                    "B",
                    year=1999,
                    rating=7.5,
                    votes=100,
                    runtime_minutes=120,
                    certification="PG-13",
                ),
                movie(
                    "3", "C", year=2010, rating=10.0, votes=5000, runtime_minutes=121, language="EN"
                ),
                movie("4", "Nulls"),
            ]
        )
        assert sorted(await ids(index, **criteria)) == expected

    @pytest.mark.parametrize("field", ["director", "cast"])
    async def test_one_person_must_have_every_word(
        self, index: MovieSearchIndex, field: str
    ) -> None:
        key = "directors" if field == "director" else "cast"
        sisters: dict[str, Any] = {key: ("Lana Wachowski", "Lilly Wachowski")}
        pedro: dict[str, Any] = {key: ("Pedro Almodóvar",)}
        await index.upsert([movie("1", "The Matrix", **sisters), movie("2", "Talk", **pedro)])
        for text, expected in [
            ("lana wachowski", ["1"]),
            ("WACHOWSKI lilly", ["1"]),
            ("wachowski", ["1"]),
            ("lana lilly", []),
            ("wachow", []),
            ("pedro almodovar", ["2"]),
        ]:
            assert await ids(index, **{field: text}) == expected, text

    # --- order and pages -------------------------------------------------------------

    async def _sortable(self, index: MovieSearchIndex) -> None:
        await index.upsert(
            [
                movie(
                    i,
                    title,
                    year=year,
                    rating=rating,
                    votes=votes,
                    created_at=T0 + timedelta(minutes=minute),
                )
                for i, title, year, rating, votes, minute in SORTED
            ]
        )

    @pytest.mark.parametrize("field", list(ORDERS))
    @pytest.mark.parametrize("descending", [False, True])
    async def test_sort_puts_nulls_last_and_breaks_ties_by_id(
        self, index: MovieSearchIndex, field: str, descending: bool
    ) -> None:
        await self._sortable(index)
        expected = ORDERS[field][descending]
        assert await ids(index, sort=Sort(field, descending)) == expected
        criteria = SearchCriteria(sort=Sort(field, descending), per_page=2)
        assert await walk(index, criteria) == expected

    async def test_default_order_is_most_votes_then_relevance(
        self, index: MovieSearchIndex
    ) -> None:
        await self._sortable(index)
        assert await ids(index) == ORDERS["votes"][1]
        assert sorted((await ids(index, q="alpha"))[:2]) == ["b", "c"]

    async def test_pages_and_totals(self, index: MovieSearchIndex) -> None:
        await index.upsert([movie(f"m{n:02d}", f"Film {n}", votes=n) for n in range(25)])
        first = await find(index, per_page=10)
        assert first.total == 25
        assert [h.movie.id for h in first.hits] == [f"m{n:02d}" for n in range(24, 14, -1)]
        assert first.next_position is not None
        third = await find(index, per_page=10, page=3)
        assert [h.movie.id for h in third.hits] == [f"m{n:02d}" for n in range(4, -1, -1)]
        assert third.next_position is None
        beyond = await find(index, per_page=10, page=4)
        assert (beyond.total, beyond.hits, beyond.next_position) == (25, (), None)

    @pytest.mark.parametrize(
        "sort", [Sort("relevance", False), Sort("title", False), Sort("rating", True)]
    )
    async def test_positions_walk_the_whole_result(
        self, index: MovieSearchIndex, sort: Sort
    ) -> None:
        await index.upsert(
            [
                movie(f"m{n:02d}", f"Star {'Wars ' * (n % 3)}{n % 4}", rating=(n % 5) or None)
                for n in range(23)
            ]
        )
        criteria = SearchCriteria(q="star", sort=sort, per_page=4)
        whole = await ids(index, q="star", sort=sort, per_page=100)
        assert len(whole) == 23
        assert await walk(index, criteria) == whole
        later = await index.search(replace(criteria, page=3), None)
        assert [h.movie.id for h in later.hits] == whole[8:12]

    async def test_deep_positions(self, index: MovieSearchIndex) -> None:
        await index.upsert([movie(f"m{n:05d}", "Deep", votes=n % 7) for n in range(10_050)])
        criteria = SearchCriteria(sort=Sort("votes", False), per_page=100)
        seen = await walk(index, criteria)
        assert seen == [f"m{n:05d}" for n in sorted(range(10_050), key=lambda n: (n % 7, n))]

    async def test_a_large_group_of_equal_scores_is_ordered_by_votes_then_id(
        self, index: MovieSearchIndex
    ) -> None:
        """Hundreds of movies the text scores the same (one typo'd word matches them all
        alike): the most voted first, then by id, on any page."""
        await index.upsert([movie(f"m{n:03d}", "Deep", votes=n % 7) for n in range(500)])
        expected = [f"m{n:03d}" for n in sorted(range(500), key=lambda n: (-(n % 7), n))]
        for typed in ("deep", "deeep"):
            for page in (1, 4, 9):
                found = await index.search(SearchCriteria(q=typed, per_page=30, page=page), None)
                assert found.total == 500
                assert [h.movie.id for h in found.hits] == expected[30 * (page - 1) : 30 * page]

    async def test_a_foreign_position_is_refused(self, index: MovieSearchIndex) -> None:
        await index.upsert([movie("1", "A")])
        for sort in (Sort("votes", True), Sort("relevance", False)):
            with pytest.raises(BadRequest):
                await index.search(SearchCriteria(q="a", sort=sort), ["no", {"such": 1}, "place"])

    # --- facets ----------------------------------------------------------------------

    async def test_facets_count_the_whole_filtered_result(self, index: MovieSearchIndex) -> None:
        ratings = [0.0, 0.99, 1.0, 8.99, 9.0, 10.0, None, 5.5]
        await index.upsert(
            [
                movie(
                    f"m{n}",
                    "Film",
                    rating=rating,
                    year=1990 + 5 * n if n % 3 else None,
                    genres=("drama" if n == 0 else "Drama",) + ("Comedy",) * (n % 2 == 0),
                )
                for n, rating in enumerate(ratings)
            ]
            + [movie("other", "Other", genres=("Western",), year=1950, rating=3.0)]
        )
        page = await find(index, q="film", per_page=1, facets=("genres", "decade", "rating"))
        assert page.total == 8
        assert page.facets["genres"] == (FacetBucket("Drama", 8), FacetBucket("Comedy", 4))
        assert page.facets["decade"] == (
            FacetBucket(1990, 1),
            FacetBucket(2000, 1),
            FacetBucket(2010, 2),
            FacetBucket(2020, 1),
        )
        assert page.facets["rating"] == (
            FacetBucket("0-1", 2),
            FacetBucket("1-2", 1),
            FacetBucket("5-6", 1),
            FacetBucket("8-9", 1),
            FacetBucket("9-10", 2),
        )
        comedy = await find(index, genres=("comedy",), facets=("decade",))
        assert set(comedy.facets) == {"decade"}
        assert comedy.facets["decade"] == (FacetBucket(2000, 1), FacetBucket(2010, 1))
        none = await find(index, q="nothing", facets=("genres",))
        assert none.facets == {"genres": ()}

    # --- suggest and genres ----------------------------------------------------------

    async def test_suggest_completes_title_words(self, index: MovieSearchIndex) -> None:
        await index.upsert(
            [
                movie("1", "Aliens", year=1986, votes=900),
                movie("2", "Alien", year=1979, votes=800),
                movie("3", "Alien Nation", votes=50),
                movie("4", "Resurrection: Alien", votes=1000),
                movie("5", "Other", overview="alien", directors=("Alien Smith",)),
            ]
        )
        found = await index.suggest("alien", 10)
        assert [s.id for s in found][:1] == ["2"]
        assert sorted(s.id for s in found) == ["1", "2", "3", "4"]
        assert [s.id for s in await index.suggest("ali", 2)] == ["1", "2"]  # most votes
        assert [s.id for s in await index.suggest("alein nat", 5)] == ["3"]
        assert [s.id for s in await index.suggest("nation ali", 5)] == ["3"]
        assert await index.suggest("nat alien", 5) == []
        (alien,) = [s for s in found if s.id == "2"]
        assert (alien.title, alien.year) == ("Alien", 1979)
        assert await index.suggest("   ", 5) == []

    async def test_genres_group_spellings_most_movies_first(self, index: MovieSearchIndex) -> None:
        await index.upsert(
            [
                movie("1", "A", genres=("Drama", "War")),
                movie("2", "B", genres=("drama",)),
                movie("3", "C", genres=("Drama", "Comedy")),
                movie("4", "D", genres=("Comedy", "Biography")),
                movie("5", "E", genres=("Crime",), version=2),
            ]
        )
        await index.delete([("5", 3)])
        assert list(await index.genres()) == [
            GenreCount("Drama", 3),
            GenreCount("Comedy", 2),
            GenreCount("Biography", 1),
            GenreCount("War", 1),
        ]

    # --- versions and rebuild --------------------------------------------------------

    async def test_the_highest_version_wins(self, index: MovieSearchIndex) -> None:
        await index.upsert([movie("1", "Third", version=3)])
        await index.upsert([movie("1", "Second", version=2)])
        await index.upsert([movie("1", "Third again", version=3)])
        await index.upsert([movie("2", "Two", version=2), movie("2", "One", version=1)])
        assert [
            (h.movie.id, h.movie.title) for h in (await find(index, sort=Sort("title", False))).hits
        ] == [
            ("1", "Third"),
            ("2", "Two"),
        ]
        await index.delete([("1", 2)])
        assert await ids(index, q="third") == ["1"]

    async def test_a_deletion_is_not_undone_by_an_older_write(
        self, index: MovieSearchIndex
    ) -> None:
        await index.upsert([movie("1", "Gone", version=2), movie("2", "Stays")])
        await index.delete([("1", 3), ("never-indexed", 2)])
        await index.upsert([movie("1", "Gone", version=2), movie("never-indexed", "Late")])
        assert await ids(index) == ["2"]
        assert (await find(index, q="gone")).total == 0
        assert await index.suggest("gone", 5) == []

    async def test_rebuild_answers_all_along_then_swaps(self, index: MovieSearchIndex) -> None:
        await index.upsert([movie("old", "Old Film")])
        during: list[list[str]] = []

        async def batches() -> AsyncIterator[Sequence[Movie]]:
            for n in range(3):
                during.append(await ids(index, q="film"))
                yield [movie(f"new{n}", f"New Film {n}"), movie(f"more{n}", "More Film")]

        assert await index.rebuild(batches()) == 6
        assert during == [["old"]] * 3
        assert sorted(await ids(index, q="film")) == [
            "more0",
            "more1",
            "more2",
            "new0",
            "new1",
            "new2",
        ]
        assert await ids(index, q="old") == []
