"""What pathway code sees: its builtins, the names pre-bound for it, and RestrictedPython's guard functions."""
from __future__ import annotations

import builtins
from datetime import timedelta, timezone
from types import FunctionType

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safe_builtins

from engine.sandbox.access import AccessGuards, refused_builtin
from engine.sandbox.arith import ArithmeticGuards
from engine.sandbox.integers import IntegerGuards
from engine.sandbox.limits import SandboxLimits
from engine.sandbox.modules import build_modules, calendar_helpers, make_import
from engine.sandbox.policy import CHECK_NAME
from engine.sandbox.text import TextGuards
from engine.sandbox.timelimit import traced
from engine.time.clock import ScriptDate

# Taken out of RestrictedPython's safe builtins: exceptions that escape `except Exception` (SpiffWorkflow would not
# catch them and a worker would stop), class creation, and builtins replaced below by guarded versions.
REMOVED = {"BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit", "__build_class__", "setattr",
           "delattr", "range", "pow", "round", "str", "repr", "int", "_getattr_"}

HARMLESS = ("len", "min", "max", "sorted", "any", "all", "abs", "enumerate", "zip", "list", "dict",
            "set", "frozenset", "tuple", "float", "bool", "isinstance", "map", "filter", "reversed",
            "next", "divmod", "bin", "callable", "chr", "ord", "hex", "oct", "slice", "complex")

REFUSED = {
    "open": "scripts have no file access",
    "input": "scripts cannot read input",
    "type": "use isinstance()",
    "object": "", "super": "", "vars": "", "dir": "", "globals": "", "locals": "", "compile": "",
    "breakpoint": "", "help": "", "exit": "", "quit": "", "memoryview": "", "bytearray": "", "iter": "",
    "setattr": "", "delattr": "", "exec": "", "eval": "",
}


class Namespace:
    """Built once per environment: the globals every run starts from."""

    def __init__(self, limits: SandboxLimits, extra_helpers: dict | None = None):
        self.text = TextGuards(limits)
        self.arith = ArithmeticGuards(limits, check_mod=self.text.check_mod)
        self.integers = IntegerGuards(limits)
        self.access = AccessGuards(limits, self.text, self.integers)
        calendar = {name: traced(function) for name, function in calendar_helpers().items()}
        self.modules = build_modules(self.text, calendar)
        self.builtins = self._builtins()
        self.guards = self._guards()
        extra = {name: traced(value) if isinstance(value, FunctionType) else value
                 for name, value in (extra_helpers or {}).items()}
        self.helpers = {
            "datetime": self.modules["datetime"], "date": ScriptDate, "timedelta": timedelta, "timezone": timezone,
            **calendar, **extra,
        }
        # names that are never task data, whatever a script does with them
        self.reserved = frozenset(self.guards) | {"__builtins__", "_print", CHECK_NAME}

    def _builtins(self) -> dict:
        names = {k: v for k, v in safe_builtins.items() if k not in REMOVED}
        names.update({name: getattr(builtins, name) for name in HARMLESS})
        names.update({name: refused_builtin(name, reason) for name, reason in REFUSED.items()})
        names.update({
            "range": self.arith.range, "pow": self.arith.pow, "sum": self.arith.sum, "round": self.arith.round,
            "int": self.integers.int, "str": self.text.str, "repr": self.text.repr, "ascii": self.text.ascii,
            "format": self.text.format,
            "getattr": self.access.getattr, "hasattr": self.access.hasattr,
            "__import__": make_import(self.modules),
        })
        return names

    def _guards(self) -> dict:
        return {
            "__name__": "pathway_script",
            "_getattr_": self.access.getattr,
            "_getitem_": self.access.getitem,
            "_write_": self.access.write,
            "_getiter_": builtins.iter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_apply_": _apply,
            "_inplacevar_": self.arith.inplacevar,
            "_print_": self.text.print_collector,
            "_mul_": self.arith.mul,
            "_pow_": self.arith.pow,
            "_lshift_": self.arith.lshift,
            "_add_": self.arith.add,
            "_mod_": self.text.mod,
            "_format_": self.text.format_value,
        }

    def globals_for(self, context: dict, external_context: dict | None, check) -> dict:
        """Globals of one run: helpers, then external context, then task data, then the guards (which win)."""
        scope = dict(self.helpers)
        scope.update(external_context or {})
        scope.update(context)
        scope.update(self.guards)
        scope["__builtins__"] = self.builtins
        scope[CHECK_NAME] = check
        return scope


def _apply(function, *args, **kwargs):
    return function(*args, **kwargs)
