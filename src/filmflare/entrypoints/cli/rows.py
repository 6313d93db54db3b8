"""What every reader yields, and the one way a reader fails as a whole."""

from __future__ import annotations

import re

# (line, value): ``value`` is the decoded JSON value of one movie, or a string saying why the
# row on that line could not be read (the import rejects it with that reason).
Row = tuple[int, object]

# Text is decoded with ``errors="surrogateescape"``: a byte that is not UTF-8 becomes one of
# these code points, which decoded UTF-8 never holds, so the one row that has it is rejected
# instead of the whole file.
NOT_UTF8_TEXT = re.compile("[\udc80-\udcff]")
NOT_UTF8 = "the row is not UTF-8 text"


class UnreadableInput(Exception):
    """The input cannot be read at all: missing, not UTF-8, or not in the expected format."""
