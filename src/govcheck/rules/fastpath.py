"""The fast path: CEL parse trees translated once into Python closures.

cel-python's interpreter walks the lark tree again for every evaluation and
wraps every value in its own types; its compiled runner mishandles custom
functions and `!has(...)`. Here each rule expression is translated once, at
load time, into nested closures over plain Python values (the graph's own
node maps, str, int, float, bool, list, dict, datetime, timedelta), so an
evaluation is a handful of Python calls. The meaning of every construct
follows the reference interpreter (the differential test holds the two
together); equality, ordering, membership and the extension functions are
the shared ones in `semantics`.

An evaluation error raises `CelError`; `||`, `&&`, `all` and `exists`
absorb errors the way CEL (and the reference) does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from govcheck.rules import semantics
from govcheck.rules.graphview import GraphView
from govcheck.rules.semantics import CelError

Closure = Callable[["Frame"], Any]

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_MISSING = object()


class CompileError(Exception):
    """An expression that parses but cannot run: an unknown name or function, a bad macro."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _Failed:
    """A let whose evaluation failed on this node (re-raised wherever it is read)."""

    __slots__ = ("error",)

    def __init__(self, error: CelError) -> None:
        self.error = error


class Frame:
    """The activation of one node's evaluation: the names a rule may read."""

    __slots__ = ("let_values", "lets", "node", "now", "params", "settings", "today", "vars",
                 "view")

    def __init__(self, view: GraphView, lets: Mapping[str, Closure], params: Any,
                 settings: Any, now: datetime, today: datetime) -> None:
        self.view = view
        self.lets = lets
        self.params = params
        self.settings = settings
        self.now = now
        self.today = today
        self.node: Any = None
        self.vars: dict[str, Any] = {}
        self.let_values: dict[str, Any] = {}

    def bind(self, node_map: Any) -> None:
        """Start evaluating a new node: lets are recomputed lazily."""
        self.node = node_map
        if self.let_values:
            self.let_values = {}

    def let(self, name: str) -> Any:
        """A let's value, computed on first read for this node."""
        value = self.let_values.get(name, _MISSING)
        if value is _MISSING:
            try:
                value = self.lets[name](self)
            except CelError as error:
                value = _Failed(error)
            self.let_values[name] = value
        if type(value) is _Failed:
            raise value.error
        return value


GLOBALS: dict[str, Closure] = {
    "node": lambda f: f.node,
    "params": lambda f: f.params,
    "settings": lambda f: f.settings,
    "now": lambda f: f.now,
    "today": lambda f: f.today,
}


def _position(tree: Any) -> tuple[int, int]:
    meta = getattr(tree, "meta", None)
    line = getattr(meta, "line", None) if meta is not None else None
    column = getattr(meta, "column", None) if meta is not None else None
    return (line or 1, column or 1)


def _children(tree: Any) -> list[Any]:
    return [child for child in tree.children if child is not None]


def _bool_or_error(value: Any, what: str) -> bool:
    if value is True or value is False:
        return value
    raise CelError(f"no such overload: {what} needs a bool, got {semantics.type_of(value)!r}")


def _check_int(value: int) -> int:
    if _INT_MIN <= value <= _INT_MAX:
        return value
    raise CelError("return error for overflow")


def _add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is int:
            return _check_int(a + b)
        if ta is str or ta is float or ta is list:
            return a + b
    ka, kb = semantics.tag_of(a), semantics.tag_of(b)
    if ka == kb == semantics.NUM and isinstance(a, float) == isinstance(b, float):
        return a + b if isinstance(a, float) else _check_int(int(a) + int(b))
    if ka == kb and ka in (semantics.STR, semantics.LIST, semantics.BYTES, semantics.DUR):
        return (list(a) + list(b)) if ka == semantics.LIST else a + b
    if (ka, kb) in ((semantics.TS, semantics.DUR), (semantics.DUR, semantics.TS)):
        return a + b
    raise CelError(f"no such overload: {semantics.type_of(a)!r} + {semantics.type_of(b)!r}")


def _sub(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is type(b) and ta is int:
        return _check_int(a - b)
    ka, kb = semantics.tag_of(a), semantics.tag_of(b)
    if ka == kb == semantics.NUM and isinstance(a, float) == isinstance(b, float):
        return a - b if isinstance(a, float) else _check_int(int(a) - int(b))
    if (ka, kb) in ((semantics.TS, semantics.TS), (semantics.TS, semantics.DUR),
                    (semantics.DUR, semantics.DUR)):
        return a - b
    raise CelError(f"no such overload: {semantics.type_of(a)!r} - {semantics.type_of(b)!r}")


def _numbers(a: Any, b: Any, op: str) -> tuple[Any, Any, bool]:
    ka, kb = semantics.tag_of(a), semantics.tag_of(b)
    if ka == kb == semantics.NUM and isinstance(a, float) == isinstance(b, float):
        return a, b, isinstance(a, float)
    raise CelError(f"no such overload: {semantics.type_of(a)!r} {op} {semantics.type_of(b)!r}")


def _mul(a: Any, b: Any) -> Any:
    a, b, is_float = _numbers(a, b, "*")
    return a * b if is_float else _check_int(int(a) * int(b))


def _div(a: Any, b: Any) -> Any:
    a, b, is_float = _numbers(a, b, "/")
    if is_float:
        if b == 0:
            if a == 0 or a != a:
                return float("nan")
            return float("inf") if (a > 0) == (str(b)[0] != "-") else float("-inf")
        return a / b
    if b == 0:
        raise CelError("modulus or divide by zero")
    quotient = abs(int(a)) // abs(int(b))
    return _check_int(quotient if (a < 0) == (b < 0) else -quotient)


def _mod(a: Any, b: Any) -> Any:
    a, b, is_float = _numbers(a, b, "%")
    if is_float:
        raise CelError("no such overload: double % double")
    if b == 0:
        raise CelError("modulus or divide by zero")
    remainder = abs(int(a)) % abs(int(b))
    return -remainder if a < 0 else remainder


def _neg(a: Any) -> Any:
    kind = semantics.tag_of(a)
    if kind == semantics.NUM:
        return -a if isinstance(a, float) else _check_int(-int(a))
    if kind == semantics.DUR:
        return -a
    raise CelError(f"no such overload: -{semantics.type_of(a)!r}")


def _eq(a: Any, b: Any) -> bool:
    ta = type(a)
    if ta is type(b) and (ta is str or ta is int or ta is bool):
        return bool(a == b)
    return semantics.cel_eq(a, b)


def _lt(a: Any, b: Any) -> bool:
    ta = type(a)
    if ta is type(b) and (ta is str or ta is int or ta is datetime or ta is timedelta):
        return bool(a < b)
    return semantics.cel_compare(a, b) < 0


def _le(a: Any, b: Any) -> bool:
    ta = type(a)
    if ta is type(b) and (ta is str or ta is int or ta is datetime or ta is timedelta):
        return bool(a <= b)
    return semantics.cel_compare(a, b) <= 0


def _gt(a: Any, b: Any) -> bool:
    ta = type(a)
    if ta is type(b) and (ta is str or ta is int or ta is datetime or ta is timedelta):
        return bool(a > b)
    return semantics.cel_compare(a, b) > 0


def _ge(a: Any, b: Any) -> bool:
    ta = type(a)
    if ta is type(b) and (ta is str or ta is int or ta is datetime or ta is timedelta):
        return bool(a >= b)
    return semantics.cel_compare(a, b) >= 0


def _in(a: Any, b: Any) -> bool:
    if type(b) is list and type(a) is str:
        for item in b:
            if type(item) is str:
                if item == a:
                    return True
            elif semantics.cel_eq(a, item):
                return True
        return False
    return semantics.cel_in(a, b)


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "relation_eq": _eq,
    "relation_ne": lambda a, b: not _eq(a, b),
    "relation_lt": _lt,
    "relation_le": _le,
    "relation_gt": _gt,
    "relation_ge": _ge,
    "relation_in": _in,
    "addition_add": _add,
    "addition_sub": _sub,
    "multiplication_mul": _mul,
    "multiplication_div": _div,
    "multiplication_mod": _mod,
}


_SIMPLE = (str, int, bool)
# Literal values by their tokens, shared by all translations of the process.
_LITERALS: dict[tuple[tuple[str, str], ...], Any] = {}


def _equality(left: Closure, right: Closure, constant: Any, *, negate: bool) -> Closure:
    """`==` / `!=`, specialised for a literal on the right and for same-typed plain values."""
    cel_eq = semantics.cel_eq
    if constant is not _MISSING and type(constant) in _SIMPLE:
        kind = type(constant)

        def eq_constant(f: Frame) -> Any:
            a = left(f)
            result = a == constant if type(a) is kind else cel_eq(a, constant)
            return not result if negate else bool(result)
        return eq_constant

    def eq(f: Frame) -> Any:
        a = left(f)
        b = right(f)
        kind = type(a)
        result = a == b if kind is type(b) and kind in _SIMPLE else cel_eq(a, b)
        return not result if negate else bool(result)
    return eq


def _index(container: Any, key: Any) -> Any:
    if type(container) is list and type(key) is int:
        if 0 <= key < len(container):
            return container[key]
        raise CelError(f"index {key} out of range for a list of {len(container)}")
    if type(container) is list or semantics.tag_of(container) == semantics.LIST:
        if semantics.tag_of(key) != semantics.NUM or isinstance(key, float):
            raise CelError(f"no such overload: list[{semantics.type_of(key)!r}]")
        position = int(key)
        if not 0 <= position < len(container):
            raise CelError(f"index {position} out of range for a list of {len(container)}")
        return container[position]
    if isinstance(container, Mapping):
        try:
            return container[key]
        except (KeyError, TypeError):
            raise CelError(f"no such key: {key!r}") from None
    raise CelError(f"no such overload: {semantics.type_of(container)!r}[...]")


def _iterable(value: Any, macro: str) -> Sequence[Any]:
    if type(value) is list:
        return value
    tag = semantics.tag_of(value)
    if tag == semantics.LIST:
        return list(value)
    if tag == semantics.MAP:
        return list(value.keys())
    raise CelError(f"no such overload: {macro}() on {semantics.type_of(value)!r}")


def _call(function: Callable[..., Any], name: str, args: list[Closure]) -> Closure:
    """A closure calling a shared function; wrong arity or types become CelError."""
    def wrong() -> CelError:
        return CelError(f"no such overload: {name}() with {len(args)} argument(s)")

    if len(args) == 1:
        (first,) = args

        def call1(f: Frame) -> Any:
            value = first(f)
            try:
                return function(value)
            except TypeError:
                raise wrong() from None
        return call1
    if len(args) == 2:
        first, second = args

        def call2(f: Frame) -> Any:
            a = first(f)
            b = second(f)
            try:
                return function(a, b)
            except TypeError:
                raise wrong() from None
        return call2

    def call(f: Frame) -> Any:
        values = [arg(f) for arg in args]
        try:
            return function(*values)
        except TypeError:
            raise wrong() from None
    return call


class Translator:
    """Translates one parsed expression; `names` are the lets it may read."""

    def __init__(self, lets: Sequence[str]) -> None:
        self.lets = set(lets)
        self.macro_vars: list[str] = []
        # Closures of literals, by id, with their value: comparisons against a constant
        # are specialised so that they read no closure at all.
        self.constants: dict[int, Any] = {}
        self._keep: list[Closure] = []

    def fail(self, message: str, tree: Any) -> CompileError:
        line, column = _position(tree)
        return CompileError(message, line, column)

    def compile(self, tree: Any) -> Closure:
        """The closure computing `tree`'s value."""
        handler = getattr(self, "t_" + str(tree.data), None)
        if handler is None:
            raise self.fail(f"'{tree.data}' is not supported", tree)
        closure: Closure = handler(tree)
        return closure

    def _pass_or(self, tree: Any, build: Callable[[Any], Closure]) -> Closure:
        children = _children(tree)
        if len(children) == 1:
            return self.compile(children[0])
        return build(children)

    # --- logic ------------------------------------------------------------------------
    def t_expr(self, tree: Any) -> Closure:
        def build(children: list[Any]) -> Closure:
            cond, yes, no = (self.compile(c) for c in children)

            def conditional(f: Frame) -> Any:
                test = cond(f)
                if test is True:
                    return yes(f)
                if test is False:
                    return no(f)
                raise CelError("no such overload: the condition of ?: is not a bool")
            return conditional
        return self._pass_or(tree, build)

    def t_conditionalor(self, tree: Any) -> Closure:
        def build(children: list[Any]) -> Closure:
            left, right = (self.compile(c) for c in children)

            def either(f: Frame) -> Any:
                try:
                    a = left(f)
                except CelError as error:
                    b = right(f)
                    if b is True:
                        return True
                    raise error from None
                if a is True:
                    return True
                if a is False:
                    return right(f)
                b = right(f)
                if b is True:
                    return True
                if b is False:
                    return a
                raise CelError("no such overload: || needs bools")
            return either
        return self._pass_or(tree, build)

    def t_conditionaland(self, tree: Any) -> Closure:
        def build(children: list[Any]) -> Closure:
            left, right = (self.compile(c) for c in children)

            def both(f: Frame) -> Any:
                try:
                    a = left(f)
                except CelError as error:
                    b = right(f)
                    if b is False:
                        return False
                    raise error from None
                if a is False:
                    return False
                if a is True:
                    return right(f)
                b = right(f)
                if b is False:
                    return False
                if b is True:
                    return a
                raise CelError("no such overload: && needs bools")
            return both
        return self._pass_or(tree, build)

    # --- binary operators ---------------------------------------------------------------
    def _binary(self, tree: Any) -> Closure:
        def build(children: list[Any]) -> Closure:
            operator_tree, right_tree = children
            (left_tree,) = _children(operator_tree)
            left, right = self.compile(left_tree), self.compile(right_tree)
            name = str(operator_tree.data)
            if name in ("relation_eq", "relation_ne"):
                return _equality(left, right, self.constants.get(id(right), _MISSING),
                                 negate=name == "relation_ne")
            op = _BINARY[name]

            def binary(f: Frame) -> Any:
                return op(left(f), right(f))
            return binary
        return self._pass_or(tree, build)

    t_relation = _binary
    t_addition = _binary
    t_multiplication = _binary

    def t_unary(self, tree: Any) -> Closure:
        children = _children(tree)
        if len(children) == 1:
            return self.compile(children[0])
        operator_tree, operand_tree = children
        operand = self.compile(operand_tree)
        if operator_tree.data == "unary_not":
            def negate(f: Frame) -> Any:
                value = operand(f)
                if value is True:
                    return False
                if value is False:
                    return True
                raise CelError("no such overload: ! needs a bool")
            return negate

        def minus(f: Frame) -> Any:
            return _neg(operand(f))
        return minus

    # --- members ------------------------------------------------------------------------
    def t_member(self, tree: Any) -> Closure:
        return self.compile(_children(tree)[0])

    t_primary = t_member

    def t_paren_expr(self, tree: Any) -> Closure:
        return self.compile(_children(tree)[0])

    def t_member_dot(self, tree: Any) -> Closure:
        member_tree, name_token = _children(tree)
        target = self.compile(member_tree)
        name = str(name_token)

        def select(f: Frame) -> Any:
            value = target(f)
            # dict before Mapping: a dict subclass (LocatedDict) then skips the ABC check.
            if type(value) is dict or isinstance(value, (dict, Mapping)):
                try:
                    return value[name]
                except KeyError:
                    raise CelError(f"no such key: '{name}'") from None
            raise CelError(f"{semantics.type_of(value)!r} has no field '{name}'")
        return select

    def t_member_index(self, tree: Any) -> Closure:
        member_tree, key_tree = _children(tree)
        target, key = self.compile(member_tree), self.compile(key_tree)

        def index(f: Frame) -> Any:
            return _index(target(f), key(f))
        return index

    def t_member_object(self, tree: Any) -> Closure:
        raise self.fail("message construction (Type{...}) is not supported", tree)

    def t_dot_ident(self, tree: Any) -> Closure:
        raise self.fail("leading-dot names are not supported", tree)

    t_dot_ident_arg = t_dot_ident

    def _args(self, tree: Any | None) -> list[Closure]:
        if tree is None:
            return []
        return [self.compile(child) for child in _children(tree)]

    def t_member_dot_arg(self, tree: Any) -> Closure:
        children = _children(tree)
        member_tree, name_token = children[0], children[1]
        name = str(name_token)
        args_tree = children[2] if len(children) > 2 else None
        if name in semantics.MACROS:
            return self._macro(tree, name, self.compile(member_tree), args_tree)
        receiver = self.compile(member_tree)
        args = [receiver, *self._args(args_tree)]
        if name in semantics.METHODS:
            return _call(semantics.METHODS[name], name, args)
        if name in semantics.GRAPH_FUNCTIONS:
            return self._graph_call(tree, name, args)
        raise self.fail(f"unknown method '{name}()'", tree)

    def _macro(self, tree: Any, name: str, target: Closure, args_tree: Any) -> Closure:
        arguments = _children(args_tree) if args_tree is not None else []
        if len(arguments) != 2:
            raise self.fail(f"{name}() takes a variable and an expression, e.g."
                            f" {name}(x, x.status == 'active')", tree)
        variable = self._variable_name(arguments[0])
        self.macro_vars.append(variable)
        try:
            body = self.compile(arguments[1])
        finally:
            self.macro_vars.pop()
        builder: Callable[[str, Closure, Closure], Closure] = getattr(self, "_macro_" + name)
        return builder(variable, target, body)

    def _variable_name(self, tree: Any) -> str:
        idents = list(tree.find_data("ident"))
        if len(idents) != 1 or len(list(tree.iter_subtrees())) != len(idents) + _depth(tree):
            raise self.fail("the first argument of a macro must be a variable name", tree)
        return str(idents[0].children[0])

    @staticmethod
    def _macro_all(variable: str, target: Closure, body: Closure) -> Closure:
        def all_(f: Frame) -> Any:
            items = _iterable(target(f), "all")
            saved = f.vars.get(variable, _MISSING)
            first_error: CelError | None = None
            try:
                for item in items:
                    f.vars[variable] = item
                    try:
                        value = body(f)
                    except CelError as error:
                        first_error = first_error or error
                        continue
                    if value is False:
                        return False
                    if value is not True:
                        first_error = first_error or CelError("no such overload: all() needs"
                                                              " a bool condition")
            finally:
                _restore(f.vars, variable, saved)
            if first_error is not None:
                raise first_error
            return True
        return all_

    @staticmethod
    def _macro_exists(variable: str, target: Closure, body: Closure) -> Closure:
        def exists(f: Frame) -> Any:
            items = _iterable(target(f), "exists")
            saved = f.vars.get(variable, _MISSING)
            first_error: CelError | None = None
            try:
                for item in items:
                    f.vars[variable] = item
                    try:
                        value = body(f)
                    except CelError as error:
                        first_error = first_error or error
                        continue
                    if value is True:
                        return True
                    if value is not False:
                        first_error = first_error or CelError("no such overload: exists()"
                                                              " needs a bool condition")
            finally:
                _restore(f.vars, variable, saved)
            if first_error is not None:
                raise first_error
            return False
        return exists

    @staticmethod
    def _macro_exists_one(variable: str, target: Closure, body: Closure) -> Closure:
        def exists_one(f: Frame) -> Any:
            items = _iterable(target(f), "exists_one")
            saved = f.vars.get(variable, _MISSING)
            count = 0
            try:
                for item in items:
                    f.vars[variable] = item
                    if body(f):
                        count += 1
            finally:
                _restore(f.vars, variable, saved)
            return count == 1
        return exists_one

    @staticmethod
    def _macro_map(variable: str, target: Closure, body: Closure) -> Closure:
        def map_(f: Frame) -> Any:
            items = _iterable(target(f), "map")
            saved = f.vars.get(variable, _MISSING)
            vars_ = f.vars
            out = []
            try:
                for item in items:
                    vars_[variable] = item
                    out.append(body(f))
            finally:
                _restore(vars_, variable, saved)
            return out
        return map_

    @staticmethod
    def _macro_filter(variable: str, target: Closure, body: Closure) -> Closure:
        def filter_(f: Frame) -> Any:
            items = _iterable(target(f), "filter")
            saved = f.vars.get(variable, _MISSING)
            vars_ = f.vars
            out = []
            try:
                for item in items:
                    vars_[variable] = item
                    if body(f):
                        out.append(item)
            finally:
                _restore(vars_, variable, saved)
            return out
        return filter_

    # --- names and calls ------------------------------------------------------------------
    def t_ident(self, tree: Any) -> Closure:
        name = str(_children(tree)[0])
        if name in self.macro_vars:
            def variable(f: Frame) -> Any:
                return f.vars[name]
            return variable
        if name in self.lets:
            def let(f: Frame) -> Any:
                return f.let(name)
            return let
        if name in GLOBALS:
            return GLOBALS[name]
        if name in semantics.TYPE_NAMES:
            type_value = semantics.TYPE_NAMES[name]
            return lambda f: type_value
        raise self.fail(f"unknown name '{name}' (rules can read node, params, settings, now,"
                        " today and their own lets)", tree)

    def t_ident_arg(self, tree: Any) -> Closure:
        children = _children(tree)
        name = str(children[0])
        args_tree = children[1] if len(children) > 1 else None
        if name == "has":
            return self._has(tree, args_tree)
        args = self._args(args_tree)
        if name in semantics.GRAPH_FUNCTIONS:
            return self._graph_call(tree, name, args)
        function = semantics.FUNCTIONS.get(name) or semantics.METHODS.get(name)
        if function is None:
            raise self.fail(f"unknown function '{name}()'", tree)
        return _call(function, name, args)

    def _graph_call(self, tree: Any, name: str, args: list[Closure]) -> Closure:
        if len(args) != semantics.GRAPH_FUNCTIONS[name]:
            raise self.fail(f"{name}() takes {semantics.GRAPH_FUNCTIONS[name]} argument(s)",
                            tree)
        if name == "event_hash":
            (subject,) = args
            return lambda f: f.view.event_hash(subject(f))
        node_arg, edge_arg = args
        method = getattr(GraphView, name)  # looked up once, not per call

        def graph_call(f: Frame) -> Any:
            return method(f.view, node_arg(f), edge_arg(f))
        return graph_call

    def _has(self, tree: Any, args_tree: Any) -> Closure:
        arguments = _children(args_tree) if args_tree is not None else []
        select = _unwrap(arguments[0]) if len(arguments) == 1 else None
        if select is None or select.data != "member_dot":
            raise self.fail("has() takes a field selection, e.g. has(node.end_date)", tree)
        member_tree, name_token = _children(select)
        target = self.compile(member_tree)
        name = str(name_token)

        def has(f: Frame) -> bool:
            try:
                value = target(f)
            except CelError:
                return False
            if type(value) is dict:
                return name in value
            return isinstance(value, Mapping) and name in value
        return has

    # --- literals -----------------------------------------------------------------------
    def t_literal(self, tree: Any) -> Closure:
        tokens = tuple((getattr(t, "type", ""), str(t)) for t in tree.children)
        value = _LITERALS.get(tokens, _MISSING)
        if value is _MISSING:
            value = _plain_literal(tokens)
        if value is _MISSING:
            from govcheck.rules.reference import environment, from_cel

            try:
                value = from_cel(environment().program(tree).evaluate({}))
            except Exception as error:
                raise self.fail(f"bad literal: {error}", tree) from None
            # Literals are immutable scalars; a pack repeats the same few hundreds of times.
            if type(value) in _SIMPLE or type(value) in (float, bytes) or value is None:
                _LITERALS[tokens] = value

        def constant(f: Frame) -> Any:
            return value
        self.constants[id(constant)] = value
        self._keep.append(constant)  # ids stay unique while the translator lives
        return constant

    def t_list_lit(self, tree: Any) -> Closure:
        children = _children(tree)
        items = self._args(children[0]) if children else []

        def make_list(f: Frame) -> Any:
            return [item(f) for item in items]
        return make_list

    def t_map_lit(self, tree: Any) -> Closure:
        children = _children(tree)
        parts = self._args(children[0]) if children else []
        pairs = list(zip(parts[::2], parts[1::2], strict=True))

        def make_map(f: Frame) -> Any:
            out: dict[Any, Any] = {}
            for key, value in pairs:
                k = key(f)
                if semantics.tag_of(k) not in (semantics.STR, semantics.NUM, semantics.BOOL):
                    raise CelError("map keys must be strings, ints or bools")
                out[k] = value(f)
            return out
        return make_map


_PLAIN_STRING = re.compile(r"'(?:[^'\\\n\r]|\\[\\'\"ntr])*'"
                           r'|"(?:[^"\\\n\r]|\\[\\\'"ntr])*"')
_ESCAPE = re.compile(r"\\(.)")
_ESCAPED = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")


def _plain_literal(tokens: tuple[tuple[str, str], ...]) -> Any:
    """The value of the commonest literals, read here so cel-python's parser need not be built.

    A quoted string whose only escapes are backslash, quote, n, t and r; a
    decimal int that fits; true, false, null: what cel-python makes of them (a
    differential test holds the two together).
    Anything else gives _MISSING and cel-python reads it.
    """
    if len(tokens) != 1:
        return _MISSING
    kind, text = tokens[0]
    if kind == "STRING_LIT" and _PLAIN_STRING.fullmatch(text):
        return _ESCAPE.sub(lambda match: _ESCAPED[match.group(1)], text[1:-1])
    if kind == "INT_LIT" and _PLAIN_INT.fullmatch(text):
        return int(text)
    if kind == "BOOL_LIT" and text in ("true", "false"):
        return text == "true"
    if kind == "NULL_LIT" and text == "null":
        return None
    return _MISSING


def _unwrap(tree: Any) -> Any:
    """The innermost tree of a chain of single-child wrappers (expr -> ... -> member_dot)."""
    while True:
        children = _children(tree)
        if tree.data == "member_dot" or len(children) != 1 or not hasattr(children[0], "data"):
            return tree
        tree = children[0]


def _depth(tree: Any) -> int:
    """How many wrapper subtrees sit above the innermost `ident` of a bare name."""
    count = 0
    while hasattr(tree, "data") and tree.data != "ident":
        children = _children(tree)
        if len(children) != 1:
            return -1
        count += 1
        tree = children[0]
    return count


def _restore(variables: dict[str, Any], name: str, saved: Any) -> None:
    if saved is _MISSING:
        variables.pop(name, None)
    else:
        variables[name] = saved


def translate(tree: Any, lets: Sequence[str]) -> Closure:
    """The function for a parsed expression; raises CompileError for what cannot run.

    The closures define what the expression means; `codegen` writes the same
    expression as one generated Python function that defers to them on any case
    it does not handle.
    """
    from govcheck.rules.codegen import generate

    closure = Translator(lets).compile(tree)
    return generate(tree, lets, closure)
