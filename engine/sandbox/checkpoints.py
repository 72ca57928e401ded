"""Where the time and memory checks go in straight-line code, after the policy has rewritten the tree.

The policy checks at the head of every loop body, comprehension step, function and lambda. That leaves code
that runs once: forty statements of `aN = list(range(999999))` never reach a check and fill 1.6 GB. So a check
also follows

* every statement that can allocate (it holds a call, an operator, a comprehension or a `*` unpacking),
  except the last one of a block that something else checks after (the enclosing statement, the loop head);
* every element but the first that can allocate of a call's arguments or a list, tuple, set or dict display,
  where the results pile up: `(list(range(999999)), list(range(999999)), ...)` is one statement.

Between two checks there is then at most about one operation's worth of allocation, which the allocation
guards bound (arith.py, text.py). A check costs a clock read unless a memory sample is due (timelimit.py).
Statements that only move names and constants around get none, and neither do those that only read
attributes and items or do arithmetic (`total += dose * 2`): the arithmetic guards check the deadline
themselves when they build a text or a sequence, so arithmetic on numbers in a loop costs nothing more.
"""
from __future__ import annotations

import ast

from RestrictedPython.transformer import copy_locations

CHECK_NAME = "_sandbox_check_"
# blocks whose end is checked anyway: by the statement holding them, the loop head, the caller's statement
_NESTED_BODIES = ("body", "orelse", "finalbody")
_ALLOCATING = (ast.Call, ast.Starred, ast.ListComp, ast.SetComp, ast.DictComp, ast.JoinedStr)
# operators the policy leaves as they are that build sets and dicts (`a | b`); `-` and `/` on numbers do not
_BUILDING_OPERATORS = (ast.Sub, ast.BitOr, ast.BitAnd, ast.BitXor)
_PILES = (ast.Call, ast.List, ast.Tuple, ast.Set, ast.Dict)
_FLOW = (ast.Return, ast.Raise, ast.Continue, ast.Break, ast.Pass)
# guard calls that build nothing big by themselves (or check the deadline when they do); `_getitem_` with a
# slice copies, so it counts
_BOUNDED_GUARDS = frozenset({"_getattr_", "_getitem_", "_getiter_", "_write_", "_mul_", "_add_", "_pow_",
                             "_lshift_", "_mod_", "_inplacevar_"})


def check_call(like: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(CHECK_NAME, ast.Load()), args=[], keywords=[])
    copy_locations(call, like)
    return call


def add_checkpoints(tree: ast.AST) -> ast.AST:
    """Add the checks to a policy-rewritten Module or Expression, in place; returns it."""
    for node in list(ast.walk(tree)):
        if isinstance(node, _PILES) and not _builds_nothing_big(node):  # a guard holds two or three values
            _check_between_elements(node)
    if isinstance(tree, ast.Module):
        tree.body = _checked_block(tree.body, end_checked=False)
    return tree


def may_allocate(node: ast.AST) -> bool:
    """Whether evaluating `node` can build a new value of any size (a check call itself does not)."""
    for child in ast.walk(node):
        if isinstance(child, _ALLOCATING) and not _builds_nothing_big(child):
            return True
        if isinstance(child, ast.BinOp) and isinstance(child.op, _BUILDING_OPERATORS):
            return True
    return False


def _builds_nothing_big(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return False
    name = node.func.id
    if name == "_getitem_":
        return not any(isinstance(arg, ast.Slice) for arg in node.args)
    return name == CHECK_NAME or name in _BOUNDED_GUARDS


def _checked_block(body: list[ast.stmt], end_checked: bool) -> list[ast.stmt]:
    checked = []
    for position, statement in enumerate(body):
        allocates = not isinstance(statement, _FLOW) and may_allocate(statement)
        for field in _NESTED_BODIES:
            block = getattr(statement, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(statement, field, _checked_block(block, end_checked=True))
        for part in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
            part.body = _checked_block(part.body, end_checked=True)
        checked.append(statement)
        if allocates and not (end_checked and position == len(body) - 1):
            expression = ast.Expr(check_call(statement))
            copy_locations(expression, statement)
            checked.append(expression)
    return checked


def _check_between_elements(node: ast.AST) -> None:
    """In `f(a(), b(), c())` or `[a(), b(), c()]`: `b()` and `c()` become `(_sandbox_check_() and b())`."""
    allocating = [slot for element, *slot in _elements(node) if may_allocate(element)]
    for owner, field, index in allocating[1:]:
        value = _get(owner, field, index)
        guarded = ast.BoolOp(op=ast.And(), values=[check_call(value), value])
        copy_locations(guarded, value)
        _set(owner, field, index, guarded)


def _elements(node: ast.AST):
    """(element, owner, field, index) of each element of a call or a display, in the order Python runs them:
    the element, and where the expression to guard sits (the value of a `*x` or a keyword)."""
    if isinstance(node, ast.Call):
        yield node.func, node, "func", None
        yield from _sequence(node, "args")
        for keyword in node.keywords:
            yield keyword.value, keyword, "value", None
    elif isinstance(node, ast.Dict):
        for index, key in enumerate(node.keys):
            if key is not None:
                yield key, node, "keys", index
            yield node.values[index], node, "values", index
    elif isinstance(getattr(node, "ctx", None), ast.Load):
        yield from _sequence(node, "elts")


def _sequence(node: ast.AST, field: str):
    for index, element in enumerate(getattr(node, field)):
        if isinstance(element, ast.Starred):
            yield element, element, "value", None  # unpacking allocates, whatever it unpacks
        elif not isinstance(element, ast.Slice):
            yield element, node, field, index


def _get(owner, field, index):
    return getattr(owner, field) if index is None else getattr(owner, field)[index]


def _set(owner, field, index, value) -> None:
    if index is None:
        setattr(owner, field, value)
    else:
        getattr(owner, field)[index] = value
