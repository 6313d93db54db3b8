"""The HTTP server's own defences (API.md, Limits), in front of any application code.

``protocol``: uvicorn's httptools protocol with a bound on each request's header section (431),
a deadline for it (408, then closed) and a bound on each worker's connections, kept by
``book`` (the longest idle one makes room). ``filmflare serve`` hands it to uvicorn with the
``limits`` from the settings, after ``open_files`` has made room for that many connections;
``refusals`` counts what was refused, for ``/metrics``; ``responses`` writes the answers.
"""
