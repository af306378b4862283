"""Who acts: the one type every layer passes to services (audit records it)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who acts: passed by views, API and CLI to services (services never read `request`)."""
    user_id: int | None
    username: str | None
    ip: str | None = None
    role: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls(user_id=None, username=name, ip=None, role=None)
