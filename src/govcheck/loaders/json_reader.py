"""JSON with the exact line and column of every object, array and key.

Values are what `json.loads` gives (strings are read by the json module's own
scanner, numbers converted as it converts them), but the structure is walked
here so that each object becomes a LocatedDict located at its first key, each
array a LocatedList, and a repeated key is noted (the first value kept) rather
than silently replaced. Unlike `json.loads`, `NaN` and `Infinity` are refused
(they are not JSON), and a number too large to read is kept as its text and
noted on the object that holds it (limits.MAX_INTEGER_DIGITS).
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import math
import re
from collections.abc import Callable
from typing import Any

from govcheck.errors import InputError
from govcheck.loaders.limits import MAX_INTEGER_DIGITS, Limits
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.loaders.validation import number_out_of_range, repeated_key
from govcheck.model import Location

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A key with no escape or control character, and the `:` and blanks after it: what
# `_Parser.object` reads with one match in the common case (`string` handles the rest).
_SIMPLE_KEY = re.compile(r'"([^"\\\x00-\x1f\ud800-\udfff]*)"[ \t\n\r]*:[ \t\n\r]*')
# After an object's member: blanks, then `}` (group 1) or `,` and blanks.
_NEXT_MEMBER = re.compile(r"[ \t\n\r]*(?:(\})|,[ \t\n\r]*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?P<float>(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)")
# `\ud800` escapes decode to lone surrogates, which no output encoding can write.
_SURROGATE = re.compile("[\ud800-\udfff]")
# The json module's own C scanners; typeshed does not describe them, hence the annotations.
_scan_scalar: Callable[[str, int], tuple[Any, int]] = vars(json.scanner)["make_scanner"](
    json.JSONDecoder()
)
_scanstring: Callable[[str, int, bool], tuple[str, int]] = vars(json.decoder)["scanstring"]


class _Parser:
    def __init__(self, text: str, path: str, limits: Limits) -> None:
        self.text = text
        self.path = path
        self.limits = limits
        self._newlines: list[int] | None = None
        # The objects being read, innermost last: a number too large to read is noted there.
        self.open: list[LocatedDict] = []

    def at(self, pos: int) -> Location:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        index = bisect.bisect_left(self._newlines, pos)
        line_start = self._newlines[index - 1] + 1 if index else 0
        return Location(self.path, index + 1, pos - line_start + 1)

    def fail(self, message: str, pos: int) -> InputError:
        return InputError(f"not valid JSON: {message}", self.at(pos))

    def skip(self, pos: int) -> int:
        match = _WHITESPACE.match(self.text, pos)
        return match.end() if match else pos

    def value(self, pos: int, depth: int) -> tuple[Any, int]:
        char = self.text[pos : pos + 1]
        if char == "{":
            return self.object(pos, depth + 1)
        if char == "[":
            return self.array(pos, depth + 1)
        if char == '"':
            return self.string(pos)
        number = _NUMBER.match(self.text, pos)
        if number is not None:
            return self.number(number), number.end()
        try:
            value, end = _scan_scalar(self.text, pos)
        except StopIteration:
            raise self.fail("expected a value", pos) from None
        if isinstance(value, float):
            raise self.fail("NaN and Infinity are not JSON values (write null or a string)",
                            pos)
        return value, end

    def number(self, match: re.Match[str]) -> int | float | str:
        literal = match.group()
        value: int | float | None = None
        if match.group("float"):
            value = float(literal)
            if not math.isfinite(value):
                value = None
        elif len(literal.lstrip("-")) <= MAX_INTEGER_DIGITS:
            value = int(literal)
        if value is not None:
            return value
        at = self.at(match.start())
        if self.open:
            self.open[-1].problems.append(
                (number_out_of_range(literal, at.line, at.column), at))
        return literal

    def string(self, pos: int) -> tuple[str, int]:
        try:
            text, end = _scanstring(self.text, pos + 1, True)
        except json.JSONDecodeError as exc:
            message = exc.msg.lower().removesuffix(" at")
            raise self.fail(message, exc.pos) from None
        if _SURROGATE.search(text):
            raise self.fail("a \\u escape names an unpaired surrogate, which is not text", pos)
        return text, end

    def enter(self, pos: int, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise InputError(f"nesting deeper than {self.limits.max_depth} levels", self.at(pos))

    def object(self, start: int, depth: int) -> tuple[LocatedDict, int]:
        self.enter(start, depth)
        result = LocatedDict(location=self.at(start))
        pos = self.skip(start + 1)
        if self.text[pos : pos + 1] == "}":
            return result, pos + 1
        self.open.append(result)
        first = True
        while True:
            if self.text[pos : pos + 1] != '"':
                raise self.fail("expected a key in double quotes", pos)
            key_location = self.at(pos)
            simple = _SIMPLE_KEY.match(self.text, pos)
            if simple is not None:
                key, value_start = simple.group(1), simple.end()
            else:
                key, pos = self.string(pos)
                pos = self.skip(pos)
                if self.text[pos : pos + 1] != ":":
                    raise self.fail("expected ':' after the key", pos)
                value_start = self.skip(pos + 1)
            value: Any
            if self.text.startswith('"', value_start):
                value, pos = self.string(value_start)  # `value` for a string, one call fewer
            else:
                value, pos = self.value(value_start, depth)
            if first:
                result.location = key_location
                first = False
            if key in result:
                result.problems.append(
                    (repeated_key(key, result.key_locations[key], key_location), key_location))
            else:
                result[key] = value
                result.key_locations[key] = key_location
                if type(value) in (int, float):
                    result.number_texts[key] = self.text[value_start:pos]
            after = _NEXT_MEMBER.match(self.text, pos)
            if after is None:
                raise self.fail("expected ',' or '}'", self.skip(pos))
            if after.group(1):
                self.open.pop()
                return result, after.end()
            pos = after.end()

    def array(self, start: int, depth: int) -> tuple[LocatedList, int]:
        self.enter(start, depth)
        result = LocatedList(location=self.at(start))
        pos = self.skip(start + 1)
        if self.text[pos : pos + 1] == "]":
            return result, pos + 1
        while True:
            item_start = pos
            value, pos = self.value(pos, depth)
            if type(value) in (int, float):
                result.number_texts[len(result)] = self.text[item_start:pos]
            result.append(value)
            result.item_locations.append(
                value.location if isinstance(value, LocatedDict) else self.at(item_start))
            pos = self.skip(pos)
            char = self.text[pos : pos + 1]
            if char == "]":
                return result, pos + 1
            if char != ",":
                raise self.fail("expected ',' or ']'", pos)
            pos = self.skip(pos + 1)


def parse_json(text: str, path: str, limits: Limits) -> tuple[Any, Location] | None:
    """The file's value and where it starts, or None when the file holds only whitespace.

    Raises InputError at `path:line:col` when the text is not JSON or nests
    deeper than the limit.
    """
    parser = _Parser(text, path, limits)
    pos = parser.skip(0)
    if pos == len(text):
        return None
    try:
        value, end = parser.value(pos, 0)
    except RecursionError:
        raise InputError(f"nesting deeper than {limits.max_depth} levels",
                         parser.at(pos)) from None
    end = parser.skip(end)
    if end != len(text):
        raise parser.fail("extra data after the end of the document", end)
    location = value.location if isinstance(value, LocatedDict | LocatedList) else parser.at(pos)
    return value, location
