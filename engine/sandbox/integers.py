"""Guards for building integers: int() of a text, int.from_bytes(), int.to_bytes() and pow() with a modulus.

CPython parses decimal text in quadratic time and so limits it to 4,300 digits, but it parses the power-of-two
bases (2, 4, 8, 16, 32) and bytes without any limit: `int('1' * 200_000, 2)` builds a 200,000-bit integer in
microseconds, and `int.from_bytes()` of a megabyte an 8,000,000-bit one. Such an integer can never be stored
(the JSON of task data cannot write it), and a division or a modular power on it runs for seconds to minutes in
one C call, which no time limit interrupts (a deadline is only looked at between Python steps). So the size of
the result is worked out from the length of the text or the bytes, and refused before anything is parsed.

`pow(x, y, m)` is one C call of about bits(y) x bits(m)^2 steps: with two 14,000-bit numbers it runs for
seconds. Its exponent and modulus are limited to `MAX_MODULAR_POW_BITS`, which keeps it to tens of
milliseconds. (Huge integers cannot be built in one step: `*`, `**`, `<<`, `round` are refused by arith.py;
only `+` and `-` in a loop grow a number, one bit a step, and that costs more time than any later operation
on the result.)
"""
from __future__ import annotations

import builtins
import math

from engine.sandbox.errors import SizeLimitExceeded
from engine.sandbox.limits import SandboxLimits

MAX_MODULAR_POW_BITS = 2048
_TEXTS = (str, bytes, bytearray)
_PREFIX_BASES = {"0x": 16, "0o": 8, "0b": 2}


def is_int_type(value) -> bool:
    return isinstance(value, type) and issubclass(value, builtins.int)


def refuse_int(limits: SandboxLimits, what: str, bits: float):
    """Raise SizeLimitExceeded for an integer of about `bits` bits, in decimal digits as the limit is set."""
    digits = int(bits * math.log10(2)) + 1
    raise SizeLimitExceeded(
        f"{what} would be an integer of about {digits:,} digits; the limit is {limits.max_int_digits:,} digits")


def parsed_bits(text, base) -> float:
    """At most how many bits `int(text, base)` gives: digits times bits per digit (a sign, spaces, underscores
    and a prefix are counted as digits while that is under the limit, a cheap upper bound)."""
    if not (isinstance(base, int) and (base == 0 or 2 <= base <= 36)):
        return 0  # int() refuses the base itself
    if base == 0:
        head = text.lstrip()[:3]
        head = head.decode("latin-1") if isinstance(head, bytes | bytearray) else head
        base = _PREFIX_BASES.get(head.lstrip("+-")[:2].lower(), 10)
    return len(text) * math.log2(base)


def digits_in(text) -> int:
    """The characters of `text` that are digits to int(): all but surrounding spaces and underscores."""
    stripped = text.strip()
    return len(stripped) - stripped.count(b"_" if isinstance(stripped, bytes | bytearray) else "_")


class IntegerGuards:
    def __init__(self, limits: SandboxLimits):
        self.limits = limits
        self.max_bits = limits.max_int_bits
        self.int = self._make_int_type()

    def check_bits(self, what: str, bits: float) -> None:
        if bits > self.max_bits:
            refuse_int(self.limits, what, bits)

    # -- int(text, base) ----------------------------------------------------------------------------------
    def _make_int_type(self):
        guards = self

        class IntType(type):
            def __instancecheck__(cls, value):
                return isinstance(value, builtins.int)

            def __subclasscheck__(cls, subclass):
                return issubclass(subclass, builtins.int)

        def __new__(cls, *args, **kwargs):
            if args and isinstance(args[0], _TEXTS):
                guards.check_parse(args[0], args[1] if len(args) > 1 else kwargs.get("base", 10))
            return builtins.int(*args, **kwargs)

        # A stand-in for `int` that sizes the result first; isinstance(x, int) and int.bit_length(...) still work.
        return IntType("int", (builtins.int,), {"__new__": __new__, "__slots__": (), "__module__": "builtins"})

    def check_parse(self, text, base) -> None:
        bits = parsed_bits(text, base)
        if bits > self.max_bits:
            bits = bits * digits_in(text) / len(text)
            self.check_bits(f"int() of a text of {len(text):,} characters", bits)

    # -- methods of int -----------------------------------------------------------------------------------
    def method(self, owner, name: str, method):
        """A checked stand-in for `to_bytes` or `from_bytes` of an int or of the int type (None: not one)."""
        if name == "from_bytes":
            return self._from_bytes(method)
        if name == "to_bytes" and isinstance(owner, builtins.int):
            return self.to_bytes(owner)
        if name == "to_bytes" and is_int_type(owner):
            return lambda number, *args, **kwargs: self.to_bytes(number)(*args, **kwargs)
        return None

    def _from_bytes(self, method):
        def from_bytes(data, *args, **kwargs):
            data = data if isinstance(data, bytes | bytearray) else bytes(data)
            self.check_bits(f"int.from_bytes() of {len(data):,} bytes", len(data) * 8)
            return method(data, *args, **kwargs)
        return from_bytes

    def to_bytes(self, number: int):
        """A checked `number.to_bytes(length, ...)`: the length is the size of the result."""
        def to_bytes(length=1, *args, **kwargs):
            if isinstance(length, int) and length > self.limits.max_data_bytes:
                raise SizeLimitExceeded(
                    f"int.to_bytes() would build {length:,} bytes; the limit is {self.limits.max_data_bytes:,}")
            return number.to_bytes(length, *args, **kwargs)
        return to_bytes

    # -- pow(x, y, m) -------------------------------------------------------------------------------------
    @staticmethod
    def check_modular_pow(base, exponent, mod) -> None:
        if not (isinstance(exponent, int) and isinstance(mod, int)):
            return  # pow() itself refuses the other types
        for what, number in (("exponent", exponent), ("modulus", mod)):
            if number.bit_length() > MAX_MODULAR_POW_BITS:
                raise SizeLimitExceeded(
                    f"pow(x, y, m) with a {number.bit_length():,}-bit {what} would run too long; the limit is "
                    f"{MAX_MODULAR_POW_BITS:,} bits for the exponent and the modulus")
