"""收受分离 in the demo: the window of a walk-in case for an agency across
the border holds the originals and posts them by EMS soon after
acceptance; the agency confirms them before it decides."""

from __future__ import annotations

import random
from datetime import datetime

from portal.demo_cases.setting import Demo, NotYet
from portal.demo_cases.times import office_minutes_later
from portal.domain.clock import local_date
from portal.domain.limits import PAPER_TRANSIT_WORKDAYS_DEFAULT
from portal.domain.paper_files import (
    Dispatch,
    confirm_receipt,
    hold_originals,
    needs_originals,
    original_materials,
    paper_file_of,
    send_originals,
)
from portal.models import Case, Task, User
from portal.models.enums import PaperFileState


def ems_waybill(rng: random.Random) -> str:
    return f"E{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(0, 999999999):09d}CN"


def post_originals(demo: Demo, case: Case, clerk: User, accepted: datetime, rng: random.Random) -> None:
    """Held at acceptance, sent within the working day."""
    if not needs_originals(case):
        return
    try:
        held = demo.at(office_minutes_later(demo.calendar, accepted, rng.uniform(5, 30)))
        hold_originals(demo.session, case, clerk, held, [m["code"] for m in original_materials(case)])
        sent = demo.at(office_minutes_later(demo.calendar, held, rng.uniform(30, 240)))
    except NotYet:
        return  # accepted a moment ago: the agencies go on, the parcel is still at the window
    send_originals(
        demo.session, case, clerk, sent, demo.calendar, Dispatch("ems", ems_waybill(rng), local_date(sent)),
        PAPER_TRANSIT_WORKDAYS_DEFAULT,
    )


def receive_originals(demo: Demo, task: Task, officer: User, moment: datetime) -> None:
    """Before its officer decides: the competent agency signs for the parcel."""
    paper = paper_file_of(task.case)
    if paper is not None and paper.state is PaperFileState.in_transit and paper.agency_id == officer.agency_id:
        confirm_receipt(demo.session, task.case, officer, max(moment, paper.since))
