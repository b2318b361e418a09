"""A returned task over HTTP: the window's reply with documents, the
request to the applicant and their online answer, back to the officer."""

from pathlib import Path

from sqlalchemy import func, select

from portal.db import db
from portal.domain.clock import current_calendar
from portal.domain.deadlines import answer_by
from portal.models import Case, CaseFile, OutboxMessage, Task
from portal.web.clock import wall_clock
from tests.journeys import sign_in_as_clerk
from tests.pages import parse, text_of
from tests.uploads import NOT_A_PDF, PDF, PNG, upload
from tests.web.test_agency import accepted_case, act, officer_client, task_id


def returned_case(app, client, login_as, reason="户口簿扫描件不清晰，请重新扫描", **extra):
    """psb-no-record accepted, its ys-psb task claimed by 陈静 and returned."""
    number = accepted_case(app, client, login_as)
    officer = officer_client(app)
    tid = task_id(app, number)
    act(officer, tid, "claim")
    assert act(officer, tid, "return", {"return_reason": reason, **extra}).status_code == 302
    return number, tid, officer


def clerk_client(app):
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    return clerk


def post_reply(clerk, number, tid, data):
    page = clerk.page(f"/counter/cases/{number}/tasks/{tid}/reply")
    csrf = page.select_one(f"form[action$='/tasks/{tid}/reply'] input[name=csrf_token]")["value"]
    return clerk.post(
        f"/counter/cases/{number}/tasks/{tid}/reply", data={"csrf_token": csrf, **data}, content_type="multipart/form-data"
    )


def stored_files(app, number) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CaseFile.id)).join(Case, CaseFile.case_id == Case.id).where(Case.number == number))


def test_the_windows_reply_carries_documents_back_to_the_officer_who_keeps_the_claim(app, client, login_as):
    number, tid, officer = returned_case(app, client, login_as)
    clerk = clerk_client(app)
    page = clerk.page(f"/counter/cases/{number}/tasks/{tid}/reply")
    assert text_of(page, "h1") == "回复退回"
    assert "户口簿扫描件不清晰" in page.get_text()
    response = post_reply(
        clerk, number, tid,
        {"note": "已重新扫描户口簿", "material_hukou_booklet": upload(PDF, "户口簿-重扫.pdf"), "added": upload(PNG, "情况说明.png")},
    )
    assert response.status_code == 302
    with app.app_context():
        task = db.session.get(Task, tid)
        assert task.status.value == "claimed" and task.assignee.real_name == "陈静"
    task_page = officer.page(f"/agency/tasks/{tid}")
    materials = task_page.select_one("h2:-soup-contains('材料') + ul")
    assert "户口簿-重扫.pdf" in materials.get_text() and "情况说明.png" in materials.get_text()
    assert len(materials.select(".tag-new")) == 2
    assert "新：窗口退回后补充" in text_of(materials, ".tag-new")
    assert "已重新扫描户口簿" in task_page.get_text()
    assert task_page.select_one(f"form[action$='/tasks/{tid}/complete']") is not None  # still theirs to complete


def test_a_reply_with_a_forbidden_file_is_refused_next_to_the_field_and_nothing_is_stored(app, client, login_as):
    number, tid, _ = returned_case(app, client, login_as)
    clerk = clerk_client(app)
    before = stored_files(app, number)
    uploads = set(Path(app.config["PORTAL_UPLOAD_FOLDER"]).rglob("*"))
    response = post_reply(
        clerk, number, tid,
        {"note": "已重新扫描", "material_id_card": upload(PDF, "身份证.pdf"), "material_hukou_booklet": upload(NOT_A_PDF, "户口簿.pdf")},
    )
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert "不是真正的" in text_of(page, "#material_hukou_booklet-error")
    assert page.select_one(".error-summary a[href='#material_hukou_booklet']") is not None
    assert stored_files(app, number) == before
    assert set(Path(app.config["PORTAL_UPLOAD_FOLDER"]).rglob("*")) == uploads
    with app.app_context():
        assert db.session.get(Task, tid).status.value == "returned"


def test_the_window_asks_the_applicant_who_answers_online_and_the_task_goes_back_to_the_officer(app, client, login_as):
    number, tid, officer = returned_case(app, client, login_as, reason="需申请人本人签字的委托书")
    clerk = clerk_client(app)
    page = clerk.page(f"/counter/cases/{number}/tasks/{tid}/reply")
    csrf = page.select_one(f"form[action$='/tasks/{tid}/ask'] input[name=csrf_token]")["value"]
    response = clerk.post(f"/counter/cases/{number}/tasks/{tid}/ask", data={"csrf_token": csrf, "needed": "请上传本人签字的委托书"})
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        by = answer_by(current_calendar(db.session), wall_clock(), case.service.correction_workdays).isoformat()
        assert case.status.value == "suspended"
        text = db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.id.desc())).first()
        assert text.payload["action"] == "await_applicant"

    mine = client.page(f"/cases/{number}")  # the applicant, still signed in
    assert "请上传本人签字的委托书" in text_of(mine, "#supplement-request") and by in text_of(mine, "#supplement-request")
    request_page = client.page(f"/cases/{number}/supplement")
    assert by in request_page.get_text()
    csrf = request_page.select_one("input[name=csrf_token]")["value"]
    response = client.post(
        f"/cases/{number}/supplement",
        data={"csrf_token": csrf, "note": "已上传委托书", "added": upload(PDF, "委托书.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        task = db.session.get(Task, tid)
        assert task.status.value == "claimed" and task.assignee.real_name == "陈静"
        assert db.session.scalar(select(Case.status).where(Case.number == number)).value == "in_progress"
    task_page = officer.page(f"/agency/tasks/{tid}")
    assert "委托书.pdf" in task_page.get_text() and "新：申请人退回后补充" in task_page.get_text()


def test_the_applicants_answer_with_a_forbidden_file_stores_nothing_and_keeps_the_clock_stopped(app, client, login_as):
    number, tid, _ = returned_case(app, client, login_as, reason="需申请人本人签字的委托书", needs_applicant="y")
    before = stored_files(app, number)
    request_page = client.page(f"/cases/{number}/supplement")
    assert "需申请人本人签字的委托书" in request_page.get_text()
    csrf = request_page.select_one("input[name=csrf_token]")["value"]
    response = client.post(
        f"/cases/{number}/supplement",
        data={"csrf_token": csrf, "note": "见附件", "added": upload(NOT_A_PDF, "委托书.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "不是真正的" in text_of(parse(response.get_data(as_text=True)), "#added-error")
    assert stored_files(app, number) == before
    with app.app_context():
        assert db.session.scalar(select(Case.status).where(Case.number == number)).value == "suspended"
        assert db.session.get(Task, tid).status.value == "returned"


def test_another_resident_cannot_open_the_request(app, client, login_as):
    number, _, _ = returned_case(app, client, login_as, reason="需申请人本人签字", needs_applicant="y")
    login_as("resident")
    assert client.get(f"/cases/{number}/supplement").status_code == 404
