"""A serving process's long-lived objects kept out of Python's cyclic garbage collector.

A web worker or a Celery worker holds some 170,000 objects from its imports (SQLAlchemy, SpiffWorkflow, Flask,
marshmallow, fhir.resources) and its app. Every full pass of the collector walks them all: measured at about
100 ms, landing on whichever request happened to allocate past the threshold, as a spike in its latency.
`settle()` once a process is ready moves what it holds then into the collector's permanent generation
(`gc.freeze`): full passes then walk only what came later (about 10 ms). Frozen objects are still freed when
nothing refers to them; only a reference cycle among them would stay, so garbage is collected first.
"""
from __future__ import annotations

import gc
import threading

_settled = False
_lock = threading.Lock()


def settle() -> bool:
    """Freeze what this process holds now, once per process; returns whether this call did it."""
    global _settled
    with _lock:
        if _settled:
            return False
        gc.collect()
        gc.freeze()
        _settled = True
        return True
