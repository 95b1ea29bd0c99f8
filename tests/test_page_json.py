"""A page's JSON twin is written by orjson: byte for byte what json.dumps writes."""

from __future__ import annotations

import random

import pytest

from audit.render.html import page_json, page_json_bytes


def _floats(rng: random.Random) -> list[float]:
    return [rng.random() * 10 ** rng.randint(-9, 18) * rng.choice((1, -1)) for _ in range(300)] + [
        0.0,
        -0.0,
        1e-4,
        1e-5,
        5e-324,
        1e16,
        9.999999999999999e15,
        60.0,
        round(rng.random() * 120, 1),
    ]


CASES = [
    {"page": "agency", "trend": {"x": 60.0, "y": 15.2, "low": 0, "high": 341}, "small": 3.5e-7, "tiny": 0.00004},
    {"ids": ["d-2fc8dbea6e-applications", "1e-5", ":1e-5", "0.00001"], "n": 2**64, "neg": -(2**63)},
    {"text": '控制\x00\x01\x1f\t\n\r\b\f "\\ / \x7f \u2028 \u2029 \ufeff 😀', "tuple": (1, "a", None, True, False)},
    {1: "int key", None: "none key", False: "bool key", 2.5: "float key"},
    [[], {}, "", [[[]]], {"a": {"b": {"c": [1.5, -0.0, 1e22]}}}],
]


@pytest.mark.parametrize("context", CASES)
def test_twin_bytes_are_json_dumps(context: object) -> None:
    assert page_json_bytes(context) == page_json(context).encode("utf-8")


def test_floats_of_every_magnitude() -> None:
    floats = _floats(random.Random(13))
    assert page_json_bytes({"values": floats}) == page_json({"values": floats}).encode("utf-8")
    for x in floats:
        assert page_json_bytes({"v": [x]}) == page_json({"v": [x]}).encode("utf-8"), x


def test_what_json_refuses_is_refused() -> None:
    from datetime import date

    for context in ({"when": date(2024, 1, 1)}, {"lone": "\ud800"}, {"set": {1}}):
        with pytest.raises((TypeError, ValueError)):
            page_json_bytes(context)
