"""``make bench``: FilmFlare measured side by side with its reference points, in one run.

The machines are shared and noisy, so every figure that matters is a ratio to a reference
measured in the same run: the bare ASGI ceiling (``bare_app``), the search engine's own
query time and bulk rate, and the store's raw put rate. ``run`` is the entry point.
"""
