"""The figures an operator's monitoring reads, counted from the database at
the moment they are asked for: the same answer from every web process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.clock import Level, WorkCalendar
from portal.domain.deadlines import case_level_clause, task_level_clause
from portal.models import Case, OutboxMessage, SlaAlert, Task
from portal.models.enums import OutboxChannel, OutboxStatus
from portal.models.worker import PeriodicRun, WorkerHeartbeat


@dataclass
class OperatingFigures:
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)  # (target kind, status) → messages
    oldest_pending_seconds: dict[str, float] = field(default_factory=dict)  # target kind → age of the oldest due
    delivery_attempts: dict[tuple[str, str], int] = field(default_factory=dict)  # (target kind, status) → attempts made
    alerts: dict[str, int] = field(default_factory=dict)  # level → alerts raised
    cases_by_level: dict[str, int] = field(default_factory=dict)
    tasks_by_level: dict[str, int] = field(default_factory=dict)
    heartbeat_seconds: float | None = None  # since the newest worker heartbeat
    periodic_runs: dict[tuple[str, str], int] = field(default_factory=dict)  # (job, outcome) → runs


def _kind(channel: OutboxChannel) -> str:
    """Texts to applicants, or messages to agencies' own systems."""
    return "sms" if channel is OutboxChannel.sms else "partner"


def operating_figures(session: Session, calendar: WorkCalendar, now: datetime) -> OperatingFigures:
    """Outbox, alerts and open work by level, in a fixed handful of queries."""
    figures = OperatingFigures()
    rows = session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, func.count(), func.coalesce(func.sum(OutboxMessage.attempts), 0))
        .group_by(OutboxMessage.channel, OutboxMessage.status)
    )
    for channel, status, count, attempts in rows:
        key = (_kind(channel), status.value)
        figures.outbox[key] = figures.outbox.get(key, 0) + count
        figures.delivery_attempts[key] = figures.delivery_attempts.get(key, 0) + int(attempts)
    oldest = session.execute(
        select(OutboxMessage.channel, func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now)
        .group_by(OutboxMessage.channel)
    )
    for channel, moment in oldest:
        age = max(0.0, (now - moment).total_seconds())
        kind = _kind(channel)
        figures.oldest_pending_seconds[kind] = max(age, figures.oldest_pending_seconds.get(kind, 0.0))
    figures.alerts = {level.value: n for level, n in session.execute(select(SlaAlert.level, func.count()).group_by(SlaAlert.level))}
    for level in Level:
        figures.cases_by_level[level.value] = session.scalar(
            select(func.count()).select_from(Case).where(case_level_clause(level, calendar, now))
        )
        figures.tasks_by_level[level.value] = session.scalar(
            select(func.count()).select_from(Task).where(task_level_clause(level, calendar, now))
        )
    newest = session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    figures.heartbeat_seconds = None if newest is None else max(0.0, (now - newest).total_seconds())
    figures.periodic_runs = {
        (job, outcome): n
        for job, outcome, n in session.execute(
            select(PeriodicRun.job, PeriodicRun.outcome, func.count()).group_by(PeriodicRun.job, PeriodicRun.outcome)
        )
    }
    return figures
