"""Run in processes of their own by test_idempotency_under_concurrency: the web app over the shared database,
five threads each sending the same request at the same moment as every other process's threads."""
from __future__ import annotations

import threading


def send_together(url: str, token: str, home: str, request: dict, barrier, results, threads: int = 5) -> None:
    import os

    os.environ["CAREPATH_HOME"] = home
    from engine.service import CarePathways
    from webapp import create_app

    service = CarePathways(url)
    app = create_app({"CAREPATH_SERVICE": service, "DATABASE_URL": "unused://", "SECRET_KEY": "concurrency",
                      "TESTING": True, "SESSION_COOKIE_SECURE": False})

    def one():
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", **request.get("headers", {})}
        barrier.wait(timeout=60)
        try:
            response = client.post(request["url"], json=request["json"], headers=headers)
            results.put((response.status_code, response.get_json()))
        except Exception as exc:  # pragma: no cover - reported to the test as a failure
            results.put((0, repr(exc)))

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    service.db.dispose()
