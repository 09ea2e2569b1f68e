"""The fastest path: a CEL expression generated once as one Python function.

The closures of `fastpath` cost one Python call per node of the expression
tree on every evaluation. Here the same tree is written out as the source of
a single Python expression (operators inline, macros as generator
expressions over local variables) and compiled once with `compile()`, so an
evaluation is one call.

The generated code handles only the common case: operands of the types the
operator expects, no CEL error anywhere. Whenever it meets anything else —
an operand of another type, a missing key, a non-bool where CEL needs a bool,
any exception at all — it gives up on this node and the expression's closure
runs instead, from the start. The closure is the definition of what the
expression means, errors and all; the generated code only ever returns a
value on paths where it provably gives the closure's value. Nothing the
generated code does has side effects (lets are cached by the frame and
computed by their own exact functions), so running the closure afterwards
is safe. An expression using a construct the generator does not know runs
as its closure alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from govcheck.rules import fastpath, semantics
from govcheck.rules.fastpath import Closure, Frame
from govcheck.rules.graphview import GraphView


class _Unsupported(Exception):
    """A construct the generator leaves to the closure."""


class _Bail(Exception):
    """The generated code met a case it does not handle: the closure decides."""


def _bail() -> Any:
    raise _Bail


def _select(value: Any, name: str) -> Any:
    # A Mapping other than a plain dict (the plain dict is tested inline).
    if isinstance(value, Mapping):
        return value[name]
    raise _Bail


def _make_map(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key, value in pairs:
        if semantics.tag_of(key) not in (semantics.STR, semantics.NUM, semantics.BOOL):
            raise _Bail
        out[key] = value
    return out


def _has_field(value: Any, name: str) -> bool:
    return isinstance(value, Mapping) and name in value


# Names every generated function can read, besides its own constants.
_BASE: dict[str, Any] = {
    "_bail": _bail,
    "_select": _select,
    "_has_field": _has_field,
    "_make_map": _make_map,
    "_cel_eq": semantics.cel_eq,
    "_iterable": fastpath._iterable,
    "_index": fastpath._index,
    "_neg": fastpath._neg,
    "_eq": fastpath._eq,
    "_dict": dict,
    "_id": id,
    "_missing": fastpath._MISSING,
    "_Failed": fastpath._Failed,
    "_type": type,
    "_any": any,
    "_all": all,
    "_sum": sum,
    **{f"_g_{name}": getattr(GraphView, name) for name in semantics.GRAPH_FUNCTIONS},
    # `==` and `!=` are written out by the writer itself.
    **{f"_op_{name}": function for name, function in fastpath._BINARY.items()
       if name not in ("relation_eq", "relation_ne")},
}
_GLOBAL_NAMES = {"node": "f.node", "params": "f.params", "settings": "f.settings",
                 "now": "f.now", "today": "f.today"}
_WRAPPERS = ("expr", "conditionalor", "conditionaland", "relation", "addition",
             "multiplication", "unary")


def _children(tree: Any) -> list[Any]:
    return [child for child in tree.children if child is not None]


def _innermost(tree: Any, data: str) -> Any:
    """The `data` tree at the bottom of a chain of single-child wrappers, or None."""
    while str(tree.data) != data:
        children = _children(tree)
        if len(children) != 1 or not hasattr(children[0], "data"):
            return None
        tree = children[0]
    return tree


class _Writer:
    """Writes one expression's Python source; constants go into `namespace`."""

    def __init__(self, lets: Sequence[str], namespace: dict[str, Any]) -> None:
        self.lets = set(lets)
        self.namespace = namespace
        self.variables: list[tuple[str, str]] = []  # macro variables: (CEL name, Python name)
        self.temporaries = 0
        self.helpers: list[str] = []  # source of helper functions the expression calls

    def _helper(self, expression: str) -> str:
        """A call of a new helper function returning `expression` (seeing f and the variables)."""
        name = f"_h{len(self.helpers)}"
        parameters = ", ".join(["f", *(python_name for _, python_name in self.variables)])
        self.helpers.append(f"def {name}({parameters}):\n    return {expression}\n")
        return f"{name}({parameters})"

    def temporary(self) -> str:
        self.temporaries += 1
        return f"_t{self.temporaries}"

    def constant(self, value: Any) -> str:
        name = f"_k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def write(self, tree: Any) -> str:
        data = str(tree.data)
        children = _children(tree)
        if data in _WRAPPERS and len(children) == 1:
            return self.write(children[0])
        if data in ("member", "primary", "paren_expr"):
            return self.write(children[0])
        handler: Callable[[Any, list[Any]], str] | None = getattr(self, "w_" + data, None)
        if handler is None:
            raise _Unsupported(data)
        return handler(tree, children)

    def _strict(self, value: str, if_true: str, if_false: str) -> str:
        """`if_true` when value is True, `if_false` when False, else the closure decides."""
        t = self.temporary()
        return f"({if_true} if ({t} := {value}) is True else ({if_false} if {t} is False" \
               f" else _bail()))"

    # --- logic ------------------------------------------------------------------------
    def w_expr(self, tree: Any, children: list[Any]) -> str:
        test, yes, no = (self.write(child) for child in children)
        return self._strict(test, yes, no)

    def w_conditionalor(self, tree: Any, children: list[Any]) -> str:
        left, right = (self.write(child) for child in children)
        return self._strict(left, "True", right)

    def w_conditionaland(self, tree: Any, children: list[Any]) -> str:
        left, right = (self.write(child) for child in children)
        return self._strict(left, right, "False")

    def w_unary(self, tree: Any, children: list[Any]) -> str:
        operator_tree, operand_tree = children
        operand = self.write(operand_tree)
        if operator_tree.data == "unary_not":
            return self._strict(operand, "False", "True")
        return f"_neg({operand})"

    # --- binary operators ---------------------------------------------------------------
    def _binary(self, tree: Any, children: list[Any]) -> str:
        operator_tree, right_tree = children
        (left_tree,) = _children(operator_tree)
        name = str(operator_tree.data)
        left, right = self.write(left_tree), self.write(right_tree)
        if name in ("relation_eq", "relation_ne"):
            literal = self._literal_value(right_tree)
            if literal is not None and type(literal[0]) in (str, int, bool):
                value = literal[0]
                t = self.temporary()
                kind = self.constant(type(value))
                if name == "relation_eq":
                    return f"({t} == {right} if _type({t} := {left}) is {kind}" \
                           f" else bool(_cel_eq({t}, {right})))"
                return f"({t} != {right} if _type({t} := {left}) is {kind}" \
                       f" else not _cel_eq({t}, {right}))"
            if self._type_name(right_tree):
                # `type(x) == list`: type values are singletons, so `is` settles the
                # common case; anything else is compared as the closure compares it.
                t = self.temporary()
                if name == "relation_eq":
                    return f"(True if ({t} := {left}) is {right} else bool(_cel_eq({t}, {right})))"
                return f"(False if ({t} := {left}) is {right} else not _cel_eq({t}, {right}))"
            if name == "relation_eq":
                return f"_eq({left}, {right})"
            return f"(not _eq({left}, {right}))"
        return f"_op_{name}({left}, {right})"

    w_relation = _binary
    w_addition = _binary
    w_multiplication = _binary

    def _type_name(self, tree: Any) -> bool:
        """Whether `tree` is a bare type name (`list`, `string`, ...) no variable or let hides."""
        ident = _innermost(tree, "ident")
        if ident is None:
            return False
        name = str(_children(ident)[0])
        shadowed = name in self.lets or any(name == cel for cel, _ in self.variables)
        return not shadowed and name in semantics.TYPE_NAMES

    def _literal_value(self, tree: Any) -> tuple[Any] | None:
        """(value,) when `tree` is a bare literal (through single-child wrappers)."""
        literal = _innermost(tree, "literal")
        if literal is None:
            return None
        # The closure's own literal: the same value, worked out the same way.
        constant: Callable[[Any], Any] = fastpath.Translator(()).compile(literal)
        return (constant(None),)

    # --- members ------------------------------------------------------------------------
    def w_member_dot(self, tree: Any, children: list[Any]) -> str:
        member_tree, name_token = children
        target = self.write(member_tree)
        name = self.constant(str(name_token))
        t = self.temporary()
        return f"({t}[{name}] if _type({t} := {target}) is _dict else _select({t}, {name}))"

    def w_member_index(self, tree: Any, children: list[Any]) -> str:
        member_tree, key_tree = children
        return f"_index({self.write(member_tree)}, {self.write(key_tree)})"

    def _arguments(self, tree: Any | None) -> list[str]:
        return [] if tree is None else [self.write(child) for child in _children(tree)]

    def w_member_dot_arg(self, tree: Any, children: list[Any]) -> str:
        member_tree, name_token = children[0], children[1]
        name = str(name_token)
        args_tree = children[2] if len(children) > 2 else None
        if name in semantics.MACROS:
            return self._macro(name, member_tree, args_tree)
        receiver = self.write(member_tree)
        arguments = [receiver, *self._arguments(args_tree)]
        if name in semantics.METHODS:
            return self._call(semantics.METHODS[name], arguments)
        if name in semantics.GRAPH_FUNCTIONS:
            return self._graph_call(name, arguments)
        raise _Unsupported(name)

    def _macro(self, name: str, target_tree: Any, args_tree: Any) -> str:
        variable_tree, body_tree = _children(args_tree)
        variable = str(next(iter(variable_tree.find_data("ident"))).children[0])
        python_name = f"_v{len(self.variables)}_{variable}"
        iterable = f"_iterable({self.write(target_tree)}, {name!r})"
        if ":=" in iterable:
            # Python forbids an assignment expression anywhere inside a comprehension's
            # iterable (even in a lambda there), so the iterable becomes a helper function.
            iterable = self._helper(iterable)
        self.variables.append((variable, python_name))
        try:
            body = self.write(body_tree)
        finally:
            self.variables.pop()
        loop = f"for {python_name} in {iterable}"
        if name == "all":
            return f"_all({self._strict(body, 'True', 'False')} {loop})"
        if name == "exists":
            return f"_any({self._strict(body, 'True', 'False')} {loop})"
        if name == "exists_one":
            return f"(_sum(1 {loop} if {body}) == 1)"
        if name == "map":
            return f"[{body} {loop}]"
        return f"[{python_name} {loop} if {body}]"

    # --- names and calls ------------------------------------------------------------------
    def w_ident(self, tree: Any, children: list[Any]) -> str:
        name = str(children[0])
        for variable, python_name in reversed(self.variables):
            if variable == name:
                return python_name
        if name in self.lets:
            # A let already worked out for this node is read from the frame's cache;
            # the first read (or a failed let) goes through Frame.let.
            value = self.temporary()
            return (f"({value} if ({value} := f.let_values.get({name!r}, _missing)) is not"
                    f" _missing and _type({value}) is not _Failed else f.let({name!r}))")
        if name in _GLOBAL_NAMES:
            return _GLOBAL_NAMES[name]
        if name in semantics.TYPE_NAMES:
            return self.constant(semantics.TYPE_NAMES[name])
        raise _Unsupported(name)

    def w_ident_arg(self, tree: Any, children: list[Any]) -> str:
        name = str(children[0])
        args_tree = children[1] if len(children) > 1 else None
        if name == "has":
            return self._has(args_tree)
        arguments = self._arguments(args_tree)
        if name in semantics.GRAPH_FUNCTIONS:
            return self._graph_call(name, arguments)
        function = semantics.FUNCTIONS.get(name) or semantics.METHODS.get(name)
        if function is None:
            raise _Unsupported(name)
        return self._call(function, arguments)

    def _call(self, function: Callable[..., Any], arguments: list[str]) -> str:
        # A TypeError (wrong arity or types) is an exception like any other: the closure words it.
        return f"{self.constant(function)}({', '.join(arguments)})"

    def _graph_call(self, name: str, arguments: list[str]) -> str:
        if len(arguments) != semantics.GRAPH_FUNCTIONS[name]:
            raise _Unsupported(name)
        if name in ("outgoing", "incoming") and arguments[1] in self.namespace:
            # A constant edge: read the view's memo directly, call it on a miss.
            node, edge = arguments
            found, subject = self.temporary(), self.temporary()
            memo = "out_memo" if name == "outgoing" else "in_memo"
            return (f"({found} if ({found} := f.view.{memo}.get((_id({subject} := {node}),"
                    f" {edge}))) is not None else _g_{name}(f.view, {subject}, {edge}))")
        return f"_g_{name}(f.view, {', '.join(arguments)})"

    def _has(self, args_tree: Any) -> str:
        (argument,) = _children(args_tree)
        select = fastpath._unwrap(argument)
        member_tree, name_token = _children(select)
        target = self.write(member_tree)
        name = self.constant(str(name_token))
        t = self.temporary()
        return f"({name} in {t} if _type({t} := {target}) is _dict else _has_field({t}, {name}))"

    # --- literals -----------------------------------------------------------------------
    def w_literal(self, tree: Any, children: list[Any]) -> str:
        literal = self._literal_value(tree)
        assert literal is not None
        return self.constant(literal[0])

    def w_list_lit(self, tree: Any, children: list[Any]) -> str:
        items = self._arguments(children[0]) if children else []
        return f"[{', '.join(items)}]"

    def w_map_lit(self, tree: Any, children: list[Any]) -> str:
        parts = self._arguments(children[0]) if children else []
        pairs = [f"({key}, {value})" for key, value in zip(parts[::2], parts[1::2], strict=True)]
        return f"_make_map([{', '.join(pairs)}])"


def generate(tree: Any, lets: Sequence[str], closure: Closure) -> Closure:
    """One function computing `tree` as `closure` does, faster; `closure` where it cannot."""
    namespace: dict[str, Any] = dict(_BASE)
    writer = _Writer(lets, namespace)
    try:
        body = writer.write(tree)
    except (_Unsupported, ValueError, TypeError, AttributeError):
        return closure
    namespace["_closure"] = closure
    source = "".join(writer.helpers) + (
        "def generated(f):\n"
        "    try:\n"
        f"        return {body}\n"
        "    except Exception:\n"
        "        return _closure(f)\n"
    )
    try:
        code = compile(source, "<cel>", "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return closure  # a tree too deep for Python's compiler: the closure still runs it
    exec(code, namespace)  # the source is ours, built from names and constants only
    generated: Callable[[Frame], Any] = namespace["generated"]
    return generated
