"""The modules pathway code may import, as curated stand-ins, and the guarded `__import__`.

The real modules are never handed out: `datetime.sys` (the real datetime module imports sys) would reach
`sys.modules['os']`. Each stand-in is a fresh module object holding only the names listed here.
"""
from __future__ import annotations

import builtins
import datetime as _datetime
import json as _json
import math as _math
from types import ModuleType

from engine.sandbox.errors import ImportRefused
from engine.sandbox.policy import ALLOWED_IMPORTS, import_refusal
from engine.sandbox.text import TextGuards
from engine.time import calendar as _calendar
from engine.time import clock as _clock

MATH_NAMES = (
    "ceil", "floor", "trunc", "fabs", "copysign", "fmod", "modf", "remainder", "sqrt", "isqrt", "exp", "log",
    "log2", "log10", "pow", "hypot", "dist", "fsum", "gcd", "isclose", "isfinite", "isinf", "isnan",
    "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "radians", "degrees", "pi", "e", "tau", "inf", "nan",
)  # not factorial, comb, perm, prod, lcm: they build huge integers in one C call

CALENDAR_NAMES = tuple(_calendar.__all__)


def _module(name: str, doc: str, **names) -> ModuleType:
    module = ModuleType(name, doc)
    for key, value in names.items():
        setattr(module, key, value)
    return module


def calendar_helpers() -> dict:
    return {name: getattr(_calendar, name) for name in CALENDAR_NAMES}


def build_modules(text: TextGuards, calendar: dict) -> dict[str, ModuleType]:
    """Fresh stand-ins for the allowed modules, by import name; `calendar` holds the business-day helpers."""
    dt = _datetime
    modules = {
        "datetime": _module(
            "datetime", "datetime for pathway scripts", date=_clock.ScriptDate, datetime=_clock.ScriptDatetime,
            time=dt.time,
            timedelta=dt.timedelta, timezone=dt.timezone, tzinfo=dt.tzinfo, UTC=dt.timezone.utc,
            MINYEAR=dt.MINYEAR, MAXYEAR=dt.MAXYEAR),
        "math": _module("math", "math for pathway scripts", **{n: getattr(_math, n) for n in MATH_NAMES}),
        "json": _module("json", "json for pathway scripts", dumps=text.json_dumps, loads=text.json_loads,
                        JSONDecodeError=_json.JSONDecodeError),
        "business_calendar": _module("business_calendar", _calendar.__doc__, **calendar),
    }
    return {name: module for name, module in modules.items() if name in ALLOWED_IMPORTS}


# Modules that CPython's C code imports on behalf of allowed objects (date.today() imports time,
# datetime.strptime() imports _strptime) through the `__import__` of the calling frame's builtins. Pathway code
# cannot ask for them: the policy refuses every import statement outside ALLOWED_IMPORTS at compile time and
# `__import__` cannot be named; so they are handed to C code only.
INTERNAL_IMPORTS = frozenset({"time", "_strptime", "encodings", "unicodedata"})


def make_import(modules: dict[str, ModuleType]):
    """The `__import__` builtin of the sandbox: only the allow-list, only absolute imports."""

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level:
            raise ImportRefused("relative imports are not allowed in pathway scripts")
        module = modules.get(name)
        if module is not None:
            return module
        if name in INTERNAL_IMPORTS:
            return builtins.__import__(name, None, None, fromlist, 0)
        raise ImportRefused(import_refusal(name))

    return guarded_import
