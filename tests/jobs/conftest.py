"""Fixtures for background work: PostgreSQL-only databases for real worker processes, worker clusters on a
queue of their own, a local SMTP server (aiosmtpd) that records what it receives."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bench.timers import OUTREACH, start_due
from bench.workers import Cluster
from engine.service import CarePathways
from engine.time import clock
from tests.conftest import FIXTURES, PG_URL, _fresh_database

BROKER_URL = os.environ.get("CAREPATH_TEST_BROKER_URL")
LAB = FIXTURES / "bpmn" / "lab_followup"


@pytest.fixture
def pg_database(request, tmp_path):
    """A fresh PostgreSQL database that other processes can reach (workers)."""
    if not PG_URL:
        pytest.skip("CAREPATH_TEST_DATABASE_URL is not set")
    db = _fresh_database("postgresql", request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def broker_url():
    if not BROKER_URL:
        pytest.skip("CAREPATH_TEST_BROKER_URL is not set")
    return BROKER_URL


@pytest.fixture
def real_pathways(pg_database):
    """The engine on PostgreSQL, on the real clock (worker processes run on it too)."""
    svc = CarePathways(pg_database)
    svc.deploy(OUTREACH)
    svc.deploy(LAB)
    return svc


@pytest.fixture
def log_dir():
    """Worker logs outside pytest's tmp_path (which a concurrent pytest run may clean up under us)."""
    path = Path(tempfile.mkdtemp(prefix="carepath-workers-"))
    yield path
    if not os.environ.get("CAREPATH_KEEP_WORKER_LOGS"):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def cluster(pg_database, broker_url, log_dir):
    """Start workers with `cluster.worker(name)`; every process is stopped (and the queue dropped) at the end.
    Short leases, so that a killed worker's timers come back within seconds."""
    with Cluster(pg_database.url, broker_url, log_dir, timer_lease_seconds=3, job_lease_seconds=5,
                 redispatch_seconds=2, sweep_seconds=1, visibility_timeout=20, drain_seconds=60) as c:
        yield c


def due_timers(svc, count: int, prefix: str = "p") -> list[int]:
    return start_due(svc, count, clock.now() - timedelta(minutes=1), prefix=prefix)


def wait_until(condition, timeout: float, step: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# ------------------------------------------------------------------------------------------------ Redis restarts

REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
               "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]


def redis_up() -> bool:
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, text=True,
                          timeout=5).stdout.strip() == "PONG"


@pytest.fixture
def redis_restart(broker_url):
    """A function that restarts the local Redis (empty, as CI starts it); Redis is up again after the test."""
    if not broker_url.startswith("redis://127.0.0.1:6379") or not shutil.which("redis-server"):
        pytest.skip("restarting the broker needs the local Redis on 127.0.0.1:6379")

    def restart() -> None:
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True, timeout=10)
        wait_until(lambda: not redis_up(), 10, what="Redis to stop")
        subprocess.run(REDIS_START, check=True, capture_output=True, timeout=10)
        wait_until(redis_up, 10, what="Redis to start")

    yield restart
    if not redis_up():
        subprocess.run(REDIS_START, capture_output=True, timeout=10)
        wait_until(redis_up, 10, what="Redis to start")


def amqp_reachable(host: str = "127.0.0.1", port: int = 5672) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


# ------------------------------------------------------------------------------------------------ SMTP

class Inbox:
    """Messages an aiosmtpd server accepted."""

    def __init__(self):
        self.messages = []
        self.refuse = 0  # refuse this many deliveries (451, temporary) before accepting again

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse > 0:
            self.refuse -= 1
            return "451 try again later"
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()
