"""Indented JSON text, the same bytes as `json.dumps(value, indent=2, ensure_ascii=False)`.

With `indent`, the standard library serialises in pure Python, one generator
step per token: at 10,000 systems that was most of the time spent formatting a
report. This writer builds the same text with plain recursion into one list,
and escapes strings with the standard library's C `encode_basestring` (the
escaper `ensure_ascii=False` uses). Output is byte-identical to `json.dumps`
with `indent=2`, `ensure_ascii=False`, the default separators and `allow_nan`,
for every value `json.dumps` accepts; only a reference cycle fails differently
(RecursionError rather than ValueError), and reports hold none.
"""

from __future__ import annotations

import json.encoder
from collections.abc import Callable
from typing import Any

__all__ = ["dumps"]

_ENCODE: Callable[[str], str] = json.encoder.encode_basestring
_INDENT = "  "
_INFINITY = float("inf")

Default = Callable[[Any], Any] | None


def dumps(value: Any, *, sort_keys: bool = False, default: Default = None) -> str:
    """`value` as `json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys,
    default=default)` writes it."""
    chunks: list[str] = []
    _Writer(chunks, sort_keys, default).value(value, "\n")
    return "".join(chunks)


def _float(number: float) -> str:
    # As json's floatstr: NaN and the infinities by name (allow_nan), else repr.
    if number != number:
        return "NaN"
    if number == _INFINITY:
        return "Infinity"
    if number == -_INFINITY:
        return "-Infinity"
    return float.__repr__(number)


def _scalar(value: Any) -> str | None:
    """The text of a JSON scalar, or None for a container or another object.

    Tested in json's own order (str, None, True, False, int, float) so that
    subclasses such as StrEnum and IntEnum come out as json writes them.
    """
    if isinstance(value, str):
        return _ENCODE(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return None


def _key(key: Any) -> str:
    """A dict key as json converts it (str, float, bool, None, int), before escaping."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


class _Writer:
    def __init__(self, chunks: list[str], sort_keys: bool, default: Default) -> None:
        self.chunks = chunks
        self.sort_keys = sort_keys
        self.default = default

    def value(self, value: Any, newline: str) -> None:
        """Write one value whose first line is already indented; `newline` is "\\n" plus
        the indentation of the line it starts on."""
        text = _scalar(value)
        if text is not None:
            self.chunks.append(text)
        elif isinstance(value, list | tuple):
            self.array(value, newline)
        elif isinstance(value, dict):
            self.object(value, newline)
        elif self.default is not None:
            self.value(self.default(value), newline)
        else:
            raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")

    def array(self, items: list[Any] | tuple[Any, ...], newline: str) -> None:
        if not items:
            self.chunks.append("[]")
            return
        inner = newline + _INDENT
        separator = "[" + inner
        chunks = self.chunks
        for item in items:
            text = _ENCODE(item) if isinstance(item, str) else _scalar(item)
            if text is not None:
                chunks.append(separator + text)
            else:
                chunks.append(separator)
                self.value(item, inner)
            separator = "," + inner
        chunks.append(newline + "]")

    def object(self, mapping: dict[Any, Any], newline: str) -> None:
        if not mapping:
            self.chunks.append("{}")
            return
        inner = newline + _INDENT
        separator = "{" + inner
        chunks = self.chunks
        items = sorted(mapping.items()) if self.sort_keys else mapping.items()
        for key, item in items:
            head = separator + _ENCODE(key if isinstance(key, str) else _key(key)) + ": "
            text = _ENCODE(item) if isinstance(item, str) else _scalar(item)
            if text is not None:
                chunks.append(head + text)
            else:
                chunks.append(head)
                self.value(item, inner)
            separator = "," + inner
        chunks.append(newline + "}")
