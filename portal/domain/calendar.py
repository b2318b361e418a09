"""Keeping the working-day calendar: seeding from the library, estimating
years nobody has loaded, importing an official schedule, correcting a day.
Days an administrator set are never overwritten by a seed."""

from __future__ import annotations

import csv
import io
import json
from calendar import isleap
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import DomainError
from portal.domain.clock import WorkCalendar
from portal.domain.deadlines import recompute_open_cases
from portal.domain.events import record_event
from portal.domain.holidays import (
    FIRST_LIBRARY_YEAR,
    DaySpec,
    estimated_days,
    library_days,
    library_years,
    plain_days,
)
from portal.domain.text import free_text
from portal.models import CalendarDay, CalendarYear, User
from portal.models.enums import DayKind, DaySource, YearStatus

TRUE_WORDS = {"1", "true", "yes", "y", "是", "班", "上班", "workday"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "休", "休息", "holiday", "off"}


@dataclass
class SeedReport:
    added: int = 0
    updated: int = 0
    kept: int = 0
    admin_kept: int = 0
    provisional_years: list[int] = field(default_factory=list)


def _write_year(
    session: Session,
    year: int,
    specs: list[DaySpec],
    source: DaySource,
    status: YearStatus,
    now: datetime,
    existing: dict[date, CalendarDay],
    report: SeedReport,
    overwrite_admin: bool = False,
) -> None:
    for spec in specs:
        row = existing.get(spec.day)
        if row is None:
            session.add(
                CalendarDay(day=spec.day, workday=spec.workday, kind=spec.kind, name=spec.name, source=source, updated_at=now)
            )
            report.added += 1
        elif row.source is DaySource.admin and not overwrite_admin:
            report.admin_kept += 1
        elif (row.workday, row.kind, row.name, row.source) == (spec.workday, spec.kind, spec.name, source):
            report.kept += 1
        else:
            row.workday, row.kind, row.name, row.source, row.updated_at = (
                spec.workday, spec.kind, spec.name, source, now,
            )
            report.updated += 1
    year_row = session.get(CalendarYear, year)
    if year_row is None:
        session.add(CalendarYear(year=year, status=status, source=source, updated_at=now))
    elif year_row.source is not DaySource.admin or overwrite_admin:
        year_row.status, year_row.source, year_row.updated_at = status, source, now


def _existing(session: Session, first: date, last: date) -> dict[date, CalendarDay]:
    rows = session.scalars(select(CalendarDay).where(CalendarDay.day.between(first, last)))
    return {row.day: row for row in rows}


def seed_calendar(session: Session, now: datetime, years_ahead: int = 1) -> SeedReport:
    """Load every year chinesecalendar knows; estimate the years after it up
    to ``years_ahead`` past the current one, marked provisional. Idempotent;
    days an admin set are kept."""
    report = SeedReport()
    known = library_years()
    last_estimated = max(now.year + years_ahead, known[-1])
    existing = _existing(session, date(known[0], 1, 1), date(last_estimated, 12, 31))
    for year in known:
        _write_year(session, year, library_days(year), DaySource.library, YearStatus.official, now, existing, report)
    for year in range(known[-1] + 1, last_estimated + 1):
        year_row = session.get(CalendarYear, year)
        if year_row is not None and year_row.source is DaySource.admin:
            report.admin_kept += 366 if isleap(year) else 365
            continue
        _write_year(session, year, estimated_days(year), DaySource.estimate, YearStatus.provisional, now, existing, report)
        report.provisional_years.append(year)
    session.flush()
    return report


def parse_schedule(text: str, filename: str = "") -> dict[date, tuple[bool, str]]:
    """Read an official schedule: CSV with a header ``date,workday,name`` or
    JSON ``[{"date": ..., "workday": ..., "name": ...}]``. Lists the
    exceptions to Monday–Friday: holidays (workday false) and make-up
    working days (workday true)."""
    text = text.lstrip("\ufeff")
    stripped = text.strip()
    if not stripped:
        raise DomainError(_l("The file is empty."), "file")
    if filename.lower().endswith(".json") or stripped.startswith("["):
        try:
            rows = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise DomainError(_l("The file is not valid JSON: %(error)s", error=str(error)), "file") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise DomainError(_l("The JSON must be a list of objects with date, workday and name."), "file")
    else:
        reader = csv.DictReader(io.StringIO(stripped))
        if not reader.fieldnames or not {"date", "workday"} <= {f.strip() for f in reader.fieldnames}:
            raise DomainError(_l("The CSV needs a header line: date,workday,name"), "file")
        rows = [{(k or "").strip(): v for k, v in row.items()} for row in reader]
    schedule: dict[date, tuple[bool, str]] = {}
    for number, row in enumerate(rows, start=1):
        try:
            day = date.fromisoformat(str(row.get("date", "")).strip())
        except ValueError:
            raise DomainError(_l("Row %(n)d: the date must look like 2027-01-04.", n=number), "file") from None
        workday = _truth(row.get("workday"))
        if workday is None:
            raise DomainError(_l("Row %(n)d: workday must be true or false.", n=number), "file")
        if day in schedule:
            raise DomainError(_l("Row %(n)d: %(day)s appears twice.", n=number, day=day.isoformat()), "file")
        schedule[day] = (workday, str(row.get("name") or "").strip()[:60])
    if not schedule:
        raise DomainError(_l("The file lists no days."), "file")
    return schedule


def _truth(value) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


@dataclass
class ImportReport:
    years: list[int]
    days: int
    cases_moved: int


def import_schedule(
    session: Session, schedule: dict[date, tuple[bool, str]], actor: User | None, now: datetime
) -> ImportReport:
    """Make each year the schedule covers official: every day of it follows
    Monday–Friday except the listed days. Then recompute the due dates of
    open cases, with an event on each case whose due date moved."""
    years = sorted({day.year for day in schedule})
    report = SeedReport()
    for year in years:
        exceptions = {d: v for d, v in schedule.items() if d.year == year}
        existing = _existing(session, date(year, 1, 1), date(year, 12, 31))
        _write_year(
            session, year, plain_days(year, exceptions), DaySource.admin, YearStatus.official,
            now, existing, report, overwrite_admin=True,
        )
    session.flush()
    record_event(
        session,
        subject="calendar",
        actor=actor,
        action="calendar_imported",
        now=now,
        note=", ".join(str(y) for y in years),
        data={"years": years, "days": len(schedule)},
    )
    moved = recompute_open_cases(
        session, WorkCalendar.load(session), now, actor=actor,
        reason=f"official schedule for {', '.join(str(y) for y in years)} loaded",
    )
    return ImportReport(years, len(schedule), moved)


def _ensure_years_through(session: Session, year: int, now: datetime) -> None:
    """Estimate every missing year up to ``year`` so the table stays gapless."""
    loaded = set(session.scalars(select(CalendarYear.year)))
    report = SeedReport()
    for missing in range(max(loaded) + 1 if loaded else year, year + 1):
        if missing not in loaded:
            _write_year(
                session, missing, estimated_days(missing), DaySource.estimate, YearStatus.provisional,
                now, {}, report,
            )
    session.flush()


def correct_day(
    session: Session, day: date, workday: bool, name: str, reason: str, actor: User, now: datetime
) -> int:
    """An administrator's correction of one day, with the reason recorded;
    returns how many open cases' due dates moved."""
    reason = free_text(reason, "reason", 500)
    name = free_text(name, "name", 60, multiline=False)
    if not reason:
        raise DomainError(_l("Give the reason for the correction."), "reason")
    if not FIRST_LIBRARY_YEAR <= day.year <= now.year + 10:
        raise DomainError(
            _l("Choose a date between %(first)d and %(last)d.", first=FIRST_LIBRARY_YEAR, last=now.year + 10), "day"
        )
    _ensure_years_through(session, day.year, now)
    if workday:
        kind = DayKind.makeup if day.weekday() >= 5 else DayKind.weekday
    else:
        kind = DayKind.holiday if (day.weekday() < 5 or name.strip()) else DayKind.weekend
    row = session.get(CalendarDay, day)
    before = {"workday": row.workday, "kind": row.kind.value, "name": row.name} if row else None
    if row is None:
        row = CalendarDay(day=day, workday=workday, kind=kind, name=name.strip(), source=DaySource.admin, updated_at=now)
        session.add(row)
    else:
        row.workday, row.kind, row.name, row.source, row.updated_at = workday, kind, name.strip()[:60], DaySource.admin, now
    session.flush()
    record_event(
        session,
        subject="calendar",
        actor=actor,
        action="calendar_day_corrected",
        now=now,
        note=reason,
        data={"day": day.isoformat(), "before": before, "after": {"workday": workday, "kind": kind.value, "name": row.name}},
    )
    return recompute_open_cases(
        session, WorkCalendar.load(session), now, actor=actor, reason=f"{day.isoformat()}: {reason}"
    )


@dataclass
class YearOverview:
    year: int
    status: YearStatus | None
    source: DaySource | None
    holidays: list[CalendarDay]
    makeup_days: list[CalendarDay]
    corrected: list[CalendarDay]
    counts: Counter


def year_overview(session: Session, year: int) -> YearOverview:
    days = session.scalars(
        select(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(CalendarDay.day)
    ).all()
    year_row = session.get(CalendarYear, year)
    return YearOverview(
        year=year,
        status=year_row.status if year_row else None,
        source=year_row.source if year_row else None,
        holidays=[d for d in days if d.kind is DayKind.holiday],
        makeup_days=[d for d in days if d.kind is DayKind.makeup],
        corrected=[d for d in days if d.source is DaySource.admin and year_row and year_row.source is not DaySource.admin],
        counts=Counter(d.kind.value for d in days),
    )


def years_needing_schedule(session: Session, today: date) -> list[int]:
    """This year and next, when provisional or not loaded: admins are warned."""
    wanted = [today.year, today.year + 1]
    rows = {y.year: y for y in session.scalars(select(CalendarYear).where(CalendarYear.year.in_(wanted)))}
    return [y for y in wanted if y not in rows or rows[y].status is YearStatus.provisional]


def month_days(session: Session, year: int, month: int) -> list[CalendarDay]:
    first = date(year, month, 1)
    last = date(year + (month == 12), month % 12 + 1, 1)
    return list(
        session.scalars(
            select(CalendarDay).where(CalendarDay.day >= first, CalendarDay.day < last).order_by(CalendarDay.day)
        )
    )
