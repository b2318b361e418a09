"""A walk-in case received at the Yushan window for Changshan's police
(无犯罪记录证明: the household registration is in Changshan), accepted
on Monday 2026-11-02: its originals cross the border (收受分离)."""

from __future__ import annotations

from portal.domain.clock import WorkCalendar
from portal.domain.intake import accept_case
from portal.models import County
from portal.models.enums import Channel
from tests.factories import create_case, create_user, now

ORIGINAL = "power-of-attorney"  # 授权委托书: marked original in the catalog


def walk_in_case(session, service="psb-no-record", **overrides):
    """The case, the Yushan clerk who accepted it and a Changshan police officer."""
    clerk = create_user(session, "clerk", window_county=County.yushan)
    officer = create_user(session, "officer", agency_code="cs-psb", real_name="王警官")
    fields = dict(
        status="submitted", receiving_county="yushan", channel=Channel.counter,
        hukou_county="changshan", residence_county="yushan", applicant_mobile="13900001111",
    )
    fields.update(overrides)
    case = create_case(session, service, **fields)
    accept_case(session, case, clerk, now(), WorkCalendar.load(session))
    session.commit()
    return case, clerk, officer
