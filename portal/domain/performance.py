"""The public performance page: what any resident can check the centre's
claim against. Counts only; no case, name or number is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.models import Case, Service
from portal.models.enums import County

PERIOD_DAYS = 90


@dataclass(frozen=True)
class Performance:
    decided: int
    on_time: int
    workdays_sum: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None

    @property
    def mean_workdays(self) -> float | None:
        return self.workdays_sum / self.decided if self.decided else None


def decided_since(session: Session, now: datetime) -> dict[tuple[int, County], Performance]:
    """Cases decided (completed or refused after review) in the last 90
    days, by service and receiving window: one grouped query."""
    since = now - timedelta(days=PERIOD_DAYS)
    rows = session.execute(
        select(
            Case.service_id,
            Case.receiving_county,
            func.count(Case.id),
            func.coalesce(func.sum(case((Case.on_time.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(Case.turnaround_workdays), 0),
        )
        .where(Case.outcome.is_not(None), Case.closed_at >= since, Case.closed_at <= now)
        .group_by(Case.service_id, Case.receiving_county)
    )
    return {(s, c): Performance(int(n), int(on), int(wd)) for s, c, n, on, wd in rows}


def performance_table(session: Session, now: datetime) -> tuple[list, dict[County, Performance], Performance]:
    """Rows (service, {county: figures}), totals per county and overall."""
    figures = decided_since(session, now)
    services = list(session.scalars(select(Service).order_by(Service.position)))
    rows = [(s, {c: figures.get((s.id, c)) for c in County}) for s in services]

    def add(items):
        items = [i for i in items if i]
        return Performance(sum(i.decided for i in items), sum(i.on_time for i in items), sum(i.workdays_sum for i in items))

    per_county = {c: add(v for (_s, k), v in figures.items() if k is c) for c in County}
    return rows, per_county, add(figures.values())
