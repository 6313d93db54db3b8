"""FilmFlare: a movie-catalog REST API on hexagonal architecture."""

__version__ = "0.1.0"
