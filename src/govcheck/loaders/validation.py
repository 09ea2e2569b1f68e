"""The per-kind JSON Schemas shipped in `govcheck/schemas`, and readable violation messages."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from govcheck.loaders.limits import MAX_INTEGER_DIGITS
from govcheck.model import Location

# Characters that reorder how text is displayed (Trojan Source, CVE-2021-42574):
# an id or name holding one can read as something it is not.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

_SHOW_MAX = 60
_TYPE_PHRASES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
    "null": "null",
}
_REQUIRED = re.compile(r"^'(?P<name>.*)' is a required property$", re.DOTALL)


@cache
def schema_document(name: str) -> Mapping[str, Any]:
    """The shipped schema `govcheck/schemas/<name>.schema.json` as data."""
    text = resources.files("govcheck.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    document: Mapping[str, Any] = json.loads(text)
    return document


@cache
def validator_for(name: str) -> Draft202012Validator:
    """A Draft 2020-12 validator for one shipped schema (formats are not asserted)."""
    return Draft202012Validator(schema_document(name))


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def show(value: Any) -> str:
    """A short, single-line, display-safe rendering of a value for a message.

    Control and bidirectional characters are escaped so that a finding's
    message cannot itself be made to display differently from what it says.
    """
    if isinstance(value, str):
        text = "'" + value + "'"
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        except (TypeError, ValueError, RecursionError):
            text = repr(value)
    if len(text) > _SHOW_MAX:
        text = text[: _SHOW_MAX - 1] + "…"
    return "".join(_safe_char(ch) for ch in text)


def number_out_of_range(literal: str, line: int, column: int) -> str:
    """The problem of a number too large to read, kept as its text (limits.MAX_INTEGER_DIGITS)."""
    return (f"the number {show(literal)} at line {line}, column {column} is too large to read"
            f" as a number (integers may have at most {MAX_INTEGER_DIGITS} digits, floats"
            " must be finite); it is kept as text")


def repeated_key(name: str, first: Location, again: Location) -> str:
    """The problem of a key given twice in one mapping: where again, and where first."""
    if first.line == again.line:
        places = (f"line {again.line}, column {again.column}, first at column"
                  f" {first.column}")
    else:
        places = f"line {again.line}, first at line {first.line}"
    return f"key {show(name)} appears more than once (at {places}); the first value is kept"


def _safe_char(ch: str) -> str:
    if ch in BIDI_CONTROLS or not ch.isprintable():
        return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
    return ch


def field_path(parts: Iterable[Any]) -> str:
    """`areas.risk`, `teams[1]`: a path into a record, as messages name it."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def describe(error: ValidationError) -> str:
    """One violation in words: `risk_tier 'severe' is not one of low, medium, high, critical`."""
    where = field_path(error.absolute_path)
    subject = where or "the record"
    expected: Any = error.validator_value
    if error.validator == "required":
        match = _REQUIRED.match(error.message)
        missing = match.group("name") if match else error.message
        return f"{(where + '.') if where else ''}{missing} is required"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in expected)
        return f"{subject} {show(error.instance)} is not one of {allowed}"
    if error.validator == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        phrase = " or ".join(_TYPE_PHRASES.get(n, n) for n in names)
        return f"{subject} must be {phrase}, not {json_type(error.instance)} {show(error.instance)}"
    if error.validator == "minLength":
        return f"{subject} must not be empty"
    if error.validator == "pattern" and where == "email":
        return f"{subject} {show(error.instance)} is not an email address"
    if error.validator == "minimum":
        return f"{subject} {show(error.instance)} is below {expected}"
    return f"{subject}: {error.message}"


_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "format"})
Check = Callable[[Any], bool]


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPE_TESTS: dict[str, Check] = {
    "string": lambda value: isinstance(value, str),
    "integer": _is_integer,
    "number": _is_number,
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def _all_of(checks: list[Check]) -> Check:
    """One check passing when each of `checks` does.

    Closures over one or two checks, the schemas' usual case, avoid the cost of
    a generator expression per value (this runs for every field of every record).
    """
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    return lambda value: all(check(value) for check in checks)


def _type_check(names: list[str]) -> Check:
    tests = [_TYPE_TESTS[name] for name in names]
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda value: first(value) or second(value)
    return lambda value: any(test(value) for test in tests)


def _enum_check(allowed: frozenset[str]) -> Check:
    return lambda value: isinstance(value, str) and value in allowed


def _min_length_check(least: int) -> Check:
    return lambda value: not isinstance(value, str) or len(value) >= least


def _minimum_check(least: float) -> Check:
    return lambda value: not _is_number(value) or value >= least


def _pattern_check(pattern: re.Pattern[str]) -> Check:
    return lambda value: not isinstance(value, str) or pattern.search(value) is not None


def _items_check(inner: Check) -> Check:
    return lambda value: not isinstance(value, list) or all(map(inner, value))


def _values_check(inner: Check) -> Check:
    return lambda value: not isinstance(value, dict) or all(map(inner, value.values()))


def _record_check(props: dict[str, Check], required: list[str], others: list[Check]) -> Check:
    other = _all_of(others) if others else None

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return other is None or other(value)
        for name in required:
            if name not in value:
                return False
        for name, item in value.items():
            test = props.get(name)
            if test is not None and not test(item):
                return False
        return other is None or other(value)

    return check


_STRING_KEYWORDS = frozenset({"type", "minLength", "enum", "pattern"})


def _string_check(schema: Mapping[str, Any]) -> Check | None:
    """One closure for a `"type": "string"` schema with minLength, enum or pattern, else None.

    The same answer as the separate checks `_compile` would chain, in one
    call: a record's check runs one of these for most of its fields.
    """
    keywords = set(schema) - _ANNOTATIONS
    if schema.get("type") != "string" or not keywords <= _STRING_KEYWORDS:
        return None
    enum = schema.get("enum")
    if enum is not None and not all(isinstance(item, str) for item in enum):
        return None
    least: int = schema.get("minLength", 0)
    allowed = frozenset(enum) if enum is not None else None
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    if pattern is None and allowed is None:
        if least <= 0:
            return lambda value: isinstance(value, str)
        return lambda value: isinstance(value, str) and len(value) >= least
    if pattern is None and least <= 0 and allowed is not None:
        return lambda value: isinstance(value, str) and value in allowed

    def check(value: Any) -> bool:
        return (isinstance(value, str) and len(value) >= least
                and (allowed is None or value in allowed)
                and (pattern is None or pattern.search(value) is not None))

    return check


def _compile(schema: Mapping[str, Any]) -> Check | None:
    """A fast yes/no check equivalent to the schema, or None for keywords it does not know.

    jsonschema takes ~0.2 ms a record; this answers "valid" for the common
    case in microseconds, and jsonschema is asked only to explain a failure.
    """
    string_check = _string_check(schema)
    if string_check is not None:
        return string_check
    checks: list[Check] = []
    props: dict[str, Check] = {}
    required: list[str] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        inner: Check | None = None
        if keyword in ("items", "additionalProperties"):
            inner = _compile(value)
            if inner is None:
                return None
        if keyword == "type":
            checks.append(_type_check([value] if isinstance(value, str) else list(value)))
        elif keyword == "enum" and all(isinstance(item, str) for item in value):
            checks.append(_enum_check(frozenset(value)))
        elif keyword == "minLength":
            checks.append(_min_length_check(value))
        elif keyword == "minimum":
            checks.append(_minimum_check(value))
        elif keyword == "pattern":
            checks.append(_pattern_check(re.compile(value)))
        elif keyword == "items" and inner is not None:
            checks.append(_items_check(inner))
        elif keyword == "additionalProperties" and inner is not None:
            checks.append(_values_check(inner))
        elif keyword == "properties":
            for name, sub in value.items():
                compiled = _compile(sub)
                if compiled is None:
                    return None
                props[name] = compiled
        elif keyword == "required":
            required = list(value)
        else:
            return None
    if props or required:
        return _record_check(props, required, checks)
    if not checks:
        return lambda value: True
    return _all_of(checks)


@cache
def fast_check(name: str) -> Check | None:
    """The fast yes/no check of a shipped schema (None when it uses keywords it cannot do)."""
    return _compile(schema_document(name))


def violations(kind: str, values: Mapping[str, Any]) -> list[str]:
    """Every schema violation of a record's values, described, in a stable order."""
    fast = fast_check(kind)
    if fast is not None and fast(values):
        return []
    errors = sorted(
        validator_for(kind).iter_errors(values),
        key=lambda e: (field_path(e.absolute_path), str(e.validator), e.message),
    )
    return [describe(error) for error in errors]


_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
# Line breaks and tabs belong in free text (a multi-line rationale), not in an id or a date.
TEXT_LAYOUT = frozenset("\t\n\r")
# C0 controls, DEL and C1 controls: a terminal or a downstream tool may act on them
# (ESC starts an escape sequence, NUL ends a C string), so text holding one is reported.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# What json.dumps(ensure_ascii=False) writes for C0 controls: \n, \r and \t (allowed in
# free text), and \b, \f or \u00XX (never allowed).
_ESCAPED_LAYOUT = re.compile(r"\\[nrt]")
_LAYOUT = re.compile("[\t\n\r]")
_SUSPECT = re.compile(f"{_BIDI.pattern}|[\x7f-\x9f]|" + r"\\[bf]|\\u00[01]")


def _dumped(values: Any) -> str | None:
    try:
        return json.dumps(values, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return None


def _may_have_text_problems(values: Mapping[str, Any], max_chars: int,
                            strict: frozenset[str]) -> bool:
    """A quick over-approximation: C-speed serialisations instead of a Python walk."""
    text = _dumped(values)
    if text is None or len(text) > max_chars or _SUSPECT.search(text):
        return True
    if not _ESCAPED_LAYOUT.search(text):
        return False
    # Line breaks and tabs are fine in free-text strings (a multi-line rationale):
    # look again at everything else, keys included.
    for key, value in values.items():
        if isinstance(key, str) and _LAYOUT.search(key):
            return True
        if isinstance(value, str):
            if key in strict and _LAYOUT.search(value):
                return True
        elif isinstance(value, Mapping | list | tuple):
            text = _dumped(value)
            if text is None or _ESCAPED_LAYOUT.search(text):
                return True
    return False


def plainly_clean(values: Mapping[str, Any], max_chars: int) -> bool:
    """Whether `text_problems(values, ...)` is surely empty, for values as `plain` copies them.

    A quick under-approximation of "clean" for the common case: callers still
    run `text_problems` when this says False.

    `repr` writes every character that is not printable (C0 and C1 controls,
    DEL, the bidi controls, which are all format characters, tab and line
    breaks) as a backslash escape, and a backslash itself as two; no string is
    longer than the whole. So a short repr without a backslash clears the
    record at C speed. (This relies on dicts, lists and strings using the
    built-in reprs, as parsed values and `plain` copies do.)
    """
    if type(values) is not dict:
        return False
    text = repr(values)
    return len(text) <= max_chars and "\\" not in text


def _code_points(chars: Iterable[str]) -> str:
    return ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".strip()
                     for ch in sorted(set(chars)))


def text_problems(values: Mapping[str, Any], max_chars: int,
                  strict: frozenset[str] = frozenset()) -> list[str]:
    """Text that cannot be trusted as displayed: bidi or other control characters, or too long.

    Control characters are C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F);
    tab, line feed and carriage return are allowed in free text, which is
    every field except keys and the top-level fields named in `strict`
    (ids, references, enumerations, dates).
    """
    found: list[str] = []
    if not _may_have_text_problems(values, max_chars, strict):
        return found

    def walk(value: Any, path: list[Any]) -> None:
        if isinstance(value, str):
            where = field_path(path) or "a key"
            hits = {ch for ch in value if ch in BIDI_CONTROLS}
            if hits:
                found.append(f"{where} holds bidirectional control characters"
                             f" ({_code_points(hits)}) that can make it display as other text")
            controls = set(_CONTROL.findall(value))
            if path and path[0] not in strict:
                controls -= TEXT_LAYOUT
            if controls:
                found.append(f"{where} holds control characters ({_code_points(controls)})"
                             " that a terminal or another tool may act on")
            if len(value) > max_chars:
                found.append(f"{where} is {len(value)} characters long, more than the"
                             f" {max_chars} a value may have")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and any(ch in BIDI_CONTROLS for ch in key):
                    found.append(f"key {show(key)} holds bidirectional control characters")
                if isinstance(key, str) and _CONTROL.search(key):
                    found.append(f"key {show(key)} holds control characters")
                walk(item, [*path, key])
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(item, [*path, index])

    walk(values, [])
    return found
