"""When a sign-in ends on its own: after a spell of inactivity (shorter
for staff, whose pages show other people's data) and, however active,
a fixed time after signing in. Checked on the server at every request
from the two moments the session carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from portal.models import Role


class Ending(Enum):
    idle = "idle"
    lifetime = "lifetime"


@dataclass(frozen=True)
class SessionLimits:
    staff_idle: timedelta
    resident_idle: timedelta
    lifetime: timedelta

    def idle_for(self, role: Role) -> timedelta:
        return self.resident_idle if role is Role.resident else self.staff_idle


def session_ending(
    role: Role, signed_in_at: datetime | None, seen_at: datetime | None, now: datetime, limits: SessionLimits
) -> Ending | None:
    """Why this session is over, or None while it may go on. A session
    without its moments (made before they were recorded, or not by us) is
    over: nothing says how old it is."""
    if signed_in_at is None or seen_at is None or now - signed_in_at >= limits.lifetime:
        return Ending.lifetime
    if now - seen_at > limits.idle_for(role):
        return Ending.idle
    return None
