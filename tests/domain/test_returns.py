"""A task returned to the window and its way back to the officer: the
window's reply with documents, or a request to the applicant that stops
the clock until they answer."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain import DomainError
from portal.domain.deadlines import refresh_due
from portal.domain.returns import answer_request, ask_applicant, reply_to_return, return_to_applicant
from portal.domain.uploads import CheckedFile, FileWrites, UploadStore
from portal.domain.workflow import return_task
from portal.models import CaseFile, CaseStatus, Event, OutboxMessage
from portal.models.enums import (
    NoticeKind,
    TaskStatus,
)
from tests.factories import create_case, create_task, create_user, now
from tests.uploads import PDF, PNG


@pytest.fixture
def returned(session, calendar):
    """An in-progress case whose Changshan PSB task 王磊 claimed and returned."""
    resident = create_user(session, "resident", real_name="李娜")
    officer = create_user(session, "officer", agency_code="cs-psb", real_name="王磊")
    clerk = create_user(session, "clerk", window_county="changshan")
    case = create_case(session, "psb-no-record", status="in_progress", accepted_at=now() - timedelta(days=1), applicant=resident)
    refresh_due(session, case, calendar, now())
    task = create_task(session, case, "cs-psb", status="claimed", due_at=case.due_at)
    task.assignee = officer
    return_task(session, task, officer, now(), "户口簿扫描件不清晰，请重新扫描")
    return case, task, officer, clerk, resident


def writes(tmp_path) -> FileWrites:
    return FileWrites(UploadStore(tmp_path, 1024 * 1024))


def test_the_windows_reply_brings_a_new_version_and_an_added_document_and_the_officer_keeps_the_claim(
    session, returned, tmp_path
):
    case, task, officer, clerk, _ = returned
    material = case.service.materials[0]["code"]
    ids = reply_to_return(
        session, task, clerk, now(), writes(tmp_path), "已重新扫描户口簿",
        {material: CheckedFile("户口簿.pdf", PDF, "pdf")}, [CheckedFile("说明.png", PNG, "png")],
    )
    assert task.status is TaskStatus.claimed and task.assignee_id == officer.id
    files = {f.id: f for f in session.scalars(select(CaseFile).where(CaseFile.case_id == case.id))}
    assert sorted(files[i].material_code for i in ids) == sorted([material, f"added-{task.id}-1"])
    event = session.scalar(select(Event).where(Event.task_id == task.id).order_by(Event.id.desc()))
    assert (event.action, event.to_status, event.note, event.data["files"]) == ("task_reply", "claimed", "已重新扫描户口簿", ids)


def test_the_reply_goes_to_the_queue_when_the_returning_officer_left_the_agency(session, returned, tmp_path):
    case, task, officer, clerk, _ = returned
    officer.active = False
    reply_to_return(session, task, clerk, now(), writes(tmp_path), "已核验原件", {}, [])
    assert task.status is TaskStatus.open and task.assignee_id is None


def test_the_reply_needs_a_note_and_changes_nothing_without_one(session, returned, tmp_path):
    case, task, _, clerk, _ = returned
    with pytest.raises(DomainError) as caught:
        reply_to_return(session, task, clerk, now(), writes(tmp_path), "  ", {}, [])
    assert caught.value.field == "note" and task.status is TaskStatus.returned


def test_a_request_to_the_applicant_stops_the_clock_and_texts_them(session, returned, calendar):
    case, task, _, clerk, _ = returned
    due_before = case.due_at
    notice = ask_applicant(session, task, clerk, now(), calendar, "请提供户口簿原件照片")
    assert notice.kind is NoticeKind.supplement_request
    assert notice.follow_up_by.isoformat() == "2026-11-09"  # 5 working days after Mon 2026-11-02
    assert case.status is CaseStatus.suspended and case.suspensions[-1].ended_at is None
    assert case.due_at == due_before
    texts = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)).all()
    assert [t.payload["action"] for t in texts][-1] == "await_applicant"


def test_the_applicants_answer_resumes_the_clock_and_returns_the_task_to_the_officer(
    session, returned, calendar, tmp_path
):
    case, task, officer, clerk, resident = returned
    due_before = case.due_at
    ask_applicant(session, task, clerk, now(), calendar, "请提供户口簿原件照片")
    material = case.service.materials[0]["code"]
    later = now() + timedelta(days=2)  # Wednesday: two working days stood still
    answer_request(
        session, case, resident, later, calendar, writes(tmp_path), "已上传",
        {material: CheckedFile("户口簿.pdf", PDF, "pdf")}, [],
    )
    assert task.status is TaskStatus.claimed and task.assignee_id == officer.id
    assert case.status is CaseStatus.in_progress and case.suspensions[-1].ended_at == later
    assert case.due_at > due_before
    actions = session.scalars(select(Event.action).where(Event.case_id == case.id).order_by(Event.id)).all()
    assert actions[-3:] == ["task_answer", "due_date_changed", "applicant_answered"]


def test_an_answer_with_neither_words_nor_files_is_refused(session, returned, calendar, tmp_path):
    case, task, _, clerk, resident = returned
    ask_applicant(session, task, clerk, now(), calendar, "请提供户口簿原件照片")
    with pytest.raises(DomainError) as caught:
        answer_request(session, case, resident, now(), calendar, writes(tmp_path), "", {}, [])
    assert caught.value.field == "note" and case.status is CaseStatus.suspended


def test_the_officer_may_mark_the_return_for_the_applicant(session, calendar):
    resident = create_user(session, "resident")
    officer = create_user(session, "officer", agency_code="cs-psb")
    case = create_case(session, status="in_progress", accepted_at=now() - timedelta(days=1), applicant=resident)
    refresh_due(session, case, calendar, now())
    task = create_task(session, case, "cs-psb", status="claimed", due_at=case.due_at)
    task.assignee = officer
    notice = return_to_applicant(session, task, officer, now(), calendar, "需申请人本人签字的承诺书")
    assert task.status is TaskStatus.returned and case.status is CaseStatus.suspended
    assert notice.reason == "需申请人本人签字的承诺书"


def test_a_request_date_beyond_the_limit_is_refused(session, returned, calendar):
    case, task, _, clerk, _ = returned
    with pytest.raises(DomainError) as caught:
        ask_applicant(session, task, clerk, now(), calendar, "请提供", now().date() + timedelta(days=200))
    assert caught.value.field == "by" and case.status is CaseStatus.in_progress


def test_another_officer_cannot_end_the_pause_while_the_applicant_is_asked(session, returned, calendar):
    from portal.domain.workflow import resume_task, suspend_task

    case, task, _, clerk, _ = returned
    other_officer = create_user(session, "officer", agency_code="cs-amr")
    other = create_task(session, case, "cs-amr", status="claimed", due_at=case.due_at)
    other.assignee = other_officer
    ask_applicant(session, task, clerk, now(), calendar, "请提供")
    suspend_task(session, other, other_officer, now(), "现场核查", 2)
    resume_task(session, other, other_officer, now() + timedelta(days=1), calendar)
    assert case.status is CaseStatus.suspended


def test_the_applicants_answer_goes_to_the_queue_when_the_returning_officer_left(session, returned, calendar, tmp_path):
    case, task, officer, clerk, resident = returned
    ask_applicant(session, task, clerk, now(), calendar, "请提供户口簿原件照片")
    officer.active = False
    answer_request(session, case, resident, now(), calendar, writes(tmp_path), "已上传", {}, [CheckedFile("户口簿.png", PNG, "png")])
    assert task.status is TaskStatus.open and task.assignee_id is None
    assert session.scalar(select(Event.action).where(Event.task_id == task.id).order_by(Event.id.desc())) == "task_answer_to_queue"


def test_a_request_to_the_applicant_ends_with_the_case(session, returned, calendar, tmp_path):
    from portal.domain.intake import withdraw_case
    from portal.domain.returns import open_request

    case, task, _, clerk, resident = returned
    ask_applicant(session, task, clerk, now(), calendar, "请提供户口簿原件照片")
    assert open_request(case) is not None
    withdraw_case(session, case, resident, now(), "不再需要")
    assert open_request(case) is None
    with pytest.raises(DomainError):
        answer_request(session, case, resident, now(), calendar, writes(tmp_path), "已上传", {}, [])


def test_the_applicant_is_reminded_once_the_working_day_before_a_request_is_due(session, returned, calendar):
    from portal.domain.corrections import sweep_corrections

    case, task, _, clerk, _ = returned
    notice = ask_applicant(session, task, clerk, now(), calendar, "请提供户口簿原件照片")  # by Mon 2026-11-09
    assert sweep_corrections(session, calendar, now() + timedelta(days=3)).requests_reminded == 0  # Thursday
    assert sweep_corrections(session, calendar, now() + timedelta(days=4)).requests_reminded == 1  # Friday
    assert sweep_corrections(session, calendar, now() + timedelta(days=7)).requests_reminded == 0  # once
    texts = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.created_at)).all()
    reminder = [t for t in texts if t.payload["action"] == "request_reminder"]
    from portal.domain.sms import text_for

    assert len(reminder) == 1 and "请于2026-11-09前" in text_for(session, reminder[0].payload)
    assert notice.reminded_at is not None and case.status is CaseStatus.suspended
