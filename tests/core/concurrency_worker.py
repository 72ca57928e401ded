"""Run in a separate process by test_concurrency: complete one task, pausing at a barrier before saving."""
from __future__ import annotations


def complete_in_race(url: str, task_id: int, actor_name: str, barrier, results) -> None:
    from engine.care.actors import Actor
    from engine.errors import CarepathError
    from engine.runtime.runner import Runtime
    from engine.service import CarePathways

    original_save = Runtime.save

    def save_after_everyone_loaded(self, session, loaded, actor, *more):
        barrier.wait(timeout=30)  # both processes have loaded the same version of the instance
        return original_save(self, session, loaded, actor, *more)

    Runtime.save = save_after_everyone_loaded
    try:
        CarePathways(url).complete(task_id, {"decision": "continue"}, Actor.person(actor_name, "care_manager"))
        results.put((actor_name, "ok", ""))
    except CarepathError as exc:
        results.put((actor_name, type(exc).__name__, str(exc)))
    except Exception as exc:  # pragma: no cover - reported to the test as a failure
        results.put((actor_name, "crash", repr(exc)))
