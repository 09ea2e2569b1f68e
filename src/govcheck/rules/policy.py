"""Policy files (`policies/**/*.yaml`) to compiled rules, every error located.

A policy file holds one check (a mapping) or several (a list, or several
YAML documents). Each check is validated by `policy.schema.json`, its target
kinds checked, and every CEL expression parsed and translated once, here; a
syntax error points at its line and column inside the YAML file. Test cases
come from the check's `tests:` key and from a sibling `<stem>.tests.yaml`,
which is never read as rules.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from govcheck.errors import GovcheckError, PolicyError
from govcheck.kinds import KINDS
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.model import Basis, CheckInfo, Location, Severity
from govcheck.rules.fastpath import Closure, CompileError, translate

TARGET_KINDS: tuple[str, ...] = (*sorted(KINDS), "phase")
TESTS_SUFFIX = ".tests.yaml"
# A `tests/` folder inside a policy folder holds test files, never rules.
TESTS_FOLDER = "tests"


@dataclass(frozen=True, slots=True)
class Expression:
    """One compiled CEL expression of a rule: its text, parse tree, closure and place."""

    name: str
    text: str
    tree: Any
    closure: Closure
    location: Location


@dataclass(frozen=True, slots=True)
class TestCase:
    """One test case of a check: a small inventory and the entities expected to fail."""

    check: str
    name: str
    as_of: datetime
    inventory: Mapping[str, Any]
    expect: tuple[str, ...]
    location: Location
    settings: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rule:
    """A loaded, compiled check."""

    info: CheckInfo
    targets: tuple[str, ...]
    params: Mapping[str, Any]
    severity_by_tier: Mapping[str, Severity]
    assertion: Expression
    message: str
    source: Location
    when: Expression | None = None
    lets: tuple[Expression, ...] = ()
    message_expression: Expression | None = None
    tests: tuple[TestCase, ...] = ()

    @property
    def expressions(self) -> tuple[Expression, ...]:
        """Every compiled expression, in evaluation order."""
        found = [e for e in (self.when, *self.lets, self.assertion, self.message_expression)
                 if e is not None]
        return tuple(found)


@functools.cache
def policy_schema() -> dict[str, Any]:
    """The JSON Schema of one check."""
    text = resources.files("govcheck.schemas").joinpath("policy.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when under it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_yaml(path: Path, shown: str) -> tuple[list[tuple[Any, Location]], list[str]]:
    from govcheck.loaders.limits import Limits
    from govcheck.loaders.yaml_reader import parse_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"cannot read policy file: {error}", Location(shown, 1, 1)) from None
    try:
        documents = parse_yaml(text, shown, Limits())
    except GovcheckError as error:
        raise PolicyError(error.message, error.location) from None
    _refuse_duplicate_keys([value for value, _ in documents])
    return documents, text.splitlines()


def _refuse_duplicate_keys(values: Sequence[Any]) -> None:
    for value in values:
        if isinstance(value, LocatedDict):
            for message, location in value.problems:
                raise PolicyError(message, location)
            _refuse_duplicate_keys(list(value.values()))
        elif isinstance(value, list):
            _refuse_duplicate_keys(value)


def _located(root: Any, path: Sequence[Any], fallback: Location) -> Location:
    """The location of the value at `path` inside located data (its key, or its item)."""
    where = getattr(root, "location", fallback)
    current = root
    for step in path:
        if isinstance(current, LocatedDict) and step in current:
            where = current.key_locations.get(str(step), where)
            current = current[step]
        elif isinstance(current, LocatedList) and isinstance(step, int) and \
                0 <= step < len(current):
            where = current.location_of(step)
            current = current[step]
        else:
            break
    return where


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _validate(value: Any, schema: Mapping[str, Any], where: Location, what: str) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(value),
                    key=lambda e: (len(e.absolute_path), [str(p) for p in e.absolute_path]))
    if not errors:
        return
    error = errors[0]
    path = list(error.absolute_path)
    location = _located(value, path, where)
    field_path = ".".join(str(p) for p in path)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(map(str, error.instance)) - set(allowed))
        if extra and isinstance(value, LocatedDict) and not path:
            location = value.key_locations.get(extra[0], location)
        message = (f"unknown field(s) {', '.join(extra)}; allowed: {', '.join(allowed)}"
                   if not path else _short(error.message))
    elif error.validator == "required":
        message = _short(error.message)
    elif error.validator == "oneOf":
        wanted = "a CEL expression (text)" if any(
            "minLength" in str(option) for option in error.validator_value) else "another type"
        message = f"{field_path}: expected {wanted}, not {type(error.instance).__name__}"
    else:
        message = f"{field_path}: {_short(error.message)}" if field_path else _short(error.message)
    raise PolicyError(f"{what}: {message}", location)


# --- locating CEL errors inside the YAML text ---------------------------------------------


def _segments(lines: Sequence[str], key: Location) -> list[tuple[int, int, str]]:
    """Where the text of a scalar value sits: (line, column, text) per source line, 1-based."""
    index = key.line - 1
    if not 0 <= index < len(lines):
        return []
    line = lines[index]
    colon = line.find(":", key.column - 1)
    if colon < 0:
        return []
    rest = line[colon + 1:]
    start = colon + 1 + (len(rest) - len(rest.lstrip()))
    rest = rest.strip()
    key_indent = key.column - 1
    following: list[tuple[int, int, str]] = []
    content_indent: int | None = None
    for number in range(index + 1, len(lines)):
        text = lines[number]
        if not text.strip():
            continue
        indent = len(text) - len(text.lstrip())
        if indent <= key_indent:
            break
        if content_indent is None:
            content_indent = indent
        following.append((number + 1, indent + 1, text.strip()))
    if rest[:1] in ("|", ">"):
        return following
    if rest[:1] in ("'", '"'):
        first = (index + 1, start + 2, rest[1:])
        return [first, *following] if following else [first]
    return [(index + 1, start + 1, rest), *following]


def _cel_location(lines: Sequence[str], key: Location, expression: str, line: int,
                  column: int) -> Location:
    """The YAML location of (line, column) inside an expression's text."""
    segments = _segments(lines, key)
    expression_lines = expression.split("\n")
    offset = sum(len(text) + 1 for text in expression_lines[: max(line - 1, 0)]) + column - 1
    for seg_line, seg_column, text in segments:
        if offset <= len(text):
            return Location(key.path, seg_line, seg_column + offset)
        offset -= len(text) + 1
    return key


def _cel_text(value: Any) -> str:
    """An expression's text; a YAML boolean (`when: true`) is the CEL literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Expressions compiled in this process, by (text, lets): a pack loaded again (the test
# command, a library caller) reuses them. Trees and closures hold no per-run state
# (the frame is passed in), so sharing them is safe; failures are never kept.
_COMPILED: dict[tuple[str, tuple[str, ...]], tuple[Any, Closure]] = {}
_MAX_COMPILED = 2048


def _compile(name: str, text: str, lets: Sequence[str], key: Location,
             lines: Sequence[str], check: str) -> Expression:
    where = _cel_location(lines, key, text, 1, 1)
    known = _COMPILED.get((text, tuple(lets)))
    if known is not None:
        return Expression(name, text, known[0], known[1], where)
    tree, closure = _parse_and_translate(name, text, lets, key, lines, check)
    if len(_COMPILED) >= _MAX_COMPILED:
        _COMPILED.clear()  # a long-lived caller loading many packs keeps a bounded memo
    _COMPILED[(text, tuple(lets))] = (tree, closure)
    return Expression(name, text, tree, closure, where)


def _parse_and_translate(name: str, text: str, lets: Sequence[str], key: Location,
                         lines: Sequence[str], check: str) -> tuple[Any, Closure]:
    from govcheck.rules.treecache import shared

    try:
        tree = shared().parse(text)
    except Exception as error:  # lark raises its own errors on some malformed input
        # Imported here: with the trees cached, a run need not import cel-python at all.
        from celpy.celparser import CELParseError

        if isinstance(error, CELParseError):
            line = getattr(error, "line", None) or 1
            column = getattr(error, "column", None) or 1
            where = _cel_location(lines, key, text, line, column)
            raise PolicyError(f"{check}: {name} is not valid CEL (syntax error here)",
                              where) from None
        raise PolicyError(f"{check}: {name} is not valid CEL: {_short(str(error))}",
                          key) from None
    try:
        closure = translate(tree, lets)
    except CompileError as error:
        where = _cel_location(lines, key, text, error.line, error.column)
        raise PolicyError(f"{check}: {name}: {error.message}", where) from None
    return tree, closure


# --- checks -----------------------------------------------------------------------------


def _as_of(value: Any, where: Location, check: str) -> datetime:
    from govcheck.dates import parse_date

    moment = parse_date(value)
    if moment is None:
        raise PolicyError(f"{check}: test as_of {value!r} is not an ISO 8601 date", where)
    return moment


def _test_cases(check: str, cases: Any, where: Location) -> list[TestCase]:
    found: list[TestCase] = []
    schema = policy_schema()
    test_schema = {"$defs": schema["$defs"], **schema["$defs"]["tests"]}
    _validate(cases, test_schema, where, f"{check}: tests")
    for index, case in enumerate(cases):
        location = cases.location_of(index) if isinstance(cases, LocatedList) else where
        if isinstance(case, LocatedDict):
            location = case.key_locations.get("name", location)
        found.append(TestCase(
            check=check,
            name=str(case["name"]),
            as_of=_as_of(case.get("as_of"), location, check),
            inventory=case["inventory"],
            expect=tuple(str(e) for e in case["expect"]),
            location=location,
            settings=case.get("settings") or {},
            params=case.get("params") or {},
        ))
    return found


def _rule(data: LocatedDict, lines: Sequence[str], where: Location,
          extra_tests: Any) -> Rule:
    _validate(data, policy_schema(), where, f"check {data.get('id', '')}".strip())
    check = str(data["id"])
    targets_value = data["target"]
    targets = (targets_value,) if isinstance(targets_value, str) else tuple(targets_value)
    for kind in targets:
        if kind not in TARGET_KINDS:
            raise PolicyError(f"{check}: unknown target kind '{kind}'; expected one of"
                              f" {', '.join(TARGET_KINDS)}",
                              data.key_locations.get("target", where))

    def key(name: str, container: Any = data) -> Location:
        locations = getattr(container, "key_locations", {})
        found: Location = locations.get(name, where)
        return found

    lets: list[Expression] = []
    let_block = data.get("let") or {}
    for name, text in let_block.items():
        if name in ("node", "params", "settings", "now", "today"):
            raise PolicyError(f"{check}: let '{name}' hides a name of the CEL environment",
                              key(name, let_block))
        lets.append(_compile(f"let {name}", _cel_text(text), [e.name[4:] for e in lets],
                             key(name, let_block), lines, check))
    let_names = [e.name[4:] for e in lets]
    when = _compile("when", _cel_text(data["when"]), let_names, key("when"), lines, check) \
        if "when" in data else None
    assertion = _compile("assert", _cel_text(data["assert"]), let_names, key("assert"), lines,
                         check)
    message_expression = (
        _compile("messageExpression", _cel_text(data["messageExpression"]), let_names,
                 key("messageExpression"), lines, check)
        if "messageExpression" in data else None
    )
    if "message" not in data and message_expression is None:
        raise PolicyError(f"{check}: give a message or a messageExpression", where)
    tests = _test_cases(check, data["tests"], key("tests")) if "tests" in data else []
    if extra_tests is not None:
        cases, cases_where = extra_tests
        tests.extend(_test_cases(check, cases, cases_where))
    source = data.location
    info = CheckInfo(
        id=check,
        title=str(data["title"]),
        controls=tuple(str(c) for c in data["controls"]),
        severity=Severity(data["severity"]),
        related=tuple(str(c) for c in data.get("related", ())),
        basis=Basis(data.get("basis", "standard")),
        description=" ".join(str(data.get("description", "")).split()),
        remediation=" ".join(str(data.get("remediation", "")).split()),
        source=source,
    )
    return Rule(
        info=info,
        targets=targets,
        params=dict(data.get("params") or {}),
        severity_by_tier={str(k): Severity(v) for k, v in
                          (data.get("severity_by_tier") or {}).items()},
        assertion=assertion,
        message=" ".join(str(data.get("message", "")).split()),
        source=source,
        when=when,
        lets=tuple(lets),
        message_expression=message_expression,
        tests=tuple(tests),
    )


def _checks_in(documents: list[tuple[Any, Location]], shown: str) -> list[tuple[Any, Location]]:
    checks: list[tuple[Any, Location]] = []
    for value, where in documents:
        if isinstance(value, list):
            items = value if isinstance(value, LocatedList) else LocatedList(value,
                                                                             location=where)
            checks.extend((item, items.location_of(i)) for i, item in enumerate(items))
        else:
            checks.append((value, where))
    if not checks:
        raise PolicyError("the policy file holds no check", Location(shown, 1, 1))
    for value, where in checks:
        if not isinstance(value, LocatedDict):
            raise PolicyError("a check must be a mapping (id, title, controls, target,"
                              " assert, ...)", where)
    return checks


def _sibling_tests(path: Path, checks: list[tuple[Any, Location]]
                   ) -> Callable[[str], Any]:
    """Test cases of each check from a sibling test file, when there is one.

    DESIGN names both `<stem>.tests.yaml` beside the policy and "a sibling
    tests/ file"; the latter is `tests/<stem>.yaml` (or `tests/<stem>.tests.yaml`).
    """
    stem = path.name[: -len(".yaml")]
    candidates = [path.with_name(stem + TESTS_SUFFIX),
                  path.parent / TESTS_FOLDER / (stem + ".yaml"),
                  path.parent / TESTS_FOLDER / (stem + TESTS_SUFFIX)]
    present = [c for c in candidates if c.is_file()]
    if not present:
        return lambda check: None
    if len(present) > 1:
        raise PolicyError(
            f"{path.name} has test cases in {len(present)} files"
            f" ({', '.join(display_path(p) for p in present)}); keep them in one",
            Location(display_path(present[1]), 1, 1))
    tests_path = present[0]
    shown = display_path(tests_path)
    documents, _ = _read_yaml(tests_path, shown)
    value, where = documents[0] if documents else (LocatedList(location=Location(shown)),
                                                   Location(shown, 1, 1))
    ids = [str(c.get("id")) for c, _ in checks]
    if isinstance(value, list):
        if len(ids) != 1:
            raise PolicyError(
                f"{path.name} holds several checks; write its tests as a mapping of check id"
                " to a list of cases", where)
        return lambda check: (value, where)
    if isinstance(value, LocatedDict):
        for check_id in value:
            if check_id not in ids:
                raise PolicyError(f"test cases for '{check_id}', which {path.name} does not"
                                  " define", value.key_locations.get(check_id, where))
        return lambda check: (
            (value[check], value.key_locations.get(check, where)) if check in value else None
        )
    raise PolicyError("a tests file holds a list of test cases (or a mapping of check id"
                      " to cases)", where)


def policy_files(directory: Path) -> list[Path]:
    """The policy files under a folder, in path order (test files left out)."""
    found = [p for p in directory.rglob("*.yaml")
             if p.is_file() and not p.name.endswith(TESTS_SUFFIX)
             and TESTS_FOLDER not in p.relative_to(directory).parts[:-1]]
    return sorted(found, key=lambda p: p.relative_to(directory).as_posix())


def load_file(path: Path) -> list[Rule]:
    """The checks of one policy file, compiled."""
    shown = display_path(path)
    documents, lines = _read_yaml(path, shown)
    checks = _checks_in(documents, shown)
    extra = _sibling_tests(path, checks)
    return [_rule(value, lines, where, extra(str(value.get("id"))))
            for value, where in checks]


def load_policies(dirs: Sequence[Path]) -> tuple[Rule, ...]:
    """Every check under the folders, compiled once; PolicyError at file:line:col otherwise."""
    from govcheck.rules.treecache import shared

    # cel-python raises the limit to 2500 when its parser is built (CEL's nesting
    # minimums); trees read from the cache skip that, so the limit is raised here too.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2500))
    rules: list[Rule] = []
    seen: dict[str, Location] = {}
    for directory in dirs:
        directory = Path(directory)
        if not directory.is_dir():
            raise PolicyError(f"policy folder '{directory}' is not a directory",
                              Location(display_path(directory), 1, 1))
        for path in policy_files(directory):
            for rule in load_file(path):
                first = seen.get(rule.info.id)
                if first is not None:
                    raise PolicyError(f"check id '{rule.info.id}' is already defined at"
                                      f" {first}", rule.source)
                seen[rule.info.id] = rule.source
                rules.append(rule)
    shared().save()
    return tuple(rules)
