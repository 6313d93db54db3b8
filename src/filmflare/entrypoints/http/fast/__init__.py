"""The fast path: the catalog reads, answered in front of FastAPI.

FastAPI's middleware, routing and dependency solving cost several times what answering a
cache hit does, and a sizeable share of a fast engine's query on a miss. So ``FastPath``
answers ``GET`` and ``HEAD`` of ``/movies`` (search), ``/movies/suggest`` and ``/genres``
itself, cached or not, and of ``/movies/{movie_id}`` when the movie is in the cache; it hands
every other request to FastAPI untouched. It only ever gives an answer the route would give:

- the query string is parsed by the same domain functions and the answer made by the same use
  cases, so cache identities and staleness rules are the routes' own: a write retires what
  both paths read. A search-like miss runs the route's use case, told what the one cache read
  found, so it fills the cache without reading it again;
- anything it has a doubt about (a movie not cached, an unknown or bad parameter, a malformed
  ``If-None-Match``, a request body, a root path, an unexpected error) goes to FastAPI, which
  answers or reports it as always; a failure the route reports as a problem (an engine that
  does not answer: 503 with ``Retry-After``) is rendered by the routes' own handler;
- the response is built by the routes' helpers, the rate limit applied by the routes'
  dependency (on the requests answered here only, so every request counts once, and before a
  miss is computed), and the request id, access log line and metrics come from
  ``RequestObserver``, in front of both paths; an answer is labelled with the route FastAPI
  would have matched, so it is counted under the same template.

``filmflare_http_fast_path_answers_total{route}`` counts the requests answered here.
"""

from filmflare.entrypoints.http.fast.layer import FastPath

__all__ = ["FastPath"]
