"""Real Celery worker and beat processes for the benchmarks and tests (`celery -A engine.jobs.celery_app`)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Cluster:
    """Worker and beat processes on one queue of their own, sharing one database; stopped on exit."""

    def __init__(self, database_url: str, broker_url: str, log_dir: Path, **settings):
        self.queue = f"carepath-{uuid.uuid4().hex[:8]}"
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CAREPATH_QUEUE": self.queue,
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
        })
        self.env.pop("CAREPATH_SMTP_HOST", None)
        for name, value in settings.items():
            self.env[name if name.isupper() else f"CAREPATH_{name.upper()}"] = str(value)
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.log_dir / f"{name}.log"
        self.logs[name] = log
        with open(log, "ab") as out:
            proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "engine.jobs.celery_app", *args],
                                    cwd=self.log_dir, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.processes[name] = proc
        return proc

    def worker(self, name: str, *, wait: bool = True, pool: str = "solo") -> subprocess.Popen:
        proc = self._spawn(name, ["worker", "--pool", pool, "-n", f"{name}-{self.queue}@%h", "-Q", self.queue,
                                  "--loglevel=INFO", "--without-gossip", "--without-mingle",
                                  "--without-heartbeat"])
        if wait:
            self.wait_for(name, "ready.")
        return proc

    def beat(self) -> subprocess.Popen:
        return self._spawn("beat", ["beat", "--loglevel=INFO", "--schedule",
                                    str(self.log_dir / f"beat-{self.queue}")])

    def wait_for(self, name: str, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log(name):
                return
            proc = self.processes[name]
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({proc.returncode}):\n{self.log(name)[-3000:]}")
            time.sleep(0.05)
        raise TimeoutError(f"{name} did not log {text!r} within {timeout} s:\n{self.log(name)[-3000:]}")

    def log(self, name: str) -> str:
        try:
            return self.logs[name].read_text(errors="replace")
        except OSError:
            return ""

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.processes[name]
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
            proc.wait(15)

    def pause(self, name: str) -> None:
        """Freeze a process (SIGSTOP): it holds what it holds, and commits nothing more until resumed or killed."""
        os.killpg(self.processes[name].pid, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGCONT)

    def stop(self) -> None:
        for proc in list(self.processes.values()):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for proc in self.processes.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self.purge()

    def purge(self) -> None:
        """Drop what is left in this cluster's queue."""
        try:
            from engine.config import JobSettings
            from engine.jobs.celery_app import make_celery

            app = make_celery(JobSettings(broker_url=self.env["CELERY_BROKER_URL"], queue=self.queue))
            with app.connection_for_write() as conn:
                channel = conn.default_channel
                channel.queue_purge(self.queue)
                channel.queue_delete(self.queue)
                if hasattr(channel, "client"):  # Redis keeps the queue's bindings under keys of their own
                    channel.client.delete(f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
                else:  # RabbitMQ: the queue's exchange, named after it
                    channel.exchange_delete(self.queue)
        except Exception:  # noqa: BLE001 - best effort: the queue name is never used again
            pass

    def send(self, task: str, args: dict | None = None) -> None:
        """Ring a bell on this cluster's queue from outside (as beat or the web app would)."""
        from engine.config import JobSettings
        from engine.jobs.celery_app import make_celery
        from engine.jobs.envelope import Envelope

        app = make_celery(JobSettings(broker_url=self.env["CELERY_BROKER_URL"], queue=self.queue))
        app.send_task(task, args=[Envelope.new(task, args).to_message()], queue=self.queue)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
