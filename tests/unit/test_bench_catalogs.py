"""The benchmark's synthetic catalogs and queries: the same on every run, and all valid.

A benchmark that loaded different rows on each run, or rows the API refuses, or sent
searches the API answers with a 422, would measure something other than it claims.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from bench import catalogs, queries

from filmflare.domain.query_params import parse_search_params, parse_suggest_params
from filmflare.domain.rules import parse_movie_data

DEMO = catalogs.catalog_size("demo")


def test_the_demo_catalog_comes_first_then_generated_rows() -> None:
    rows = list(catalogs.rows(DEMO - 2, DEMO + 2))
    assert rows[:2] == catalogs.demo_rows()[-2:]
    assert rows[2:] == [catalogs.synthetic_row(DEMO), catalogs.synthetic_row(DEMO + 1)]


def test_a_generated_row_depends_on_its_number_alone() -> None:
    later = [catalogs.synthetic_row(n) for n in (DEMO + 500, DEMO + 7, 999_999)]
    again = [catalogs.synthetic_row(n) for n in (DEMO + 500, DEMO + 7, 999_999)]
    assert later == again
    assert catalogs.synthetic_row(DEMO + 7) != catalogs.synthetic_row(DEMO + 8)


def test_a_slice_file_holds_the_same_rows_as_the_whole(tmp_path: Path) -> None:
    whole = catalogs.slice_file(tmp_path, 0, DEMO + 300).read_text().splitlines()
    part = catalogs.slice_file(tmp_path, DEMO + 100, DEMO + 300).read_text().splitlines()
    assert part == whole[DEMO + 100 :]
    assert len(whole) == DEMO + 300


def test_every_row_passes_the_movie_rules_and_rows_vary() -> None:
    rows = list(catalogs.rows(0, DEMO + 3000))
    for row in rows:
        parse_movie_data(row)  # raises ValidationFailed for a row the API would refuse
    generated = rows[DEMO:]
    assert len({row["title"] for row in generated}) > 0.9 * len(generated)
    assert len({row["release_date"][:4] for row in generated}) > 50


def test_read_movies_creates_one_new_movie_per_row(tmp_path: Path) -> None:
    movies = catalogs.read_movies(catalogs.slice_file(tmp_path, DEMO, DEMO + 50))
    assert [m.title for m in movies] == [r["title"] for r in catalogs.rows(DEMO, DEMO + 50)]
    assert len({m.id for m in movies}) == 50


def test_the_benchmark_sends_only_valid_searches_each_distinct_one_once() -> None:
    distinct = queries.distinct_searches(5000)
    assert len(set(distinct)) == 5000
    assert distinct == queries.distinct_searches(5000)
    for target in [*queries.hot_searches(), *distinct]:
        parse_search_params(parse_qsl(urlsplit(target).query, keep_blank_values=True))
    for target in queries.hot_prefixes():
        parse_suggest_params(parse_qsl(urlsplit(target).query, keep_blank_values=True))
