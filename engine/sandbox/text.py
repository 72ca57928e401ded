"""Guards for building text: str(), repr(), f-strings, format(), `%`-formatting, padding string methods, print.

Each refuses, before any text is built, a result longer than `max_data_bytes`: a format spec or `%` width of a
gigabyte, `'x'.ljust(10**10)`, or str() of a list holding the same big list a million times; and an integer of
more than `max_int_digits` digits (decimal conversion is quadratic; CPython's own refusal of it names a setting
pathway authors cannot change).
"""
from __future__ import annotations

import builtins
import json
import logging
import math
import re

from engine.sandbox.errors import AccessRefused, SizeLimitExceeded
from engine.sandbox.limits import OversizedInteger, SandboxLimits, approx_json_size
from engine.sandbox.timelimit import check_active

logger = logging.getLogger("carepath.sandbox")

MAX_FORMAT_WIDTH = 10_000  # the widest field a format spec or %-format may pad to
PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
PLAIN_TYPES = (str, int, float, bool, type(None))
# str/bytes methods whose result can be much longer than their inputs
EXPANDING_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "join", "replace", "translate"})


class TextGuards:
    def __init__(self, limits: SandboxLimits):
        self.limits = limits
        self.max_int_bits = limits.max_int_bits
        self.str = self._make_str_type()

    # -- checks -------------------------------------------------------------------------------------------
    def refuse_length(self, what: str, length: int):
        raise SizeLimitExceeded(
            f"{what} would build {length:,} characters; the limit is {self.limits.max_data_bytes:,}")

    def check_text_length(self, what: str, length: int) -> None:
        if length > self.limits.max_data_bytes:
            self.refuse_length(what, length)

    def refuse_int_text(self, bits: int):
        digits = int(bits * math.log10(2)) + 1
        raise SizeLimitExceeded(f"converting an integer of about {digits:,} digits to text is over the limit of "
                                f"{self.limits.max_int_digits:,} digits")

    def check_stringify(self, value) -> None:
        kind = type(value)
        if kind is int and value.bit_length() > self.max_int_bits:
            self.refuse_int_text(value.bit_length())
        if kind in PLAIN_TYPES:
            return
        try:
            size = approx_json_size(value, self.limits.max_data_bytes, self.max_int_bits)
        except OversizedInteger as found:
            self.refuse_int_text(found.bits)
        if size > self.limits.max_data_bytes:
            self.refuse_length(f"converting a {type(value).__name__} to text", size)

    def check_format_spec(self, spec: str) -> None:
        for number in re.findall(r"\d+", spec):
            if len(number) > 9 or int(number) > MAX_FORMAT_WIDTH:
                raise SizeLimitExceeded(
                    f"format spec {spec[:40]!r} pads beyond the limit of {MAX_FORMAT_WIDTH:,} characters")

    # -- str / repr / format ------------------------------------------------------------------------------
    def _make_str_type(self):
        guards = self

        class StrType(type):
            def __instancecheck__(cls, value):
                return isinstance(value, builtins.str)

            def __subclasscheck__(cls, subclass):
                return issubclass(subclass, builtins.str)

        def __new__(cls, *args, **kwargs):
            if args:
                guards.check_stringify(args[0])
            return builtins.str(*args, **kwargs)

        # A stand-in for `str` that checks the size first; isinstance(x, str) and str.upper(...) still work.
        return StrType("str", (builtins.str,), {"__new__": __new__, "__slots__": (), "__module__": "builtins"})

    def repr(self, value) -> str:
        self.check_stringify(value)
        return builtins.repr(value)

    def ascii(self, value) -> str:
        self.check_stringify(value)
        return builtins.ascii(value)

    def format_value(self, value, conversion: int = -1, spec: str | None = None) -> str:
        """f-string replacement fields: `{value!r:spec}` becomes `_format_(value, ord('r'), spec)`."""
        self.check_stringify(value)
        if conversion == ord("r"):
            value = builtins.repr(value)
        elif conversion == ord("s"):
            value = builtins.str(value)
        elif conversion == ord("a"):
            value = builtins.ascii(value)
        if spec:
            self.check_format_spec(spec)
        return builtins.format(value, spec or "")

    def format(self, value, spec: str = "") -> str:
        return self.format_value(value, -1, spec)

    def mod(self, left, right):
        """`left % right`: printf-style formatting when left is a text."""
        self.check_mod(left, right)
        return left % right

    def check_mod(self, left, right) -> None:
        if isinstance(left, str | bytes):
            check_active()  # the statements around `%` get no check of their own (checkpoints.py)
            self._check_printf(left, right)

    def _check_printf(self, template, args) -> None:
        text = template.decode("latin-1") if isinstance(template, bytes) else template
        padding = 0
        starred = False
        for width, precision in PRINTF_FIELD.findall(text):
            for number in (width, precision):
                if number == "*":
                    starred = True
                elif number:
                    padding += int(number) if len(number) < 10 else 10**10
        if starred:
            values = args if isinstance(args, tuple) else (args,)
            padding += sum(abs(v) for v in values if isinstance(v, int))
        if padding > self.limits.max_data_bytes:
            self.refuse_length("this %-format", padding)
        self.check_stringify(args)

    # -- methods of str and bytes -------------------------------------------------------------------------
    def wrap_method(self, owner, name: str, method):
        """A checked stand-in for an expanding str/bytes method (bound, or unbound when owner is the type)."""
        if isinstance(owner, str | bytes):
            if name == "join":
                return lambda iterable: self._join(owner, iterable)

            def bound(*args, **kwargs):
                self._check_method(owner, name, args, kwargs)
                return method(*args, **kwargs)
            return bound

        def unbound(text, *args, **kwargs):
            if isinstance(text, str | bytes):
                if name == "join":
                    return self._join(text, *args)
                self._check_method(text, name, args, kwargs)
            return method(text, *args, **kwargs)
        return unbound

    def _join(self, separator, iterable):
        items = list(iterable)
        length = len(separator) * max(len(items) - 1, 0)
        length += sum(len(item) for item in items if isinstance(item, str | bytes))
        self.check_text_length(f"{type(separator).__name__}.join()", length)
        return separator.join(items)

    def _check_method(self, text, name: str, args: tuple, kwargs: dict) -> None:
        def arg(position, keyword, default):
            value = args[position] if len(args) > position else kwargs.get(keyword, default)
            return value if isinstance(value, int) else default

        what = f"{type(text).__name__}.{name}()"
        if name in ("ljust", "rjust", "center", "zfill"):
            self.check_text_length(what, arg(0, "width", 0))
        elif name == "expandtabs":
            tab = "\t" if isinstance(text, str) else b"\t"
            self.check_text_length(what, len(text) + text.count(tab) * max(arg(0, "tabsize", 8), 0))
        elif name == "replace" and len(args) >= 2 and isinstance(args[0], str | bytes):
            old, new = args[0], args[1]
            found = text.count(old) if old else len(text) + 1
            count = arg(2, "count", -1)
            if count >= 0:
                found = min(found, count)
            self.check_text_length(what, len(text) + found * max(len(new) - len(old), 0))
        elif name == "translate" and args and isinstance(args[0], dict):
            longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
            self.check_text_length(what, len(text) * longest)

    # -- print and json -----------------------------------------------------------------------------------
    def print_collector(self, _getattr_=None):
        """RestrictedPython's `_print_`: collects printed text (readable as `printed`), logged at DEBUG."""
        return PrintCollector(self)

    def json_dumps(self, value, *, indent=None, separators=None, sort_keys=False, default=None,
                   ensure_ascii=True):
        self.check_stringify(value)
        if indent is not None and not (isinstance(indent, int) and 0 <= indent <= 16
                                       or isinstance(indent, str) and len(indent) <= 16):
            raise SizeLimitExceeded("json.dumps(indent=...) must be at most 16 characters")
        if separators is not None and any(len(s) > 8 for s in separators):
            raise SizeLimitExceeded("json.dumps(separators=...) must be at most 8 characters each")
        text = json.dumps(value, indent=indent, separators=separators, sort_keys=sort_keys, default=default,
                          ensure_ascii=ensure_ascii)
        self.check_text_length("json.dumps()", len(text))
        return text

    @staticmethod
    def json_loads(text):
        """json.loads without `cls` and hooks: plain JSON in, plain values out."""
        return json.loads(text)


class PrintCollector:
    def __init__(self, guards: TextGuards):
        self.guards = guards
        self.parts: list[str] = []
        self.size = 0

    def __call__(self) -> str:
        return "".join(self.parts)

    def _call_print(self, *values, sep=" ", end="\n", file=None, flush=False):
        if file is not None:
            raise AccessRefused("print(file=...) is not allowed in pathway scripts")
        for value in values:
            self.guards.check_stringify(value)
        text = builtins.str(sep).join(builtins.str(value) for value in values) + builtins.str(end)
        self.size += len(text)
        self.guards.check_text_length("print()", self.size)
        self.parts.append(text)
        logger.debug("pathway script printed: %s", text.rstrip("\n"))
