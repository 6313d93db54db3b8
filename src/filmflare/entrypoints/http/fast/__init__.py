"""The fast path: cache hits of the catalog reads, answered in front of FastAPI.

FastAPI's middleware, routing and dependency solving cost several times what answering a
cache hit does, so ``FastPath`` answers ``GET`` and ``HEAD`` of ``/movies`` (search),
``/movies/{movie_id}``, ``/movies/suggest`` and ``/genres`` itself when the answer is in the
cache, and hands every other request to FastAPI untouched. It only ever gives an answer the
route would give:

- the query string is parsed by the same domain functions and the cache is read through the
  same use cases (their ``cached`` methods), so cache identities and staleness rules are the
  routes' own: a write retires what both paths read;
- anything it has a doubt about (a miss, an unknown or bad parameter, a malformed
  ``If-None-Match``, a request body, a root path, a cache that does not answer, an unexpected
  error) goes to FastAPI, which answers or reports it as always;
- the response is built by the routes' helpers, the rate limit applied by the routes'
  dependency (on a hit only, so every request counts once), and the request id, access log
  line and metrics come from ``RequestObserver``, in front of both paths; a hit is labelled
  with the route FastAPI would have matched, so it is counted under the same template.

``filmflare_http_fast_path_answers_total{route}`` counts the requests answered here.
"""

from filmflare.entrypoints.http.fast.layer import FastPath

__all__ = ["FastPath"]
