"""A small fixed month of cases, run through the real lifecycle, whose
dashboard figures are computed by hand in tests/domain/test_dashboard.py."""

from portal.domain.clock import WorkCalendar
from portal.domain.intake import accept_case, refuse_intake, request_correction, resubmit_correction
from portal.domain.workflow import claim_task, complete_task, deliver_case, resume_task, suspend_task
from portal.models.enums import Channel
from tests.factories import at, create_case, create_user

LOCAL = dict(hukou_county="changshan", residence_county="changshan", business_county="changshan")


def _arrive(session, code, channel, when, hour=9):
    return create_case(
        session, code, status="submitted", channel=Channel(channel), submitted_at=at(when, hour), **LOCAL
    )


def _finish(session, case, officer, when, hour=10):
    calendar = WorkCalendar.load(session)
    (task,) = [t for t in case.tasks if t.status.is_active]
    claim_task(session, task, officer, at(when, hour))
    complete_task(session, task, officer, at(when, hour), calendar, "核查无误")


def build_october(session):
    """Six cases received at the Changshan window in October 2026."""
    calendar = WorkCalendar.load(session)
    clerk = create_user(session, "clerk")
    psb = create_user(session, "officer", agency_code="cs-psb")
    hrss = create_user(session, "officer", agency_code="cs-hrss")
    cases = {}

    # A: accepted after 20 minutes, decided on the make-up Saturday 10-10, delivered.
    a = cases["A"] = _arrive(session, "psb-no-record", "counter", "2026-10-08")
    accept_case(session, a, clerk, at("2026-10-08", 9).replace(minute=20), calendar)
    _finish(session, a, psb, "2026-10-10")
    deliver_case(session, a, clerk, at("2026-10-12"), "window")

    # B: corrected once, accepted 3 hours after arrival, suspended Mon–Wed,
    # decided Friday 10-16: 4 working days, one after its moved due date.
    b = cases["B"] = _arrive(session, "psb-no-record", "online", "2026-10-09", hour=8)
    spec = b.service.fields[0]  # the purpose: a choice
    field = spec["name"]
    request_correction(session, b, clerk, at("2026-10-09", 9), {f"field:{field}": "请填写完整"})
    answer = {field: spec["choices"][-1]["value"]}
    resubmit_correction(session, b, b.applicant_user or clerk, at("2026-10-09", 10), None, answer, {})
    accept_case(session, b, clerk, at("2026-10-09", 11), calendar)
    (task,) = b.tasks
    claim_task(session, task, psb, at("2026-10-12", 9))
    suspend_task(session, task, psb, at("2026-10-12"), "需外省协查", 2)
    resume_task(session, task, psb, at("2026-10-14"), calendar)
    complete_task(session, task, psb, at("2026-10-16"), calendar, "协查完毕")

    # C: not accepted.
    c = cases["C"] = _arrive(session, "psb-no-record", "counter", "2026-10-13")
    refuse_intake(session, c, clerk, at("2026-10-13", 9).replace(minute=10), "不属于受理范围")

    # D: accepted after 30 minutes and still open: overdue by the end of October.
    d = cases["D"] = _arrive(session, "psb-no-record", "online", "2026-10-14")
    accept_case(session, d, clerk, at("2026-10-14", 9).replace(minute=30), calendar)

    # E: on the spot, done the day it arrived.
    e = cases["E"] = _arrive(session, "hrss-employment", "counter", "2026-10-20")
    accept_case(session, e, clerk, at("2026-10-20", 9).replace(minute=5), calendar)
    _finish(session, e, hrss, "2026-10-20", hour=11)

    # F: arrived online in the evening, accepted and done the next morning.
    f = cases["F"] = _arrive(session, "hrss-employment", "online", "2026-10-21", hour=20)
    accept_case(session, f, clerk, at("2026-10-22", 9), calendar)
    _finish(session, f, hrss, "2026-10-22")
    session.commit()
    return cases
