"""补正时限: a correction notice gives the service's working days, the
applicant is reminded once the working day before the last day, and the
sweep closes a case not corrected by then as treated as withdrawn."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain import DomainError
from portal.domain.corrections import sweep_corrections
from portal.domain.intake import request_correction, resubmit_correction
from portal.domain.sms import text_for
from portal.domain.uploads import FileWrites, UploadStore
from portal.models import CaseNotice, CaseStatus, Event, OutboxMessage
from portal.models.enums import NoticeKind
from tests.factories import at, create_case, create_user, now


@pytest.fixture
def corrected(session, calendar):
    """A submitted case the Changshan window asked to correct on Mon 2026-11-02."""
    resident = create_user(session, "resident")
    clerk = create_user(session, "clerk", window_county="changshan")
    case = create_case(session, "psb-no-record", status="submitted", applicant=resident)
    material = case.service.materials[0]["code"]
    notice = request_correction(session, case, clerk, now(), {f"material:{material}": "扫描件不清晰"}, calendar)
    return case, notice, resident


def texts(session, case):
    return [
        text_for(session, m.payload)
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.id))
    ]


def test_the_notice_gives_the_services_working_days_to_correct(session, corrected, calendar):
    case, notice, _ = corrected
    assert case.service.correction_workdays == 5
    assert notice.follow_up_by.isoformat() == "2026-11-09"  # Mon + 5 working days, the day of issue not counted
    assert "请于2026-11-09前" in texts(session, case)[-1] and "视为撤回申请" in texts(session, case)[-1]


def test_a_service_with_its_own_correction_time_gives_that(session, calendar):
    clerk = create_user(session, "clerk", window_county="changshan")
    case = create_case(session, "amr-food-license", status="submitted")
    material = case.service.materials[0]["code"]
    notice = request_correction(session, case, clerk, now(), {f"material:{material}": "缺少签字"}, calendar)
    assert notice.follow_up_by.isoformat() == "2026-11-16"  # 10 working days


def test_the_reminder_is_texted_once_the_working_day_before_the_last_day(session, corrected, calendar):
    case, notice, _ = corrected
    assert sweep_corrections(session, calendar, at("2026-11-05", 18)).reminded == 0  # Thursday: too early
    before = len(texts(session, case))
    friday = at("2026-11-06", 9)  # the working day before Monday 2026-11-09
    assert sweep_corrections(session, calendar, friday).reminded == 1
    assert sweep_corrections(session, calendar, friday + timedelta(hours=3)).reminded == 0
    assert sweep_corrections(session, calendar, at("2026-11-09", 9)).reminded == 0
    sent = texts(session, case)[before:]
    assert len(sent) == 1 and "补正期限为2026-11-09" in sent[0]
    assert notice.reminded_at == friday and case.status is CaseStatus.correction_requested


def test_the_sweep_closes_a_case_not_corrected_in_time(session, corrected, calendar):
    case, notice, _ = corrected
    assert sweep_corrections(session, calendar, at("2026-11-09", 23)).lapsed == 0  # the last day is not over
    later = at("2026-11-10", 0)
    result = sweep_corrections(session, calendar, later)
    assert result.lapsed == 1 and case.status is CaseStatus.withdrawn and case.closed_at == later
    closing = session.scalar(select(CaseNotice).where(CaseNotice.case_id == case.id, CaseNotice.kind == NoticeKind.correction_lapsed))
    assert closing.follow_up_by == notice.follow_up_by and closing.items == notice.items
    event = session.scalar(select(Event).where(Event.case_id == case.id).order_by(Event.id.desc()))
    assert (event.action, event.from_status, event.to_status, event.actor_id) == (
        "lapse_correction", "correction_requested", "withdrawn", None,
    )
    assert "未在2026-11-09前补正，视为撤回申请" in texts(session, case)[-1]
    assert sweep_corrections(session, calendar, later + timedelta(days=1)).lapsed == 0


def test_an_answer_after_the_last_day_is_refused(session, corrected, calendar, tmp_path):
    case, _, resident = corrected
    with pytest.raises(DomainError) as caught:
        resubmit_correction(
            session, case, resident, at("2026-11-10", 9), FileWrites(UploadStore(tmp_path, 1024)), {}, {}
        )
    assert "2026-11-09" in str(caught.value.message) and case.status is CaseStatus.correction_requested


def test_the_workers_periodic_sweep_closes_the_lapsed_correction(session, corrected):
    from portal.domain.schedule import sla_sweep_job

    case, _, _ = corrected
    result = sla_sweep_job(timedelta(minutes=5)).run(session, at("2026-11-10", 9))
    assert "0 correction reminder(s), 1 correction(s) lapsed" in result.summary
    assert case.status is CaseStatus.withdrawn
