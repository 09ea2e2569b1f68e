"""What CEL operations mean in govcheck, shared by both backends.

Both the reference (cel-python's interpreter) and the fast path (our closures)
call these functions for equality, ordering, membership and the extension
functions, so the two agree on them by construction; the differential test
covers everything else. Values are plain Python values (str, int, float,
bool, None, list, dict, datetime, timedelta) or cel-python's subclasses of
them: the checks below look at what a value *is*, never at its exact class.

Where cel-python 0.5 departs from the CEL specification in a way rules would
trip over, we follow the specification and override the operator in the
reference too:
- `int` and `double` compare with each other as numbers (cel-python raises
  "no such overload" when the int is on the left, cel-python issue #114);
- `==` and `!=` between values of different types are false/true rather
  than an error (CEL's heterogeneous equality), so `node.x == null` works.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any


class CelError(Exception):
    """A CEL evaluation error: the expression has no value on this node."""


# Type tags. Each CEL value falls in exactly one class; operators dispatch on it.
NULL, BOOL, NUM, STR, BYTES, LIST, MAP, TS, DUR, TYPE = range(10)


class CelType:
    """A CEL type value, as `type(x)` returns it and `int`, `string`, `map` name it."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


TYPES: dict[str, CelType] = {
    name: CelType(name)
    for name in (
        "null_type", "bool", "int", "double", "string", "bytes", "list", "map",
        "google.protobuf.Timestamp", "google.protobuf.Duration", "type",
    )
}
TYPE_NAMES: dict[str, CelType] = {
    "null_type": TYPES["null_type"],
    "bool": TYPES["bool"],
    "int": TYPES["int"],
    "double": TYPES["double"],
    "string": TYPES["string"],
    "bytes": TYPES["bytes"],
    "list": TYPES["list"],
    "map": TYPES["map"],
    "type": TYPES["type"],
}


def tag_of(value: Any) -> int:
    """The CEL class of a value (NULL, BOOL, NUM, ...)."""
    # Plain values (nearly all a rule sees) by exact class, one dict lookup: the
    # isinstance chain below costs an ABC check (Mapping) for every list.
    tag = _EXACT_TAGS.get(type(value))
    if tag is not None:
        return tag
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, str):
        return STR
    if isinstance(value, int):
        # cel-python's BoolType subclasses int but not bool.
        return BOOL if type(value).__name__ == "BoolType" else NUM
    if isinstance(value, float):
        return NUM
    if isinstance(value, datetime):
        return TS
    if isinstance(value, timedelta):
        return DUR
    if isinstance(value, Mapping):
        return MAP
    if isinstance(value, list | tuple):
        return LIST
    if isinstance(value, bytes):
        return BYTES
    if isinstance(value, CelType | type):
        return TYPE
    if type(value).__name__ == "NullType":
        return NULL
    raise CelError(f"unsupported value of type {type(value).__name__}")


_EXACT_TAGS: dict[type, int] = {
    type(None): NULL, bool: BOOL, str: STR, int: NUM, float: NUM, datetime: TS,
    timedelta: DUR, dict: MAP, list: LIST, tuple: LIST, bytes: BYTES, CelType: TYPE,
}
_SIZED = frozenset({str, list, dict, tuple, bytes})


def plain_number(value: Any) -> int | float:
    """An int or float without any cel-python wrapper (exact for big ints)."""
    return float(value) if isinstance(value, float) else int(value)


def type_of(value: Any) -> CelType:
    """`type(x)`: the CEL type of a value."""
    tag = tag_of(value)
    if tag == NUM:
        return TYPES["double"] if isinstance(value, float) else TYPES["int"]
    return TYPES[
        ("null_type", "bool", "", "string", "bytes", "list", "map",
         "google.protobuf.Timestamp", "google.protobuf.Duration", "type")[tag]
    ]


def cel_eq(left: Any, right: Any) -> bool:
    """CEL `==`: numbers across int/double, deep lists and maps, false across types."""
    tl, tr = tag_of(left), tag_of(right)
    if tl != tr:
        return False
    if tl == NUM:
        return plain_number(left) == plain_number(right)
    if tl == BOOL:
        return bool(left) == bool(right)
    if tl == LIST:
        return len(left) == len(right) and all(cel_eq(a, b) for a, b in zip(left, right,
                                                                               strict=True))
    if tl == MAP:
        if len(left) != len(right):
            return False
        for key, value in left.items():
            if key not in right or not cel_eq(value, right[key]):
                return False
        return True
    if tl == TYPE:
        return type_name(left) == type_name(right)
    if tl == NULL:
        return True
    return bool(left == right)


def type_name(value: Any) -> str:
    """The name of a type value (ours, or a cel-python class that `type()` returned)."""
    if isinstance(value, CelType):
        return value.name
    names = {
        "NullType": "null_type", "BoolType": "bool", "IntType": "int", "UintType": "uint",
        "DoubleType": "double", "StringType": "string", "BytesType": "bytes",
        "ListType": "list", "MapType": "map", "TimestampType": "google.protobuf.Timestamp",
        "DurationType": "google.protobuf.Duration", "TypeType": "type",
    }
    for klass in getattr(value, "__mro__", (value,)):
        name = names.get(getattr(klass, "__name__", ""))
        if name is not None:
            return name
    return str(value)


_ORDERED = {NUM, STR, BYTES, BOOL, TS, DUR}


def cel_compare(left: Any, right: Any) -> int:
    """-1, 0 or 1 for CEL `<`-family operators; an error for types that do not order."""
    tl, tr = tag_of(left), tag_of(right)
    if tl != tr or tl not in _ORDERED:
        raise CelError(
            f"no such overload: cannot compare {type_of(left)!r} with {type_of(right)!r}"
        )
    if tl == NUM:
        a: Any = plain_number(left)
        b: Any = plain_number(right)
    elif tl == BOOL:
        a, b = bool(left), bool(right)
    else:
        a, b = left, right
    return -1 if a < b else (1 if a > b else 0)


def cel_in(item: Any, container: Any) -> bool:
    """CEL `in`: list membership by `==`, map key presence."""
    tag = tag_of(container)
    if tag == LIST:
        return any(cel_eq(item, element) for element in container)
    if tag == MAP:
        if isinstance(item, str):
            return item in container
        return any(cel_eq(item, key) for key in container)
    raise CelError(f"no such overload: 'in' on {type_of(container)!r}")


def cel_size(value: Any) -> int:
    """`size(x)`: characters of a string, items of a list or map, bytes of bytes."""
    if type(value) in _SIZED or tag_of(value) in (STR, BYTES, LIST, MAP):
        return len(value)
    raise CelError(f"no such overload: size() of {type_of(value)!r}")


def cel_string(value: Any) -> str:
    """`string(x)`: a value as text."""
    tag = tag_of(value)
    if tag == STR:
        return str(value)
    if tag == BOOL:
        return "true" if value else "false"
    if tag == NUM:
        return str(plain_number(value))
    if tag == TS:
        return timestamp_text(value)
    if tag == DUR:
        return duration_text(value)
    if tag == BYTES:
        return bytes(value).decode("utf-8")
    raise CelError(f"no such overload: string() of {type_of(value)!r}")


def timestamp_text(value: datetime) -> str:
    """RFC 3339 text of an instant, in UTC with a Z."""
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def duration_text(value: timedelta) -> str:
    """CEL's text of a duration: seconds with an `s`."""
    seconds = value.total_seconds()
    return f"{int(seconds)}s" if seconds == int(seconds) else f"{seconds}s"


def cel_int(value: Any) -> int:
    """`int(x)` from an int, a double (truncated), a numeric string or a timestamp."""
    tag = tag_of(value)
    if tag == NUM:
        number = plain_number(value)
        if isinstance(number, float) and (number != number or abs(number) >= 2**63):
            raise CelError("int() of a double out of range")
        return int(number)
    if tag == STR:
        try:
            return int(str(value), 10)
        except ValueError:
            raise CelError(f"int() of a string that is not an integer: {value!r}") from None
    if tag == TS:
        return int(value.timestamp())
    if tag == BOOL:
        raise CelError("no such overload: int() of bool")
    raise CelError(f"no such overload: int() of {type_of(value)!r}")


def cel_double(value: Any) -> float:
    """`double(x)` from a number or a numeric string."""
    tag = tag_of(value)
    if tag == NUM:
        return float(value)
    if tag == STR:
        try:
            return float(str(value))
        except ValueError:
            raise CelError(f"double() of a string that is not a number: {value!r}") from None
    raise CelError(f"no such overload: double() of {type_of(value)!r}")


_DURATION = re.compile(r"(-?)((?:\d+(?:\.\d*)?|\.\d+)(?:h|m|s|ms|us|ns))+")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|ns)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def parse_duration(text: Any) -> timedelta:
    """`duration('720h')`: CEL duration text (h, m, s, ms, us, ns; a sign in front)."""
    if tag_of(text) == DUR:
        return timedelta(seconds=text.total_seconds())
    if tag_of(text) != STR:
        raise CelError(f"no such overload: duration() of {type_of(text)!r}")
    source = str(text).strip()
    if not _DURATION.fullmatch(source):
        raise CelError(f"duration() of {source!r}: expected e.g. '720h', '90m', '1.5s'")
    total = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(source))
    try:
        return timedelta(seconds=-total if source.startswith("-") else total)
    except OverflowError:
        raise CelError(f"duration() of {source!r} is out of range") from None


def parse_timestamp(text: Any) -> datetime:
    """`timestamp('2026-06-30T00:00:00Z')`: RFC 3339 text (a bare date is 00:00 UTC)."""
    from govcheck.dates import parse_date

    if tag_of(text) == TS:
        return to_utc(text)
    if tag_of(text) != STR:
        raise CelError(f"no such overload: timestamp() of {type_of(text)!r}")
    moment = parse_date(str(text))
    if moment is None:
        raise CelError(f"timestamp() of {str(text)!r}: expected RFC 3339, e.g."
                       " '2026-06-30T00:00:00Z'")
    return moment


def to_utc(value: datetime) -> datetime:
    """A plain aware UTC datetime (naive ones are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, value.hour, value.minute,
                    value.second, value.microsecond, tzinfo=UTC)


def plain_value(value: Any) -> Any:
    """Settings, params and test data as CEL-ready plain values (dates become timestamps)."""
    if isinstance(value, Mapping):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value


# --- string, list and timestamp extension functions (receiver first) -----------------


def _need(value: Any, tag: int, function: str) -> Any:
    if tag_of(value) != tag:
        raise CelError(f"no such overload: {function}() on {type_of(value)!r}")
    return value


def ext_contains(text: Any, part: Any) -> bool:
    """`s.contains(t)`."""
    return str(_need(part, STR, "contains")) in str(_need(text, STR, "contains"))


def ext_starts_with(text: Any, prefix: Any) -> bool:
    """`s.startsWith(t)`."""
    return str(_need(text, STR, "startsWith")).startswith(str(_need(prefix, STR,
                                                                    "startsWith")))


def ext_ends_with(text: Any, suffix: Any) -> bool:
    """`s.endsWith(t)`."""
    return str(_need(text, STR, "endsWith")).endswith(str(_need(suffix, STR, "endsWith")))


def ext_matches(text: Any, pattern: Any) -> bool:
    """`s.matches(re)`: a regular expression found anywhere in s (RE2-like syntax)."""
    try:
        return re.search(str(_need(pattern, STR, "matches")),
                         str(_need(text, STR, "matches"))) is not None
    except re.error as error:
        raise CelError(f"matches(): bad regular expression: {error}") from None


def ext_lower_ascii(text: Any) -> str:
    """`s.lowerAscii()`: ASCII letters lowered, others kept."""
    return str(_need(text, STR, "lowerAscii")).translate(_LOWER)


def ext_upper_ascii(text: Any) -> str:
    """`s.upperAscii()`: ASCII letters raised, others kept."""
    return str(_need(text, STR, "upperAscii")).translate(_UPPER)


_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_UPPER = {c: c - 32 for c in range(ord("a"), ord("z") + 1)}


def ext_trim(text: Any) -> str:
    """`s.trim()`: leading and trailing whitespace removed."""
    return str(_need(text, STR, "trim")).strip()


def ext_split(text: Any, separator: Any) -> list[str]:
    """`s.split(sep)`: a list of the parts between separators."""
    sep = str(_need(separator, STR, "split"))
    if not sep:
        raise CelError("split(): the separator is empty")
    return str(_need(text, STR, "split")).split(sep)


def ext_join(items: Any, separator: Any = "") -> str:
    """`list.join()` / `list.join(sep)`: strings joined."""
    parts = _need(items, LIST, "join")
    if not all(tag_of(p) == STR for p in parts):
        raise CelError("join(): every item must be a string")
    return str(_need(separator, STR, "join")).join(str(p) for p in parts)


def ext_replace(text: Any, old: Any, new: Any) -> str:
    """`s.replace(old, new)`: every occurrence replaced."""
    return str(_need(text, STR, "replace")).replace(str(_need(old, STR, "replace")),
                                                    str(_need(new, STR, "replace")))


def ext_repeat(text: Any, count: Any) -> str:
    """`s.repeat(n)`: s written n times (n at most 4096)."""
    times = int(_need(count, NUM, "repeat")) if not isinstance(count, float) else -1
    if not 0 <= times <= 4096:
        raise CelError("repeat(): count must be an int from 0 to 4096")
    return str(_need(text, STR, "repeat")) * times


def _ts(value: Any, function: str) -> datetime:
    return to_utc(_need(value, TS, function))


def ext_full_year(value: Any) -> int:
    """`t.getFullYear()` in UTC."""
    return _ts(value, "getFullYear").year


def ext_month(value: Any) -> int:
    """`t.getMonth()` in UTC, 0-based as CEL has it."""
    return _ts(value, "getMonth").month - 1


def ext_day_of_month(value: Any) -> int:
    """`t.getDayOfMonth()` in UTC, 0-based as CEL has it."""
    return _ts(value, "getDayOfMonth").day - 1


def ext_date(value: Any) -> int:
    """`t.getDate()` in UTC, 1-based."""
    return _ts(value, "getDate").day


def ext_day_of_week(value: Any) -> int:
    """`t.getDayOfWeek()` in UTC, Sunday is 0."""
    return (_ts(value, "getDayOfWeek").weekday() + 1) % 7


def ext_day_of_year(value: Any) -> int:
    """`t.getDayOfYear()` in UTC, 0-based."""
    return _ts(value, "getDayOfYear").timetuple().tm_yday - 1


def event_hash(raw: Mapping[str, Any]) -> str:
    """An event's chain hash: SHA-256 of `prev_hash` then the canonical JSON of the raw record.

    The canonical JSON has sorted keys, no spaces and non-ASCII kept as UTF-8;
    the record's own `hash` field is left out (DESIGN.md, event logs).
    """
    body = {key: value for key, value in raw.items() if key != "hash"}
    prev = raw.get("prev_hash")
    prefix = prev if isinstance(prev, str) else ("" if prev is None else json.dumps(prev))
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256((prefix + canonical).encode("utf-8")).hexdigest()


# Methods callable as `receiver.name(args)` (and, for these, as `name(receiver, args)`).
METHODS: dict[str, Callable[..., Any]] = {
    "contains": ext_contains,
    "startsWith": ext_starts_with,
    "endsWith": ext_ends_with,
    "matches": ext_matches,
    "lowerAscii": ext_lower_ascii,
    "upperAscii": ext_upper_ascii,
    "trim": ext_trim,
    "split": ext_split,
    "join": ext_join,
    "replace": ext_replace,
    "repeat": ext_repeat,
    "size": cel_size,
    "getFullYear": ext_full_year,
    "getMonth": ext_month,
    "getDayOfMonth": ext_day_of_month,
    "getDate": ext_date,
    "getDayOfWeek": ext_day_of_week,
    "getDayOfYear": ext_day_of_year,
}

# Functions callable as `name(args)` that need no graph.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "size": cel_size,
    "string": cel_string,
    "int": cel_int,
    "double": cel_double,
    "duration": parse_duration,
    "timestamp": parse_timestamp,
    "type": type_of,
    "dyn": lambda value: value,
}

# Functions that read the graph (bound per run): name -> number of arguments.
GRAPH_FUNCTIONS: dict[str, int] = {
    "outgoing": 2, "incoming": 2, "reach": 2, "chain": 2, "loops": 2, "event_hash": 1,
}

MACROS = ("all", "exists", "exists_one", "map", "filter")
