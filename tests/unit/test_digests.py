"""A search-like answer's digest: its bytes' alone, fixed in length, and cached with them."""

from __future__ import annotations

import re

from filmflare.application.digests import DIGEST_LENGTH, Digested, digested

# etagc that needs no escaping anywhere a header value goes.
_DIGEST = re.compile(rb"[A-Za-z0-9_-]+")


def test_a_digest_depends_on_the_bytes_alone() -> None:
    body = b'{"genres": [{"name": "Drama", "count": 2}]}'

    assert digested(body) == digested(bytes(bytearray(body)))
    assert digested(body).digest != digested(body.replace(b"2", b"3")).digest
    assert digested(body).body is body


def test_a_digest_is_fixed_in_length_and_safe_in_a_header() -> None:
    for body in (b"", b"{}", b"x" * 100_000):
        digest = digested(body).digest
        assert len(digest) == DIGEST_LENGTH == 16
        assert _DIGEST.fullmatch(digest)


def test_an_answer_is_cached_as_its_digest_then_its_bytes() -> None:
    for body in (b"", b"{}", b'{"a": "\\u0000\xff"}'):
        answer = digested(body)
        packed = answer.pack()

        assert packed == answer.digest + body
        assert Digested.unpack(packed) == answer
        assert type(Digested.unpack(packed)) is Digested
