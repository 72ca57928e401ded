"""Parsed-spec cache: each deployment version is parsed once per process, never per request."""
from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deploy.bundle import Bundle
from engine.deploy.parsing import ParsedBundle, parse_bundle
from engine.errors import NotFound
from engine.models import Deployment, DeploymentFile


class SpecCache:
    def __init__(self, capacity: int = 64):
        self.capacity = capacity
        self._entries: OrderedDict[int, ParsedBundle] = OrderedDict()
        self._lock = threading.Lock()
        self.parses = 0  # how many times a bundle was parsed (tests check the cache works)

    def put(self, deployment_id: int, parsed: ParsedBundle) -> None:
        with self._lock:
            self._entries[deployment_id] = parsed
            self._entries.move_to_end(deployment_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def get(self, session: Session, deployment_id: int) -> ParsedBundle:
        with self._lock:
            parsed = self._entries.get(deployment_id)
            if parsed is not None:
                self._entries.move_to_end(deployment_id)
                return parsed
        deployment = session.get(Deployment, deployment_id)
        if deployment is None:
            raise NotFound(f"deployment {deployment_id} does not exist")
        rows = session.execute(
            select(DeploymentFile.path, DeploymentFile.content).where(DeploymentFile.deployment_id == deployment_id)
        ).all()
        parsed = parse_bundle(Bundle(name=deployment.name, files={path: content for path, content in rows}))
        self.parses += 1
        self.put(deployment_id, parsed)
        return parsed
