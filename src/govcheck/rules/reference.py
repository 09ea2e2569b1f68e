"""The reference backend: cel-python's own interpreter (`InterpretedRunner`).

cel-python's compiled runner mishandles custom functions and `!has(...)`
(cel-python issue #145), so its tree-walking interpreter is the reference
that the fast path is checked against. It is slow (about 2,000 evaluations
a second); select it with `GOVCHECK_CEL_BACKEND=reference`.

Values are converted to cel-python's types once per node (cached), and the
operators where cel-python departs from the CEL specification (`==`, `<`,
... across int and double; `in`) are replaced by the shared ones in
`semantics`, as are the extension functions, so both backends mean the same.
Each evaluation error is turned into a `CelError` with a short message:
cel-python's own text embeds the whole activation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import celpy
import celpy.celtypes as ct
from celpy.evaluation import CELEvalError

from govcheck.rules import semantics
from govcheck.rules.graphview import GraphView
from govcheck.rules.semantics import CelError

_ENVIRONMENT: celpy.Environment | None = None


def environment() -> celpy.Environment:
    """The one cel-python environment (parsing only; it holds no per-run state we use)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = celpy.Environment()
    return _ENVIRONMENT


def parse(text: str) -> Any:
    """The lark tree of a CEL expression; raises celpy.CELParseError."""
    return environment().compile(text)


def to_cel(value: Any) -> Any:
    """A plain value as cel-python's types."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ct.BoolType(value)
    if isinstance(value, str):
        return ct.StringType(value)
    if isinstance(value, int):
        return ct.IntType(value)
    if isinstance(value, float):
        return ct.DoubleType(value)
    if isinstance(value, datetime):
        return ct.TimestampType(semantics.to_utc(value))
    if isinstance(value, timedelta):
        return ct.DurationType(seconds=value.days * 86400 + value.seconds,
                               nanos=value.microseconds * 1000)
    if isinstance(value, Mapping):
        return ct.MapType({ct.StringType(str(k)): to_cel(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return ct.ListType([to_cel(v) for v in value])
    if isinstance(value, semantics.CelType):
        return value
    raise CelError(f"unsupported value of type {type(value).__name__}")


def from_cel(value: Any) -> Any:
    """A cel-python value as a plain value (for results and comparisons)."""
    tag = semantics.tag_of(value)
    if tag == semantics.NULL:
        return None
    if tag == semantics.BOOL:
        return bool(value)
    if tag == semantics.NUM:
        return semantics.plain_number(value)
    if tag == semantics.STR:
        return str(value)
    if tag == semantics.TS:
        return semantics.to_utc(value)
    if tag == semantics.DUR:
        return timedelta(seconds=value.total_seconds())
    if tag == semantics.MAP:
        return {str(k): from_cel(v) for k, v in value.items()}
    if tag == semantics.LIST:
        return [from_cel(v) for v in value]
    if tag == semantics.TYPE:
        return semantics.TYPES.get(semantics.type_name(value), value)
    return value


def _short(error: BaseException) -> str:
    """A one-line message for an error, without cel-python's dump of the activation."""
    text = error.args[0] if error.args else str(error)
    text = str(text).split(" (in activation", 1)[0]
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."


def _guard(function: Callable[..., Any], convert: bool = True) -> Callable[..., Any]:
    """A cel-python function from a shared one: errors in and out become CELEvalError values."""

    def wrapped(*args: Any) -> Any:
        for arg in args:
            if isinstance(arg, CELEvalError):
                return arg
        try:
            result = function(*args)
        except CelError as error:
            return CELEvalError(str(error))
        return to_cel(result) if convert else result

    wrapped.__name__ = getattr(function, "__name__", "function")
    return wrapped


def _relation(test: Callable[[int], bool]) -> Callable[[Any, Any], Any]:
    def compare(left: Any, right: Any) -> Any:
        return ct.BoolType(test(semantics.cel_compare(left, right)))

    return _guard(compare, convert=False)


_OPERATORS: dict[str, Callable[..., Any]] = {
    "_==_": _guard(lambda a, b: ct.BoolType(semantics.cel_eq(a, b)), convert=False),
    "_!=_": _guard(lambda a, b: ct.BoolType(not semantics.cel_eq(a, b)), convert=False),
    "_<_": _relation(lambda c: c < 0),
    "_<=_": _relation(lambda c: c <= 0),
    "_>_": _relation(lambda c: c > 0),
    "_>=_": _relation(lambda c: c >= 0),
    "_in_": _guard(lambda a, b: ct.BoolType(semantics.cel_in(a, b)), convert=False),
}


class _StringType(ct.StringType):
    """cel-python's `string()` writes `True` for true; this one follows CEL (`true`)."""

    def __new__(cls, value: Any = "") -> Any:
        if isinstance(value, CELEvalError):
            return value
        try:
            return ct.StringType(semantics.cel_string(value))
        except CelError as error:
            return CELEvalError(str(error))


class ReferenceSession:
    """Evaluates compiled expressions with cel-python's interpreter over one graph."""

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self._node_cache: dict[str, Any] = {}
        self._key_of: dict[int, str] = {}
        functions: dict[str, Callable[..., Any]] = dict(_OPERATORS)
        for name, function in semantics.METHODS.items():
            if name not in ("contains", "startsWith", "endsWith", "matches", "size"):
                functions[name] = _guard(function)
        # `string` is also a type name (`type(x) == string`), so it stays a class.
        functions["string"] = _StringType
        for name in ("outgoing", "incoming", "reach", "chain"):
            functions[name] = self._graph_list(name)
        functions["loops"] = _guard(self._loops)
        functions["event_hash"] = _guard(self._event_hash)
        self.functions = functions
        self._programs: dict[int, Any] = {}

    # --- conversion, once per node ---------------------------------------------------
    def node_value(self, key: str) -> Any:
        """The node's map as cel-python values (converted on first use)."""
        found = self._node_cache.get(key)
        if found is None:
            found = to_cel(self.view.graph.node(key))
            self._node_cache[key] = found
            self._key_of[id(found)] = key
        return found

    def _key(self, value: Any) -> str:
        key = self._key_of.get(id(value))
        return key if key is not None else self.view.key_of(value)

    def _graph_list(self, how: str) -> Callable[..., Any]:
        def walk(node_map: Any, edge: Any) -> Any:
            if not isinstance(edge, str):
                raise CelError(f"{how}(): the edge name must be a string")
            keys = getattr(self.view.graph, how)(self._key(node_map), str(edge))
            return ct.ListType([self.node_value(k) for k in keys])

        return _guard(walk, convert=False)

    def _loops(self, node_map: Any, edge: Any) -> bool:
        if not isinstance(edge, str):
            raise CelError("loops(): the edge name must be a string")
        return bool(self.view.graph.loops(self._key(node_map), str(edge)))

    def _event_hash(self, node_map: Any) -> str:
        return self.view.event_hash(self.view.graph.node(self._key(node_map)))

    # --- evaluation ------------------------------------------------------------------
    def run(self, tree: Any, context: Mapping[str, Any]) -> Any:
        """Evaluate a parsed expression; returns a plain value or raises CelError."""
        program = self._programs.get(id(tree))
        if program is None:
            program = environment().program(tree, functions=self.functions)
            self._programs[id(tree)] = program
        try:
            result = program.evaluate(dict(context))
        except CELEvalError as error:
            raise CelError(_short(error)) from None
        except CelError:
            raise
        except Exception as error:  # cel-python raises bare Python errors on some inputs
            raise CelError(_short(error)) from None
        if isinstance(result, CELEvalError):
            raise CelError(_short(result))
        return from_cel(result)

    def context(self, node_key: str, frame: Mapping[str, Any],
                lets: list[tuple[str, Any]]) -> dict[str, Any]:
        """The activation for one node: node, the run's values and each let (in order)."""
        context: dict[str, Any] = dict(frame)
        context["node"] = self.node_value(node_key)
        for name, tree in lets:
            try:
                context[name] = to_cel(self.run(tree, context))
            except CelError as error:
                # An unused let that errors must not fail the node: keep the error as the
                # let's value, so only expressions that read it get the error.
                context[name] = CELEvalError(str(error))
        return context

    def frame(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The run-wide values (params, settings, now, today) as cel-python values."""
        return {name: to_cel(value) for name, value in values.items()}
