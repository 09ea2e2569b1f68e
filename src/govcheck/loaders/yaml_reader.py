"""YAML with the safe parser only, scalars resolved as YAML 1.2 core types, every node located.

PyYAML's loaders resolve YAML 1.1 types (`yes` is true, `2026-06-30` a date),
so the YAML and JSON copies of one export would differ. We take PyYAML's
event stream (libyaml's C parser when present) and build the values
ourselves: plain scalars resolve by the YAML 1.2 core schema; every mapping is
a LocatedDict and every sequence a LocatedList; tags other than the core ones
are refused; nesting depth and alias expansion are bounded (billion laughs).
Two departures from the core schema, because govcheck has no field where they
make sense: `.inf` and `.nan` stay strings, and a number too large to read is
kept as its text and noted on the mapping that holds it
(limits.MAX_INTEGER_DIGITS).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml import events

from govcheck.errors import InputError
from govcheck.loaders.decoding import location_of_offset
from govcheck.loaders.limits import MAX_INTEGER_DIGITS, Limits
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.loaders.validation import number_out_of_range, repeated_key
from govcheck.model import Location

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
         "FALSE": False}
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# How every null, boolean, integer and float above starts (the empty text is null).
_TYPED_STARTS = frozenset("~nNtTfF0123456789+-.")
# Integers at or beyond this have more than MAX_INTEGER_DIGITS decimal digits.
_INTEGER_BOUND = 10**MAX_INTEGER_DIGITS
_MERGE_KEY = "<<"

try:
    from yaml._yaml import CParser as _CParser

    _HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _HAVE_LIBYAML = False


class _PyEvents(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python event parser (reader, scanner and parser only)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


class _NumberTooLarge(Exception):
    """A plain scalar is a number, but too large to read as one."""


def _resolve_plain(text: str) -> Any:
    """A plain scalar's value under the YAML 1.2 core schema (`.inf` and `.nan` stay text).

    Raises _NumberTooLarge for an integer over MAX_INTEGER_DIGITS digits or a
    float beyond the floating-point range.
    """
    if text and text[0] not in _TYPED_STARTS:
        return text  # most scalars are names and ids: no pattern below can match them
    if _NULL.fullmatch(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    number: int | float | None = None
    if _INT10.fullmatch(text):
        if len(text.lstrip("+-")) > MAX_INTEGER_DIGITS:
            raise _NumberTooLarge
        number = int(text)
    elif _INT8.fullmatch(text):
        number = int(text[2:], 8)
    elif _INT16.fullmatch(text):
        number = int(text[2:], 16)
    elif _FLOAT.fullmatch(text):
        number = float(text)
        if not math.isfinite(number):
            raise _NumberTooLarge
    else:
        return text
    if isinstance(number, int) and abs(number) >= _INTEGER_BOUND:
        raise _NumberTooLarge
    return number


_NUMBER_TYPES = (int, float)


def _is_number(value: Any) -> bool:
    return type(value) in _NUMBER_TYPES


def _is_simple_scalar(event: Any) -> bool:
    """A scalar with no tag and no anchor: what `_Composer.node` reads without bookkeeping."""
    return type(event) is events.ScalarEvent and event.tag is None and event.anchor is None


def _is_merge_key(event: Any) -> bool:
    """A plain `<<` key (a quoted one is an ordinary key)."""
    return (isinstance(event, events.ScalarEvent) and event.value == _MERGE_KEY
            and (event.style is None or event.style == ""))


class _Composer:
    """Builds located values from the event stream, with the safety limits applied."""

    def __init__(self, text: str, path: str, limits: Limits) -> None:
        self.text = text
        self.path = path
        self.limits = limits
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.alias_nodes = 0
        self.parser: Any = _CParser(text) if _HAVE_LIBYAML else _PyEvents(text)
        self.next_event: Callable[[], Any] = self.parser.get_event
        # The mappings being read, innermost last: a number too large to read is noted there.
        self.open: list[LocatedDict] = []
        self.reading_key = False

    def at(self, mark: Any) -> Location:
        return Location(self.path, mark.line + 1, mark.column + 1)

    def error(self, message: str, mark: Any) -> InputError:
        return InputError(message, self.at(mark))

    def documents(self) -> list[tuple[Any, Location]]:
        """Each document's root value and where it starts (empty documents left out)."""
        roots: list[tuple[Any, Location]] = []
        event = self.next_event()  # StreamStart
        while True:
            event = self.next_event()
            if isinstance(event, events.StreamEndEvent) or event is None:
                return roots
            # DocumentStart: anchors are scoped to their document.
            self.anchors = {}
            value, location, _ = self.node(self.next_event(), 0)
            self.next_event()  # DocumentEnd
            if value is not None:
                roots.append((value, location))

    def node(self, event: Any, depth: int) -> tuple[Any, Location, int]:
        """The value an event starts, its location and its size in nodes."""
        if isinstance(event, events.AliasEvent):
            return self.alias(event)
        anchor = getattr(event, "anchor", None)
        if isinstance(event, events.ScalarEvent):
            value = self.scalar(event)
            result: tuple[Any, Location, int] = (value, self.at(event.start_mark), 1)
        elif isinstance(event, events.SequenceStartEvent):
            self.check_tag(event, "seq", depth)
            result = self.sequence(event, depth + 1)
        elif isinstance(event, events.MappingStartEvent):
            self.check_tag(event, "map", depth)
            result = self.mapping(event, depth + 1)
        else:  # pragma: no cover - the parser only starts nodes with the events above
            raise self.error("unexpected YAML structure", event.start_mark)
        if anchor is not None:
            self.anchors[anchor] = (result[0], result[2])
        return result

    def alias(self, event: Any) -> tuple[Any, Location, int]:
        if event.anchor not in self.anchors:
            raise self.error(f"alias *{event.anchor} names no anchor defined before it"
                             " (recursive aliases are not allowed)", event.start_mark)
        value, size = self.anchors[event.anchor]
        self.alias_nodes += size
        if self.alias_nodes > self.limits.max_alias_nodes:
            raise self.error(
                f"aliases expand to more than {self.limits.max_alias_nodes} nodes"
                " (an alias bomb?); write the values out instead", event.start_mark)
        return value, self.at(event.start_mark), size

    def check_tag(self, event: Any, expected: str, depth: int) -> None:
        if event.tag is not None and event.tag not in ("!", _CORE + expected):
            raise self.error(f"tag {event.tag} is not allowed; inventory files use plain"
                             " YAML (strings, numbers, booleans, lists, mappings)",
                             event.start_mark)
        if depth + 1 > self.limits.max_depth:
            raise self.error(f"nesting deeper than {self.limits.max_depth} levels",
                             event.start_mark)

    def scalar(self, event: Any) -> Any:
        try:
            return self.typed_scalar(event)
        except _NumberTooLarge:
            # Keys keep their text anyway (key_text), so only values are noted.
            if self.open and not self.reading_key:
                at = self.at(event.start_mark)
                self.open[-1].problems.append(
                    (number_out_of_range(event.value, at.line, at.column), at))
            return event.value

    def typed_scalar(self, event: Any) -> Any:
        tag, text = event.tag, event.value
        plain = event.style is None or event.style == ""
        if tag is None:
            return _resolve_plain(text) if plain and event.implicit[0] else text
        if tag in ("!", _CORE + "str"):
            return text
        resolved = _resolve_plain(text)
        kinds: dict[str, Callable[[Any], bool]] = {
            "null": lambda v: v is None,
            "bool": lambda v: isinstance(v, bool),
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "float": lambda v: isinstance(v, float | int) and not isinstance(v, bool),
        }
        name = tag[len(_CORE):] if tag.startswith(_CORE) else None
        if name not in kinds:
            raise self.error(f"tag {tag} is not allowed; inventory files use plain YAML"
                             " (strings, numbers, booleans, lists, mappings)", event.start_mark)
        if not kinds[name](resolved):
            raise self.error(f"{text!r} is not a valid !!{name}", event.start_mark)
        return float(resolved) if name == "float" else resolved

    def sequence(self, start: Any, depth: int) -> tuple[Any, Location, int]:
        result = LocatedList(location=self.at(start.start_mark))
        size = 1
        while True:
            event = self.next_event()
            if isinstance(event, events.SequenceEndEvent):
                return result, result.location, size
            value, location, item_size = self.node(event, depth)
            if _is_number(value) and isinstance(event, events.ScalarEvent):
                result.number_texts[len(result)] = event.value
            result.append(value)
            result.item_locations.append(location)
            size += item_size

    def mapping(self, start: Any, depth: int) -> tuple[Any, Location, int]:
        result = LocatedDict(location=self.at(start.start_mark))
        merges: list[tuple[Any, Location]] = []
        size = 1
        first = True
        self.open.append(result)
        while True:
            key_event = self.next_event()
            if isinstance(key_event, events.MappingEndEvent):
                break
            name: str | None = None
            if _is_simple_scalar(key_event):
                # What `node` and `key_text` give for a key as most are, without their calls:
                # a key keeps its text as written, and a number too large is not noted.
                name, key_size = key_event.value, 1
                key, key_location = name, self.at(key_event.start_mark)
            else:
                self.reading_key = True
                try:
                    key, key_location, key_size = self.node(key_event, depth)
                finally:
                    self.reading_key = False
            merging = _is_merge_key(key_event)
            value_event = self.next_event()
            if _is_simple_scalar(value_event):
                # `node` for a scalar value, without its location unless a merge needs it.
                value, value_size = self.scalar(value_event), 1
                value_location = self.at(value_event.start_mark) if merging else key_location
                if type(value) in _NUMBER_TYPES:
                    number_text: str | None = value_event.value
                else:
                    number_text = None
            else:
                value, value_location, value_size = self.node(value_event, depth)
                number_text = (value_event.value if _is_number(value)
                               and isinstance(value_event, events.ScalarEvent) else None)
            size += key_size + value_size
            if first:
                result.location = key_location
                first = False
            if merging:
                merges.append((value, value_location))
                continue
            if name is None:
                name = self.key_text(key, key_event)
            if name in result:
                result.problems.append(
                    (repeated_key(name, result.key_locations[name], key_location),
                     key_location))
                continue
            result[name] = value
            result.key_locations[name] = key_location
            if number_text is not None:
                result.number_texts[name] = number_text
        self.open.pop()
        for value, location in merges:
            self.merge(result, value, location)
        return result, result.location, size

    def key_text(self, key: Any, event: Any) -> str:
        if isinstance(key, LocatedDict | LocatedList):
            raise self.error("a mapping key must be a plain value, not a list or mapping",
                             event.start_mark)
        if isinstance(event, events.ScalarEvent):
            # Keys are field names: keep what was written (`2026`, `true`), as JSON would.
            return str(event.value)
        return str(key)

    def merge(self, target: LocatedDict, value: Any, location: Location) -> None:
        """YAML merge keys (`<<: *defaults`): keys not given explicitly are taken over."""
        sources = value if isinstance(value, LocatedList) else [value]
        for source in sources:
            if not isinstance(source, LocatedDict):
                raise InputError("a merge key (<<) takes a mapping or a list of mappings",
                                 location)
            for key, item in source.items():
                if key not in target:
                    target[key] = item
                    target.key_locations[key] = source.key_locations.get(key, location)
                    if key in source.number_texts:
                        target.number_texts[key] = source.number_texts[key]


def parse_yaml(text: str, path: str, limits: Limits) -> list[tuple[Any, Location]]:
    """Each document's root value (LocatedDicts, LocatedLists, scalars) and its location.

    Raises InputError at `path:line:col` when the text is not YAML, uses a
    tag, nests too deep or expands aliases too far.
    """
    composer: _Composer | None = None
    try:
        # The pure-Python reader checks characters as it is built, so build it in here.
        composer = _Composer(text, path, limits)
        return composer.documents()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        location = (Location(path, mark.line + 1, mark.column + 1) if mark is not None
                    else Location(path, 1, 1))
        raise InputError(f"not valid YAML: {problem}", location) from None
    except yaml.reader.ReaderError as exc:
        location = _reader_location(text, path, exc.position, bytes_offset=_HAVE_LIBYAML)
        raise InputError(f"not valid YAML: {exc.reason} (character {exc.character!r})",
                         location) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", Location(path, 1, 1)) from None
    except RecursionError:
        raise InputError(f"nesting deeper than {limits.max_depth} levels",
                         Location(path, 1, 1)) from None
    except UnicodeEncodeError as exc:
        # Only text decoded with surrogate escapes gets here; files are decoded strictly.
        raise InputError("not valid YAML: the text holds undecodable bytes",
                         location_of_offset(text, path, exc.start)) from None
    finally:
        dispose = getattr(composer.parser, "dispose", None) if composer else None
        if dispose is not None:
            dispose()


def _reader_location(text: str, path: str, position: int, *, bytes_offset: bool) -> Location:
    """Line and column of a reader error's offset (libyaml counts UTF-8 bytes)."""
    if bytes_offset:
        prefix = text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "replace")
    else:
        prefix = text[:position]
    line = prefix.count("\n") + 1
    column = len(prefix) - (prefix.rfind("\n") + 1) + 1
    return Location(path, line, column)
