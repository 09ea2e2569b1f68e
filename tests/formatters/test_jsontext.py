"""jsontext.dumps writes exactly what json.dumps(indent=2, ensure_ascii=False) writes."""

from __future__ import annotations

import json
import random
from datetime import date
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from govcheck.formatters.jsontext import dumps


class Colour(StrEnum):
    RED = "r\u00e9d\n"


class Level(IntEnum):
    HIGH = 3


_SCALARS: list[Any] = [
    "", "x", "é\"\\\n\t\u2028\x00", "🙂", 0, -5, 10**30, 1.5, 1e-300, float("nan"),
    float("inf"), -float("inf"), True, False, None, Colour.RED, Level.HIGH,
]


def _value(rnd: random.Random, depth: int) -> Any:
    roll = rnd.random()
    if depth > 4 or roll < 0.5:
        return rnd.choice(_SCALARS)
    if roll < 0.75:
        items = [_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
        return items if rnd.random() < 0.7 else tuple(items)
    keys = ["b", "a", "é", 'z"', ""]
    return {rnd.choice(keys) + str(rnd.randint(0, 3)): _value(rnd, depth + 1)
            for _ in range(rnd.randint(0, 4))}


@pytest.mark.parametrize("sort_keys", [False, True])
def test_matches_json_dumps_on_random_values(sort_keys: bool) -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        value = _value(rnd, 0)
        expected = json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=False)
        assert dumps(value, sort_keys=sort_keys) == expected


def test_non_string_keys_and_default() -> None:
    value: dict[Any, Any] = {2: 2, 1.5: 3, True: 4, False: 0, None: 5,
                             "x": [1, {}, [], date(2026, 6, 30)]}
    assert dumps(value, default=str) == json.dumps(value, indent=2, ensure_ascii=False,
                                                   default=str)


def test_unserialisable_values_raise_type_error() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"a": object()})
    with pytest.raises(TypeError, match="keys must be"):
        dumps({(1, 2): "tuple key"})
