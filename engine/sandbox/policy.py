"""The compile-time policy: RestrictedPython's rules plus allocation guards and the sandbox's own refusals.

On top of RestrictingNodeTransformer (no names or attributes starting with "_", guarded attribute, item and
iteration access, no exec/eval), this policy

* rewrites `a * b`, `a ** b`, `a << b`, `a + b` and `a % b` into calls of guard functions (`_mul_(a, b)`...)
  that refuse results beyond the limits before they are built;
* rewrites every f-string replacement field `{value!r:spec}` into `{_format_(value, conversion, spec)}` so that
  format specs cannot pad a value to gigabytes;
* refuses imports outside the allow-list and class definitions;
* calls `_sandbox_check_()` (the time limit and the memory budget) at the head of every loop body,
  comprehension step, function and lambda, and at the start of every `except` and `finally` block, so that a
  script can neither run past its deadline nor swallow the violation and keep running. (A trace function cannot
  do this: CPython 3.11 reports no line events for `while True: pass`, and drops a trace function once it
  raises.) Straight-line code gets its checks from checkpoints.py.
"""
from __future__ import annotations

import ast

from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from engine.sandbox.checkpoints import CHECK_NAME, add_checkpoints

ALLOWED_IMPORTS = frozenset({"datetime", "math", "json", "business_calendar"})

BINOP_GUARDS = {
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Add: "_add_",
    ast.Mod: "_mod_",
}


def import_refusal(name: str) -> str:
    allowed = ", ".join(sorted(ALLOWED_IMPORTS))
    return f"import of '{name}' is not allowed in pathway scripts (allowed: {allowed})"


def _call(name: str, args: list[ast.expr], like: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    copy_locations(call, like)
    return call


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython policy used for every pathway script and expression (pass as `policy=`)."""

    def visit_Module(self, node: ast.Module) -> ast.AST:
        return add_checkpoints(super().visit_Module(node))

    def visit_Expression(self, node: ast.Expression) -> ast.AST:
        return add_checkpoints(super().visit_Expression(node))

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        guard = BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        return _call(guard, [node.left, node.right], node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant(None)
        conversion = ast.Constant(node.conversion)
        copy_locations(conversion, node)
        if node.format_spec is None:
            copy_locations(spec, node)
        guarded = ast.FormattedValue(value=_call("_format_", [node.value, conversion, spec], node),
                                     conversion=-1, format_spec=None)
        copy_locations(guarded, node)
        return guarded

    def visit_Import(self, node: ast.Import) -> ast.AST:
        for alias in node.names:
            if alias.name not in ALLOWED_IMPORTS:
                self.error(node, import_refusal(alias.name))
        return super().visit_Import(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        if node.level:
            self.error(node, "relative imports are not allowed in pathway scripts")
        elif node.module not in ALLOWED_IMPORTS:
            self.error(node, import_refusal(node.module or ""))
        return super().visit_ImportFrom(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "class definitions are not allowed in pathway scripts")
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        node = super().visit_While(node)
        node.body.insert(0, self._check_statement(node.body[0]))
        return node

    def visit_For(self, node: ast.For) -> ast.AST:
        node = super().visit_For(node)
        node.body.insert(0, self._check_statement(node.body[0]))
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        node = super().visit_comprehension(node)
        node.ifs.insert(0, _call(CHECK_NAME, [], node.iter))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, self._check_statement(node.body[0]))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        node = super().visit_Lambda(node)
        checked = ast.BoolOp(op=ast.And(), values=[_call(CHECK_NAME, [], node.body), node.body])
        copy_locations(checked, node.body)
        node.body = checked
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        node = super().visit_ExceptHandler(node)
        node.body.insert(0, self._check_statement(node))
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:
        node = super().visit_Try(node)
        if node.finalbody:
            node.finalbody.insert(0, self._check_statement(node.finalbody[0]))
        return node

    @staticmethod
    def _check_statement(like: ast.AST) -> ast.Expr:
        statement = ast.Expr(_call(CHECK_NAME, [], like))
        copy_locations(statement, like)
        return statement
