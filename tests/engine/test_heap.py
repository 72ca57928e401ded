"""engine.heap: a serving process's long-lived objects are frozen once, and frozen objects are still freed."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_settling_moves_the_process_objects_out_of_the_collector():
    out = _run("""
        import gc
        from engine import heap
        before = gc.get_freeze_count()
        heap.settle()
        print(before, gc.get_freeze_count() > 1000)
    """)
    assert out == "0 True"


def test_a_process_settles_only_once():
    out = _run("""
        from engine import heap
        print(heap.settle(), heap.settle())
    """)
    assert out == "True False"


def test_the_first_web_app_of_a_process_settles_it():
    out = _run("""
        import gc
        from webapp import create_app
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "t"})
        print(gc.get_freeze_count() > 100000)
    """)
    assert out == "True"


def test_a_frozen_object_is_freed_when_nothing_refers_to_it():
    out = _run("""
        import weakref
        from engine import heap
        class Held: pass
        held = Held()
        gone = weakref.ref(held)
        heap.settle()
        del held
        print(gone() is None)
    """)
    assert out == "True"


def test_the_collector_still_runs_after_settling():
    out = _run("""
        import gc
        from engine import heap
        heap.settle()
        print(gc.isenabled())
    """)
    assert out == "True"
