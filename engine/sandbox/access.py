"""Guarded attribute, item and write access (RestrictedPython's `_getattr_`, `_getitem_`, `_write_`).

No attribute starting with "_" (so no `__class__`, `__subclasses__`, `__globals__`), none of the frame, code and
traceback attributes, no `mro` (it reaches BaseException, which would escape SpiffWorkflow's error handling), no
`str.format` / `str.format_map` (their `{0.__class__}` fields read attributes without any guard). Writes are
allowed into dicts and lists only.
"""
from __future__ import annotations

from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from engine.sandbox.errors import AccessRefused, SizeLimitExceeded
from engine.sandbox.integers import IntegerGuards, is_int_type
from engine.sandbox.limits import SandboxLimits
from engine.sandbox.text import EXPANDING_METHODS, TextGuards

DENIED_ATTRIBUTES = INSPECT_ATTRIBUTES | {"mro"}
INT_METHODS = frozenset({"to_bytes", "from_bytes"})  # int methods whose result size depends on an argument
_MISSING = object()


def is_text_type(value) -> bool:
    return isinstance(value, type) and issubclass(value, str | bytes)


class AccessGuards:
    def __init__(self, limits: SandboxLimits, text: TextGuards, integers: IntegerGuards):
        self.limits = limits
        self.text = text
        self.integers = integers

    def check_attribute(self, owner, name) -> None:
        if not isinstance(name, str):
            raise TypeError("attribute name must be a string")
        if name.startswith("_") or name in DENIED_ATTRIBUTES:
            raise AccessRefused(f"access to attribute '{name}' is not allowed in pathway scripts")
        if name in ("format", "format_map") and (isinstance(owner, str) or is_text_type(owner)):
            raise AccessRefused(
                f"str.{name}() is not allowed in pathway scripts (its fields can read private attributes); "
                "use an f-string")

    def getattr(self, owner, name, default=_MISSING):
        """`owner.name` in pathway code, and the `getattr` builtin."""
        self.check_attribute(owner, name)
        try:
            value = getattr(owner, name)
        except AttributeError:
            if default is _MISSING:
                raise
            return default
        if name in EXPANDING_METHODS and (isinstance(owner, str | bytes) or is_text_type(owner)):
            return self.text.wrap_method(owner, name, value)
        if name == "extend" and (isinstance(owner, list) or owner is list):
            return self._checked_extend(owner)
        if name in INT_METHODS and (isinstance(owner, int) or is_int_type(owner)):
            return self.integers.method(owner, name, value) or value
        return value

    def hasattr(self, owner, name) -> bool:
        try:
            self.getattr(owner, name)
        except (AttributeError, AccessRefused):
            return False
        return True

    def _checked_extend(self, owner):
        def checked(*args):
            target, items = (owner, args[0]) if isinstance(owner, list) else args
            items = list(items)
            if len(target) + len(items) > self.limits.max_sequence_length:
                raise_length(self.limits, len(target) + len(items), "list.extend()")
            target.extend(items)
        return checked

    @staticmethod
    def getitem(owner, key):
        return owner[key]

    def write(self, owner):
        """`_write_(owner)` wraps the target of `owner[k] = v`, `owner.a = v` and their `del` forms."""
        if isinstance(owner, dict):
            return owner
        if isinstance(owner, list):
            return ListWriter(owner, self.limits)
        raise AccessRefused(f"changing a {type(owner).__name__} is not allowed in pathway scripts")


def raise_length(limits: SandboxLimits, length: int, what: str):
    raise SizeLimitExceeded(f"{what} would build {length:,} items; the limit is {limits.max_sequence_length:,}")


class ListWriter:
    """Item and slice assignment into a list, refusing slice assignments that grow it past the limit."""

    __slots__ = ("_target", "_limits")

    def __init__(self, target: list, limits: SandboxLimits):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_limits", limits)

    def __setitem__(self, key, value):
        if isinstance(key, slice):
            value = list(value)
            removed = len(range(*key.indices(len(self._target))))
            length = len(self._target) - removed + len(value)
            if length > self._limits.max_sequence_length:
                raise_length(self._limits, length, "this slice assignment")
        self._target[key] = value

    def __delitem__(self, key):
        del self._target[key]

    def __setattr__(self, name, value):
        raise AccessRefused("changing a list's attributes is not allowed in pathway scripts")

    def __delattr__(self, name):
        raise AccessRefused("changing a list's attributes is not allowed in pathway scripts")


def refused_builtin(name: str, reason: str = ""):
    """A stand-in for a builtin pathway code may not use (open, type, dir...), so the error names it."""
    message = f"{name}() is not allowed in pathway scripts" + (f": {reason}" if reason else "")

    def refused(*args, **kwargs):
        raise AccessRefused(message)

    refused.__name__ = name
    return refused
