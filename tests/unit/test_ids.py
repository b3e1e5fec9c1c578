"""Random identifiers keep Cognito's shapes, and every character of their alphabet is equally likely in every
position (each is made from one call to the system's random source, ``ids._random_text``)."""

from __future__ import annotations

import collections
import re
import string

from userpool.domain import ids

SHAPES = {
    "token session": (ids.token_session_id, re.compile(r"tkn[a-z0-9]{25}")),
    "pool": (lambda: ids.pool_id("eu-west-1"), re.compile(r"eu-west-1_[A-Za-z0-9]{9}")),
    "client": (ids.client_id, re.compile(r"[a-z0-9]{26}")),
    "client secret": (ids.client_secret, re.compile(r"[a-z0-9]{51}")),
}


def test_identifiers_have_cognitos_shapes_and_do_not_repeat():
    for name, (make, shape) in SHAPES.items():
        made = [make() for _ in range(500)]
        assert all(shape.fullmatch(value) for value in made), name
        assert len(set(made)) == len(made), name


def test_every_character_of_the_alphabet_is_as_likely_in_every_position():
    samples = 3600
    made = [ids.token_session_id()[3:] for _ in range(samples)]
    alphabet = string.ascii_lowercase + string.digits
    for position in (0, 12, 24):  # the last digit written first, a middle one, the first
        counts = collections.Counter(value[position] for value in made)
        assert set(counts) == set(alphabet)
        # 100 expected each; a chi-square with 35 degrees of freedom above 80 happens once in ~100,000 runs.
        chi_square = sum((counts[c] - samples / 36) ** 2 / (samples / 36) for c in alphabet)
        assert chi_square < 80, (position, counts)


def test_random_text_of_a_large_alphabet_and_one_character():
    assert re.fullmatch(r"[A-Za-z0-9]", ids._random_text(string.ascii_letters + string.digits, 1))
    assert ids._random_text("ab", 64).strip("ab") == ""


def test_base64url_is_the_url_safe_alphabet_without_padding():
    assert ids.base64url(b"\xfb\xff") == "-_8"  # standard base64: "+/8="
    assert ids.base64url(b"") == ""
    assert ids.base64url(bytes(32)) == "A" * 43
