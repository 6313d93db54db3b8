"""The embedded store: movies and their change feed in one SQLite file."""

from filmflare.adapters.sqlite.repository import SqliteMovieRepository

__all__ = ["SqliteMovieRepository"]
