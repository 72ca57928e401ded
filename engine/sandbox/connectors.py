"""A tiny registry of service-task connectors: operator name -> callable(params) -> JSON text or object."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Connector = Callable[[dict[str, Any]], Any]


class ConnectorRegistry:
    def __init__(self):
        self._connectors: dict[str, Connector] = {}
        self._lock = threading.Lock()

    def register(self, name: str, connector: Connector) -> None:
        if not callable(connector):
            raise TypeError(f"connector for {name!r} must be callable")
        with self._lock:
            self._connectors[name] = connector

    def unregister(self, name: str) -> None:
        with self._lock:
            self._connectors.pop(name, None)

    def get(self, name: str) -> Connector | None:
        return self._connectors.get(name)

    def names(self) -> list[str]:
        return sorted(self._connectors)


default_registry = ConnectorRegistry()


def register_connector(name: str, connector: Connector) -> None:
    """Register `connector` for service tasks whose operator (spiffworkflow:serviceTaskOperator) is `name`.

    It is called with a dict of the evaluated operation parameters {param name: value} and returns JSON text or
    a JSON-serializable object, stored in the task's result variable.
    """
    default_registry.register(name, connector)


def unregister_connector(name: str) -> None:
    default_registry.unregister(name)
