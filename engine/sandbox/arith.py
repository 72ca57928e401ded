"""Guards for operations that can build huge values in one C-level step, which no time limit can interrupt.

`'x' * 10**10`, `[0] * 10**9`, `10**10**10`, `1 << 10**10` and `range(10**12)` are refused before anything is
allocated. The policy rewrites the operators into calls of these methods; `range`, `pow`, `round` and `sum`
replace the builtins of the same name. Guards that are about integers alone (parsing, modular powers) are in
integers.py.
"""
from __future__ import annotations

import builtins
import math
import operator

from engine.sandbox.errors import SizeLimitExceeded
from engine.sandbox.integers import IntegerGuards, refuse_int
from engine.sandbox.limits import SCALARS, SandboxLimits, approx_json_size
from engine.sandbox.timelimit import check_active

TEXT = (str, bytes)
SEQUENCES = (str, bytes, list, tuple)
NUMBERS = frozenset({int, float, bool})


def _short(value) -> str:
    return repr(value) if isinstance(value, int) and value.bit_length() < 64 else f"<{type(value).__name__}>"


class ArithmeticGuards:
    def __init__(self, limits: SandboxLimits, check_mod=None):
        """check_mod(left, right): the check of `left % right` (printf-style formatting), for `%=`."""
        self.limits = limits
        self.max_int_bits = limits.max_int_bits
        self.inplace = {
            "%=": (check_mod, operator.imod),
            "+=": (self.check_add, operator.iadd), "*=": (self.check_mul, operator.imul),
            "**=": (self.check_pow, operator.ipow), "<<=": (self.check_lshift, operator.ilshift),
            "-=": (None, operator.isub), "/=": (None, operator.itruediv), "//=": (None, operator.ifloordiv),
            ">>=": (None, operator.irshift), "|=": (None, operator.ior), "&=": (None, operator.iand),
            "^=": (None, operator.ixor), "@=": (None, operator.imatmul),
        }

    # -- checks -------------------------------------------------------------------------------------------
    def _refuse_int(self, what: str, bits: float):
        refuse_int(self.limits, what, bits)

    def check_repeat(self, seq, count) -> None:
        check_active()
        if count <= 1 or not seq:
            return
        length = len(seq) * count
        if isinstance(seq, TEXT):
            if length > self.limits.max_data_bytes:
                raise SizeLimitExceeded(
                    f"repeating a text {count:,} times would build {length:,} characters; "
                    f"the limit is {self.limits.max_data_bytes:,}")
            return
        if length > self.limits.max_sequence_length:
            raise SizeLimitExceeded(
                f"repeating a {type(seq).__name__} {count:,} times would build {length:,} items; "
                f"the limit is {self.limits.max_sequence_length:,}")
        if not all(isinstance(item, SCALARS) for item in seq):
            budget = self.limits.max_data_bytes // count
            if approx_json_size(seq, budget) > budget:
                raise SizeLimitExceeded(
                    f"repeating a {type(seq).__name__} of nested values {count:,} times would build more than "
                    f"{self.limits.max_data_bytes:,} characters of data")

    def check_mul(self, a, b) -> None:
        if isinstance(a, int) and isinstance(b, int):
            if a.bit_length() + b.bit_length() > self.max_int_bits:
                self._refuse_int("this multiplication", a.bit_length() + b.bit_length())
        elif isinstance(b, int) and isinstance(a, SEQUENCES):
            self.check_repeat(a, b)
        elif isinstance(a, int) and isinstance(b, SEQUENCES):
            self.check_repeat(b, a)

    def check_pow(self, base, exponent) -> None:
        if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
            bits = exponent * math.log2(abs(base))
            if bits > self.max_int_bits:
                self._refuse_int(f"{_short(base)} ** {_short(exponent)}", bits)

    def check_lshift(self, value, shift) -> None:
        if isinstance(value, int) and isinstance(shift, int) and value and shift > 0:
            bits = value.bit_length() + shift
            if bits > self.max_int_bits:
                self._refuse_int(f"{_short(value)} << {_short(shift)}", bits)

    def check_add(self, a, b) -> None:
        if isinstance(a, TEXT) and isinstance(b, TEXT):
            check_active()
            if len(a) + len(b) > self.limits.max_data_bytes:
                raise SizeLimitExceeded(
                    f"joining two texts would build {len(a) + len(b):,} characters; "
                    f"the limit is {self.limits.max_data_bytes:,}")
        elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
            check_active()
            self.check_length(len(a) + len(b), "joining two sequences")

    def check_length(self, length: int, what: str) -> None:
        if length > self.limits.max_sequence_length:
            raise SizeLimitExceeded(
                f"{what} would build {length:,} items; the limit is {self.limits.max_sequence_length:,}")

    # -- operators (the policy rewrites `a * b` into `_mul_(a, b)` and so on) -------------------------------
    def mul(self, a, b):
        if type(a) is float or type(b) is float:  # fast path: a float product cannot be huge
            return a * b
        self.check_mul(a, b)
        return a * b

    def pow(self, base, exponent, mod=None):
        if mod is not None:
            IntegerGuards.check_modular_pow(base, exponent, mod)
            return builtins.pow(base, exponent, mod)
        self.check_pow(base, exponent)
        return base ** exponent

    def lshift(self, value, shift):
        self.check_lshift(value, shift)
        return value << shift

    def add(self, a, b):
        if type(a) in NUMBERS and type(b) in NUMBERS:  # fast path: a sum of numbers cannot be huge
            return a + b
        self.check_add(a, b)
        return a + b

    def inplacevar(self, op: str, target, value):
        check, apply = self.inplace[op]
        if check is not None:
            check(target, value)
        return apply(target, value)

    # -- builtins -----------------------------------------------------------------------------------------
    def range(self, *args):
        bounded = builtins.range(*args)
        try:
            length = len(bounded)
        except OverflowError:
            length = (bounded.stop - bounded.start) // bounded.step
        if length > self.limits.max_sequence_length:
            raise SizeLimitExceeded(
                f"range() of {length:,} items is over the limit of {self.limits.max_sequence_length:,} items")
        return bounded

    def round(self, number, ndigits=None):
        # round(n, -k) computes 10**k in C first
        if isinstance(ndigits, int) and ndigits < 0 and isinstance(number, int):
            self.check_pow(10, -ndigits)
        return builtins.round(number) if ndigits is None else builtins.round(number, ndigits)

    def sum(self, iterable, /, start=0):
        if not isinstance(start, list | tuple):
            return builtins.sum(iterable, start)
        # Summing sequences is quadratic in C; build the result once, after checking its size.
        items = list(iterable)
        for item in items:
            if not isinstance(item, type(start)):
                raise TypeError(f'can only concatenate {type(start).__name__} (not "{type(item).__name__}")')
        self.check_length(len(start) + builtins.sum(len(item) for item in items), "sum()")
        result = list(start)
        for item in items:
            result.extend(item)
        return type(start)(result)
