"""Who does a thing: a person with roles, or the system itself (timers, messages, the CLI operator)."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.roles import ADMIN


@dataclass(frozen=True)
class Actor:
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    system: bool = False

    @classmethod
    def person(cls, name: str, *roles: str) -> Actor:
        return cls(name=name, roles=frozenset(roles))

    @classmethod
    def system_actor(cls, name: str = "system") -> Actor:
        return cls(name=name, roles=frozenset(), system=True)

    @property
    def is_admin(self) -> bool:
        return self.system or ADMIN in self.roles

    def holds(self, role: str | None) -> bool:
        """May act for tasks of `role` (a task without a lane role is open to every care team member)."""
        return role is None or self.is_admin or role in self.roles


SYSTEM = Actor.system_actor()
