"""Case numbers and query codes.

A case number is ``KS`` + the receiving window (``CS`` / ``YS``) + the
Shanghai date + a four-digit daily sequence, e.g. KSCS202611280001. The
sequence row is incremented with a single UPDATE … RETURNING, which the
database serialises, so two windows' clerks (or two workers) never get
the same number.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain.clock import local_date
from portal.models import CaseSequence, County


def next_case_number(session: Session, county: County, now: datetime) -> str:
    day = local_date(now)
    increment = (
        update(CaseSequence)
        .where(CaseSequence.county == county, CaseSequence.day == day)
        .values(last=CaseSequence.last + 1)
        .returning(CaseSequence.last)
    )
    value = session.execute(increment).scalar_one_or_none()
    if value is None:
        try:
            with session.begin_nested():
                session.execute(insert(CaseSequence).values(county=county, day=day, last=1))
            value = 1
        except IntegrityError:
            # Another transaction created today's row first; take the next value.
            value = session.execute(increment).scalar_one()
    return f"KS{county.window_code}{day:%Y%m%d}{value:04d}"


def new_query_code() -> str:
    """Six random digits, for tracking a case without signing in."""
    return f"{secrets.randbelow(1_000_000):06d}"
