"""Integers: an operation that would run for minutes in one C call (which no time limit interrupts), or build an
integer no workflow state can hold, is refused before it starts, naming the limit."""
from __future__ import annotations

import time

import pytest

from engine.sandbox import SandboxEnvironment, SandboxLimits, SizeLimitExceeded

QUICKLY = 0.5  # seconds: the refusal comes before the C call; the calls themselves run for seconds to minutes


def refused_quickly(env, run_script, script: str, refused: str) -> None:
    started = time.monotonic()
    with pytest.raises(SizeLimitExceeded, match=refused):
        run_script(env, script)
    assert time.monotonic() - started < QUICKLY


@pytest.mark.parametrize("script, refused", [
    ("m = 3 ** 8800\nx = pow(m - 1, m, m - 2)",
     r"pow\(x, y, m\) with a 13,948-bit exponent would run too long; the limit is 2,048 bits for the exponent "
     "and the modulus"),
    ("m = 3 ** 8800\nx = pow(2, 2**2049, m)", r"pow\(x, y, m\) with a 2,050-bit exponent"),
    ("m = 3 ** 8800\nx = pow(2, 65537, m)", r"pow\(x, y, m\) with a 13,948-bit modulus"),
])
def test_a_runaway_modular_pow_is_refused_before_it_starts(env, run_script, script, refused):
    refused_quickly(env, run_script, script, refused)


@pytest.mark.parametrize("script", [
    "big = int('9' * 4000)\nx = big * big",
    "big = int('9' * 4000)\nx = big\nx *= big",
    "big = int('9' * 4000)\nx = [big][0] * big",
])
def test_a_big_multiplication_is_refused_before_it_starts(env, run_script, script):
    refused_quickly(env, run_script, script,
                    "this multiplication would be an integer of about 8,001 digits; the limit is 4,300 digits")


@pytest.mark.parametrize("script, refused", [
    ("x = int('1' * 200000, 2)",
     r"int\(\) of a text of 200,000 characters would be an integer of about 60,206 digits; the limit is 4,300"),
    ("x = int('f' * 100000, 16)", r"int\(\) of a text of 100,000 characters would be an integer of about 120,412"),
    ("x = int('0x' + 'f' * 100000, 0)", r"int\(\) of a text of 100,002 characters"),
    ("x = int(b'1' * 200000, base=2)", r"int\(\) of a text of 200,000 characters"),
    ("x = int.from_bytes(b'\\xff' * 100000, 'big')",
     r"int.from_bytes\(\) of 100,000 bytes would be an integer of about 240,824 digits; the limit is 4,300"),
    ("x = (1).from_bytes([255] * 100000, 'big')", r"int.from_bytes\(\) of 100,000 bytes"),
    ("x = int('1' * 14000, 2) << 1000", "would be an integer of about 4,516 digits"),
])
def test_parsing_a_huge_integer_is_refused_before_it_is_parsed(env, run_script, script, refused):
    refused_quickly(env, run_script, script, refused)


def test_ordinary_integers_are_still_parsed_converted_and_powered(env, run_script):
    script = ("a = int('42')\nb = int(' -7 ')\nc = int('ff', 16)\nd = int('0b101', 0)\ne = int(3.9)\nf = int()\n"
              "g = int.from_bytes(b'\\x01\\x00', 'big')\nh = pow(3, 200, 1000)\ni = pow(3, -1, 7)\n"
              "j = isinstance(5, int) and not isinstance('5', int)\nk = (258).to_bytes(2, 'big')\n"
              "m = int('1' * 14000, 2) > 0\nn = int('9' * 4300) > 0\no = int(' ' * 20000 + '1_000')")
    assert run_script(env, script) == {"a": 42, "b": -7, "c": 255, "d": 5, "e": 3, "f": 0, "g": 256, "h": 1,
                                       "i": 5, "j": True, "k": b"\x01\x02", "m": True, "n": True, "o": 1000}


def test_an_integer_grown_past_the_limit_in_a_loop_is_refused_when_the_script_ends(env, run_script):
    with pytest.raises(SizeLimitExceeded, match="a value in the task data after this script \\('x'\\) would be an "
                                                "integer of about 6,021 digits; the limit is 4,300 digits"):
        run_script(env, "x = 1\nfor i in range(20000):\n    x = x + x")


def test_an_integer_grown_past_the_limit_inside_the_data_is_refused_naming_its_variable(env, run_script):
    with pytest.raises(SizeLimitExceeded, match="\\('totals'\\)"):
        run_script(env, "totals = {'a': [1]}\nfor i in range(20000):\n"
                        "    totals['a'][0] = totals['a'][0] + totals['a'][0]", keep=1)


def test_an_integer_too_large_to_store_that_the_script_was_given_is_left_to_the_runtime(env, run_script):
    """A message payload brought it in: the runtime puts the instance in error naming that task
    (tests/engine/test_oversized_values.py), not the script that happens to run next."""
    assert run_script(env, "checked = True", lab={"hba1c": 2**20000})["checked"] is True


def test_an_expression_giving_an_integer_too_large_to_store_is_refused():
    environment = SandboxEnvironment(SandboxLimits(max_int_digits=100))
    with pytest.raises(SizeLimitExceeded, match="the expression's value would be an integer of about 121 digits; "
                                                "the limit is 100 digits"):
        environment.evaluate("n + n", {"n": 2**399})


@pytest.mark.parametrize("expression", ["str(n)", "f'{n}'", "repr([n])", "'%d' % n", "json.dumps({'n': n})"])
def test_converting_a_huge_integer_to_text_is_refused_naming_the_limit(env, expression):
    with pytest.raises(SizeLimitExceeded, match="converting an integer of about 6,021 digits to text is over the "
                                                "limit of 4,300 digits"):
        env.execute(f"import json\nx = {expression}", {"n": 2**20000})
