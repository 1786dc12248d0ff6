"""A model's check written into the generated structuring function (private).

A check of :mod:`dapolicy._read_checks` is a function of the instance, ``o``; the
generated function (:mod:`dapolicy._read_gen`) holds every field's value in a local
already. :func:`condition` rewrites the check's expression over those locals, so the
function tests it without a call and without reading the fields back: the same
expression, the same answer (the checks' own tests run the functions; the read path's
differential tests run the generated code).

Only a check of the plainest form is rewritten: a ``return`` of one expression,
perhaps after assignments of the instance's fields to names (``a, b = o.a, o.b``),
using ``o`` only to read its fields. Anything else (a statement, a helper given the
instance) is left a call.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import inspect
import textwrap
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["condition"]


class _NotPlain(Exception):
    """The check is not of the form rewritten: it stays a call."""


def condition(
    check: Callable[[Any], bool],
    values: Mapping[str, str],
    bind: Callable[[str, Any], str],
) -> str | None:
    """The check's expression over the locals ``values`` (field name to local), or None.

    :param bind: gives a name in the generated functions' namespace bound to a value
        (each global the check reads: a constant, a compiled pattern, a builtin).
    """
    function = _parsed(check)
    if function is None:
        return None
    try:
        expression = _Rewrite(function, values, check.__globals__, bind).result()
    except _NotPlain:
        return None
    return ast.unparse(expression)


@functools.cache
def _parsed(check: Callable[[Any], bool]) -> ast.FunctionDef | None:
    """The check's definition, read once (each function is written three ways)."""
    try:
        source = textwrap.dedent(inspect.getsource(check))
        (function,) = ast.parse(source).body
    except (OSError, TypeError, ValueError, SyntaxError):
        return None
    if not isinstance(function, ast.FunctionDef) or len(function.args.args) != 1:
        return None
    return function


class _Rewrite(ast.NodeTransformer):
    def __init__(
        self,
        function: ast.FunctionDef,
        values: Mapping[str, str],
        names: Mapping[str, Any],
        bind: Callable[[str, Any], str],
    ) -> None:
        self.function = function
        self.instance = function.args.args[0].arg
        self.values = values
        self.names = names
        self.bind = bind
        self.assigned: dict[str, ast.expr] = {}
        self.bound: dict[str, str] = {}
        #: Names a comprehension binds: its own, left as they are.
        self.own: set[str] = set()

    def result(self) -> ast.expr:
        body = list(self.function.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
            raise _NotPlain
        for statement in body[:-1]:
            self.assign(statement)
        returned = body[-1].value
        self.own = {
            name.id
            for node in ast.walk(returned)
            if isinstance(node, ast.comprehension)
            for name in ast.walk(node.target)
            if isinstance(name, ast.Name)
        }
        rewritten: ast.expr = self.visit(copy.deepcopy(returned))
        return ast.fix_missing_locations(rewritten)

    def assign(self, statement: ast.stmt) -> None:
        """``a = o.a`` or ``a, b = o.a, o.b``: each name stands for that field."""
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            raise _NotPlain
        (target,) = statement.targets
        targets = target.elts if isinstance(target, ast.Tuple) else [target]
        value = statement.value
        fields = value.elts if isinstance(value, ast.Tuple) else [value]
        if isinstance(target, ast.Tuple) is not isinstance(value, ast.Tuple):
            raise _NotPlain
        if len(targets) != len(fields):
            raise _NotPlain
        for name, field in zip(targets, fields, strict=True):
            if not isinstance(name, ast.Name) or not self.is_field(field):
                raise _NotPlain
            self.assigned[name.id] = self.visit(copy.deepcopy(field))

    def is_field(self, node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == self.instance
        )

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        if self.is_field(node):
            local = self.values.get(node.attr)
            if local is None:
                raise _NotPlain
            return ast.Name(id=local, ctx=ast.Load())
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.own:
            return node
        if node.id == self.instance or not isinstance(node.ctx, ast.Load):
            raise _NotPlain  # the instance itself, given to a helper
        if node.id in self.assigned:
            return copy.deepcopy(self.assigned[node.id])
        if node.id not in self.bound:
            if node.id in self.names:
                value = self.names[node.id]
            elif hasattr(builtins, node.id):
                value = getattr(builtins, node.id)
            else:
                raise _NotPlain
            self.bound[node.id] = self.bind("G", value)
        return ast.Name(id=self.bound[node.id], ctx=ast.Load())
