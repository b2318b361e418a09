"""好差评: every finished case is rated once, 1 to 5, by its applicant
online or, for a walk-in case, on the receiving window's rating device (the
clerk records it). A rating of 2 or less opens a follow-up for the
receiving window, answered in writing by a supervisor within 5 working
days; the applicant sees the answer on the case.

The figures for the supervisor's dashboard are computed here too, in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy import case as when
from sqlalchemy.orm import Session, selectinload

from portal.domain import Collector, DomainError
from portal.domain.clock import Deadline, Level, WorkCalendar, deadline, level, local_date, next_midnight
from portal.domain.dashboard import Filters, case_filters, tally_scope
from portal.domain.deadlines import next_task_overdue
from portal.domain.events import record_event
from portal.domain.messages import notify_applicant
from portal.domain.tallies import LOW_SCORE, mark_tally
from portal.domain.text import free_text
from portal.models import Agency, Case, CaseStatus, CaseTally, Role, Service, User
from portal.models.enums import Channel, RatingSource
from portal.models.rating import Rating, RatingFollowUp

RATED_STATUSES = frozenset({CaseStatus.completed, CaseStatus.refused, CaseStatus.delivered})
SCORES = (1, 2, 3, 4, 5)
FOLLOW_UP_WORKDAYS = 5
COMMENT_MAX = 500
RESPONSE_MAX = 2000
SUB_SCORES = {
    Channel.online: ("efficiency", "guide_accuracy", "convenience", "ease_of_use"),
    Channel.counter: ("efficiency", "quality", "attitude"),
}

ALREADY_RATED = _l("This case has already been rated; a case is rated only once.")
NOT_FINISHED = _l("This case can be rated once it is completed, refused or delivered.")


# -- who rates what --------------------------------------------------------

def rating_source(user: User, case: Case) -> RatingSource | None:
    """How ``user`` may rate ``case``, whatever its status: its applicant
    online, or a clerk of the receiving window from the window's device for
    a walk-in case. None: not at all."""
    if user.role is Role.resident and case.applicant_user_id == user.id:
        return RatingSource.applicant
    if (
        user.role is Role.clerk
        and case.channel is Channel.counter
        and user.window_county == case.receiving_county
    ):
        return RatingSource.device
    return None


def rating_of(session: Session, case: Case) -> tuple[Rating | None, RatingFollowUp | None]:
    """The case's rating and its follow-up, in one statement."""
    row = session.execute(
        select(Rating, RatingFollowUp)
        .outerjoin(RatingFollowUp, RatingFollowUp.rating_id == Rating.id)
        .where(Rating.case_id == case.id)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def check_ratable(session: Session, case: Case, user: User) -> RatingSource:
    """Raise a DomainError unless ``user`` may rate ``case`` now."""
    source = rating_source(user, case)
    if source is None:
        raise DomainError(_l("Your account may not rate this case."), "actor")
    if case.status not in RATED_STATUSES:
        raise DomainError(NOT_FINISHED, "status")
    if rating_of(session, case)[0] is not None:
        raise DomainError(ALREADY_RATED, "status")
    return source


def _score(value, field_name: str) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = None
    if score not in SCORES:
        raise DomainError(_l("Choose a score from 1 to 5."), field_name)
    return score


def _comment(text: str | None) -> str:
    return free_text(text, "comment", COMMENT_MAX)


def rate_case(
    session: Session,
    case: Case,
    actor: User,
    now: datetime,
    calendar: WorkCalendar,
    score,
    sub_scores: dict,
    comment: str = "",
) -> Rating:
    """Record the one rating of a finished case, with a score for each
    aspect of its channel; a score of 2 or less opens a follow-up for the
    receiving window, due 5 working days later. Every field at fault is
    reported at once; nothing is written unless all are right. A second
    rating that slips past the check fails on the database's unique key
    (IntegrityError at flush), which the caller reports as already rated."""
    source = check_ratable(session, case, actor)
    checks = Collector()
    score = checks.check(_score, score, "score")
    given = {}
    for key in SUB_SCORES[case.channel]:
        given[key] = checks.check(_score, (sub_scores or {}).get(key), f"sub_{key}")
    comment = checks.check(_comment, comment)
    checks.raise_any()
    rating = Rating(
        case_id=case.id,
        score=score,
        channel=case.channel,
        sub_scores=given,
        comment=comment,
        source=source,
        recorded_by_id=actor.id if source is RatingSource.device else None,
        created_at=now,
    )
    session.add(rating)
    session.flush()
    data = {"score": score, "source": source.value}
    if score <= LOW_SCORE:
        follow_up = RatingFollowUp(
            rating_id=rating.id,
            window_county=case.receiving_county,
            due_at=deadline(calendar, now, FOLLOW_UP_WORKDAYS).due_at,
            response="",
            created_at=now,
        )
        session.add(follow_up)
        session.flush()
        data["follow_up_id"] = follow_up.id
    record_event(session, case=case, actor=actor, action="rate", subject="rating", data=data, now=now)
    mark_tally(session, case)
    session.flush()
    return rating


# -- follow-ups ------------------------------------------------------------

def close_follow_up(session: Session, follow_up: RatingFollowUp, actor: User, now: datetime, response: str) -> None:
    """A supervisor or admin answers a bad rating in writing; the answer is
    final and the applicant sees it. Closing twice (two supervisors at
    once) is refused, never overwritten."""
    if actor.role not in (Role.supervisor, Role.admin):
        raise DomainError(_l("Your account may not answer follow-ups."), "actor")
    if follow_up.closed_at is not None:
        raise DomainError(_l("This follow-up has already been answered."), "status")
    response = free_text(response, "response", RESPONSE_MAX)
    if not response:
        raise DomainError(_l("Write the response to the applicant."), "response")
    # Conditional on still being open, so a concurrent close cannot be overwritten.
    changed = session.execute(
        update(RatingFollowUp)
        .where(RatingFollowUp.id == follow_up.id, RatingFollowUp.closed_at.is_(None))
        .values(response=response, closed_by_id=actor.id, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise DomainError(_l("This follow-up has already been answered."), "status")
    session.refresh(follow_up)
    event = record_event(
        session,
        case=follow_up.rating.case,
        actor=actor,
        action="follow_up_closed",
        subject="rating",
        data={"follow_up_id": follow_up.id, "on_time": now <= follow_up.due_at},
        now=now,
    )
    notify_applicant(session, follow_up.rating.case, event, now)
    mark_tally(session, follow_up.rating.case)
    session.flush()


def follow_up_level(calendar: WorkCalendar, follow_up: RatingFollowUp, now: datetime) -> Level | None:
    """On track / due within 1 working day / overdue, for an open follow-up."""
    if follow_up.closed_at is not None:
        return None
    due = Deadline(local_date(follow_up.due_at), follow_up.due_at, False)
    return level(calendar, due, now)


def follow_ups_query(open_only: bool = False, closed_only: bool = False) -> Select:
    """Open follow-ups first, soonest due first; then answered ones, latest first."""
    query = (
        select(RatingFollowUp)
        .options(selectinload(RatingFollowUp.rating).selectinload(Rating.case).selectinload(Case.service))
        .order_by(
            when((RatingFollowUp.closed_at.is_(None), 0), else_=1),
            when((RatingFollowUp.closed_at.is_(None), RatingFollowUp.due_at), else_=None),
            RatingFollowUp.closed_at.desc(),
            RatingFollowUp.id,
        )
    )
    if open_only:
        query = query.where(RatingFollowUp.closed_at.is_(None))
    if closed_only:
        query = query.where(RatingFollowUp.closed_at.is_not(None))
    return query


# -- dashboard figures -----------------------------------------------------

@dataclass(frozen=True)
class ScoreFigures:
    count: int
    average: float | None
    low: int  # ratings of 2 or less

    @property
    def low_share(self) -> float | None:
        return self.low / self.count if self.count else None


@dataclass(frozen=True)
class RatingFigures:
    """Ratings of the cases received in the range, and their follow-ups."""

    totals: ScoreFigures
    follow_ups_opened: int
    follow_ups_closed_on_time: int
    follow_ups_closed_late: int
    follow_ups_open_overdue: int  # open now and past their due time
    by_service: list[tuple[Service, ScoreFigures]] = field(default_factory=list)
    by_agency: list[tuple[Agency, ScoreFigures]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.totals.count

    @property
    def average(self) -> float | None:
        return self.totals.average

    @property
    def low_share(self) -> float | None:
        return self.totals.low_share

    @property
    def follow_ups_open(self) -> int:
        return self.follow_ups_opened - self.follow_ups_closed_on_time - self.follow_ups_closed_late


def _tally_scores(row) -> ScoreFigures:
    return ScoreFigures(
        count=int(row.rated or 0),
        average=(row.score_sum / row.rated) if row.rated else None,
        low=int(row.rated_low or 0),
    )


def next_follow_up_overdue(now: datetime):
    """SQL for the moment the next open follow-up falls overdue (the bound
    of ``_open_overdue``); NULL when none will."""
    return (
        select(func.min(RatingFollowUp.due_at))
        .where(RatingFollowUp.closed_at.is_(None), RatingFollowUp.due_at >= now)
        .scalar_subquery()
    )


def next_clock_change(session: Session, now: datetime) -> datetime:
    """The first moment from ``now`` on at which the dashboard (with its
    ratings panel, hence here) reads differently with no data changed: an
    open task or rating follow-up falls overdue, or the Shanghai day ends
    (this month runs to today). Whatever the filters: a filtered page may
    change later, never sooner. One statement."""
    tasks, follow_ups = session.execute(select(next_task_overdue(now), next_follow_up_overdue(now))).one()
    return min(moment for moment in (tasks, follow_ups, next_midnight(now)) if moment is not None)


def _open_overdue(session: Session, filters: Filters, now: datetime) -> int:
    """Follow-ups open now and past their due time, of cases received in
    the range with the dashboard's filters (a handful of rows: read live)."""
    query = (
        select(func.count(RatingFollowUp.id))
        .join(Rating, Rating.id == RatingFollowUp.rating_id)
        .join(Case, Case.id == Rating.case_id)
        .join(Service, Service.id == Case.service_id)
        .where(RatingFollowUp.closed_at.is_(None), RatingFollowUp.due_at < now)
    )
    return session.scalar(case_filters(query, filters)) or 0


def rating_figures(session: Session, filters: Filters, now: datetime) -> RatingFigures:
    """Count, mean score and share of ratings of 2 or less; the follow-ups
    they opened, answered on time or late (summed from the daily tallies,
    like the rest of the dashboard), and open past their due time now; the
    mean by service and by acting agency. Five statements, whatever the
    number of cases or ratings."""
    columns = [
        func.coalesce(func.sum(getattr(CaseTally, name)), 0).label(name)
        for name in ("rated", "score_sum", "rated_low", "follow_ups", "follow_ups_on_time", "follow_ups_late")
    ]
    totals = session.execute(tally_scope(select(*columns), CaseTally, filters)).one()
    # Grouped by the primary key, the whole row may be selected (on PostgreSQL too).
    service_rows = [
        r for r in session.execute(
            tally_scope(select(Service, *columns), CaseTally, filters, service=True).group_by(Service.id)
        ) if r.rated
    ]
    agency_rows = [
        r for r in session.execute(
            tally_scope(select(Agency, *columns), CaseTally, filters, by_agency=True)
            .join(Agency, Agency.id == CaseTally.agency_id)
            .group_by(Agency.id)
        ) if r.rated
    ]
    return RatingFigures(
        totals=_tally_scores(totals),
        follow_ups_opened=int(totals.follow_ups),
        follow_ups_closed_on_time=int(totals.follow_ups_on_time),
        follow_ups_closed_late=int(totals.follow_ups_late),
        follow_ups_open_overdue=_open_overdue(session, filters, now),
        by_service=sorted(((r.Service, _tally_scores(r)) for r in service_rows), key=lambda pair: pair[0].position),
        by_agency=sorted(((r.Agency, _tally_scores(r)) for r in agency_rows), key=lambda pair: pair[0].code),
    )
