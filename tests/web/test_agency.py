"""The officer's queue and task actions over HTTP."""

from datetime import timedelta

from sqlalchemy import select

from portal.db import db
from portal.models import Case, Task
from tests.factories import PASSWORD, create_case, create_task, create_user, now, wall_clock
from tests.journeys import apply_online, decide, sign_in_as_clerk, staff_sign_in
from tests.pages import parse, text_of


def accepted_case(app, client, login_as, **applicant) -> str:
    number = apply_online(app, client, login_as, **applicant)  # psb-no-record, hukou in Yushan → ys-psb
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    decide(clerk, number, "accept")
    return number


def officer_client(app, agency="ys-psb", name="陈静"):
    client = app.test_client()
    with app.app_context():
        username = create_user(db.session, "officer", agency_code=agency, real_name=name).username
        db.session.commit()
    client.submit("/login", {"login": username, "password": PASSWORD})
    return client


def task_id(app, number) -> int:
    with app.app_context():
        return db.session.scalar(select(Task.id).join(Task.case).where(Case.number == number))


def act(client, tid, action, data=None):
    page = client.page(f"/agency/tasks/{tid}")
    csrf = page.select_one("input[name=csrf_token]")["value"]
    return client.post(f"/agency/tasks/{tid}/{action}", data={"csrf_token": csrf, **(data or {})})


def test_the_accepted_case_is_in_the_right_agencys_queue_only(app, client, login_as):
    number = accepted_case(app, client, login_as, real_name="欧阳娜娜")
    ys = officer_client(app, "ys-psb")
    queue = ys.page("/agency/")
    (row,) = [row for row in queue.select("table tbody tr") if number in row.get_text()]
    assert row.select("td")[3].get_text(strip=True) == "欧***"  # the applicant: first character, a star for each other
    with app.app_context():
        action = db.session.get(Task, task_id(app, number)).action_zh
    assert queue.select("thead th")[2].get_text(strip=True) == "本部门环节"
    assert row.select("td")[2].get_text(strip=True) == action  # the officer's own step, not the stage's name
    assert "欧阳娜娜" not in queue.decode()
    cs = officer_client(app, "cs-psb")
    assert number not in cs.page("/agency/").get_text()
    assert cs.get(f"/agency/tasks/{task_id(app, number)}").status_code == 404


def test_an_officer_claims_completes_and_the_clerk_hands_over(app, client, login_as):
    number = accepted_case(app, client, login_as)
    officer = officer_client(app)
    tid = task_id(app, number)
    # The application, its materials and its history come first; what the officer can do after.
    headings = [h.get("id") or h.get_text(strip=True) for h in officer.page(f"/agency/tasks/{tid}").select("main h2")]
    assert headings.index("actions-title") == len(headings) - 1 and len(headings) >= 4
    assert act(officer, tid, "claim").status_code == 302
    response = act(officer, tid, "complete", {"opinion": ""})
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one("#opinion-error") is not None
    assert act(officer, tid, "complete", {"opinion": "经核查无犯罪记录", "result_number": "无犯罪证字2026-0001"}).status_code == 302
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        assert case.status.value == "completed" and case.turnaround_workdays is not None
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    page = clerk.page(f"/cases/{number}")
    csrf = page.select_one("form[action$='/deliver'] input[name=csrf_token]")["value"]
    # Nothing to download: an electronic hand-over is refused.
    clerk.post(f"/counter/cases/{number}/deliver", data={"csrf_token": csrf, "method": "electronic"})
    with app.app_context():
        assert db.session.scalar(select(Case.status).where(Case.number == number)).value == "completed"
    posted = {"csrf_token": csrf, "method": "post", "address": "常山县天马街道定阳北路1号", "carrier": "ems", "waybill": "EA123456789CN"}
    assert clerk.post(f"/counter/cases/{number}/deliver", data=posted).status_code == 302
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        assert case.status.value == "delivered" and case.delivery_method == "post"
    # The resident sees the whole path, agencies included.
    assert "已办结" in client.page(f"/cases/{number}").get_text() or "出件" in client.page(f"/cases/{number}").get_text()


def test_a_second_officer_is_told_who_claimed_first(app, client, login_as):
    number = accepted_case(app, client, login_as)
    first, second = officer_client(app, name="郑强"), officer_client(app, name="吴刚")
    tid = task_id(app, number)
    csrf_second = second.page(f"/agency/tasks/{tid}").select_one("input[name=csrf_token]")["value"]
    assert act(first, tid, "claim").status_code == 302
    response = second.post(f"/agency/tasks/{tid}/claim", data={"csrf_token": csrf_second}, follow_redirects=True)
    assert "郑强" in text_of(parse(response.get_data(as_text=True)), ".notice")
    with app.app_context():
        assert db.session.get(Task, tid).assignee.real_name == "郑强"


def test_suspending_needs_a_reason_and_stops_the_case_clock(app, client, login_as):
    number = accepted_case(app, client, login_as)
    officer = officer_client(app)
    tid = task_id(app, number)
    act(officer, tid, "claim")
    assert act(officer, tid, "suspend", {"procedure": "", "expected_workdays": "3"}).status_code == 400
    assert act(officer, tid, "suspend", {"procedure": "需专家评审", "expected_workdays": "3"}).status_code == 302
    assert "特别程序" in client.page(f"/cases/{number}").get_text()
    assert act(officer, tid, "resume").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Case.status).where(Case.number == number)).value == "in_progress"


def test_the_queue_filters_by_level(app, login_as, client):
    login_as("officer", agency_code="cs-psb")
    with app.app_context():
        # The queue tells the level by its own clock.
        overdue = create_case(db.session, status="in_progress")
        create_task(db.session, overdue, "cs-psb", due_at=wall_clock() - timedelta(days=2))
        later = create_case(db.session, status="in_progress")
        create_task(db.session, later, "cs-psb", due_at=wall_clock() + timedelta(days=30))
        db.session.commit()
        numbers = overdue.number, later.number
    page = client.page("/agency/?level=overdue")
    assert numbers[0] in page.get_text() and numbers[1] not in page.get_text()
    assert "已超期" in text_of(page, "table")
    page = client.page("/agency/?level=on_track")
    assert numbers[1] in page.get_text() and numbers[0] not in page.get_text()


def test_a_suspended_or_returned_task_past_its_due_date_is_never_shown_overdue(app, login_as, client):
    login_as("officer", agency_code="cs-psb")
    numbers, ids = {}, {}
    with app.app_context():
        for status in ("claimed", "suspended", "returned"):
            case = create_case(db.session, status="suspended" if status == "suspended" else "in_progress")
            ids[status] = create_task(db.session, case, "cs-psb", status=status, due_at=now() - timedelta(days=2)).id
            numbers[status] = case.number
        db.session.commit()
    page = client.page("/agency/")
    rows = {text_of(row, "td"): row.get_text(" ") for row in page.select("table tbody tr")}
    assert "已超期" in rows[numbers["claimed"]] and "已超期" not in rows[numbers["suspended"]]
    for status in ("suspended", "returned"):
        assert "已超期" not in text_of(client.page(f"/agency/tasks/{ids[status]}"), "main")
    # The level filter agrees with what the rows show: no level, in no filter.
    for level in ("overdue", "due_soon", "on_track"):
        for status in ("active", "suspended"):
            assert numbers["suspended"] not in client.page(f"/agency/?status={status}&level={level}").get_text()
    assert numbers["claimed"] in client.page("/agency/?level=overdue").get_text()


def test_the_queue_needs_the_same_statements_for_10_or_500_tasks(app, client, login_as, count_statements):
    login_as("officer", agency_code="cs-psb")

    def add(n):
        with app.app_context():
            for _ in range(n):
                create_task(db.session, create_case(db.session, status="in_progress"), "cs-psb")
            db.session.commit()

    add(10)
    with count_statements() as few:
        client.page("/agency/")
    add(490)
    with count_statements() as many:
        page = client.page("/agency/")
    assert len(page.select("tbody tr")) >= 20
    assert "500" in text_of(page, "[role=status]")
    assert many[0] == few[0]


def test_the_applicant_is_told_in_the_message_centre_once_per_event(app, client, login_as):
    number = accepted_case(app, client, login_as)
    page = client.page("/resident/")
    assert "1" in text_of(page, ".badge")
    messages = client.page("/resident/messages")
    assert len(messages.select(".message")) == 1
    assert number in text_of(messages, ".message")
    assert client.page("/resident/").select_one(".badge") is None
    officer = officer_client(app)
    tid = task_id(app, number)
    act(officer, tid, "claim")
    act(officer, tid, "suspend", {"procedure": "等待申请人补充说明", "expected_workdays": "2"})
    act(officer, tid, "resume")
    act(officer, tid, "complete", {"opinion": "同意"})
    texts = [m.get_text(" ", strip=True) for m in client.page("/resident/messages").select(".message")]
    assert len(texts) == 4  # accepted, suspended, resumed, completed
    assert "等待申请人补充说明" in " ".join(texts)


def test_a_task_returned_to_the_window_tops_the_desk_and_goes_back_to_its_officer_when_answered(app, client, login_as):
    number = accepted_case(app, client, login_as)
    officer = officer_client(app)
    tid = task_id(app, number)
    act(officer, tid, "claim")
    assert act(officer, tid, "return", {"return_reason": ""}).status_code == 400
    assert act(officer, tid, "return", {"return_reason": "需核验户口簿原件"}).status_code == 302
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    with app.app_context():
        # Received a day before the case applied for above (at the real time), so only the
        # returned task puts that case first.
        other = create_case(
            db.session, status="in_progress", receiving_county="changshan", submitted_at=wall_clock() - timedelta(days=1)
        ).number
        db.session.commit()
    desk = clerk.page("/counter/?status=accepted")
    rows = desk.select("tbody tr")
    assert number in rows[0].get_text() and other in desk.get_text()
    page = clerk.page(f"/cases/{number}")
    assert "需核验户口簿原件" in page.get_text()
    assert page.select_one(f"a[href$='/tasks/{tid}/reply']") is not None
    reply = clerk.page(f"/counter/cases/{number}/tasks/{tid}/reply")
    csrf = reply.select_one(f"form[action$='/tasks/{tid}/reply'] input[name=csrf_token]")["value"]
    response = clerk.post(f"/counter/cases/{number}/tasks/{tid}/reply", data={"csrf_token": csrf, "note": "已核验原件"})
    assert response.status_code == 302
    with app.app_context():
        task = db.session.get(Task, tid)
        assert task.status.value == "claimed" and task.assignee.real_name == "陈静"


def test_a_supervisor_transfers_a_wrongly_routed_task(app, client, login_as):
    number = accepted_case(app, client, login_as)
    supervisor = app.test_client()
    with app.app_context():
        username = create_user(db.session, "supervisor").username
        db.session.commit()
    staff_sign_in(app, supervisor, username)
    tid = task_id(app, number)
    page = supervisor.page(f"/cases/{number}")
    csrf = page.select_one(f"form[action$='/tasks/{tid}/transfer'] input[name=csrf_token]")["value"]
    url = f"/supervisor/cases/{number}/tasks/{tid}/transfer"
    supervisor.post(url, data={"csrf_token": csrf, "agency": "ys-psb", "reason": "同一部门"})
    with app.app_context():
        assert db.session.get(Task, tid).status.value == "open"
    supervisor.post(url, data={"csrf_token": csrf, "agency": "cs-psb", "reason": "户籍实际在常山"})
    with app.app_context():
        tasks = db.session.scalars(select(Task).join(Task.case).where(Case.number == number).order_by(Task.id)).all()
        assert [t.status.value for t in tasks] == ["cancelled", "open"]
        assert tasks[1].agency.code == "cs-psb" and tasks[1].due_at == tasks[0].due_at
    officer = officer_client(app, "cs-psb")
    assert number in officer.page("/agency/").get_text()
    assert supervisor.post(url, data={"csrf_token": csrf, "agency": "cs-psb", "reason": "x"}).status_code == 302


def test_a_result_document_reaches_the_applicant(app, client, login_as):
    from tests.uploads import PDF, PNG, upload

    number = accepted_case(app, client, login_as)
    officer = officer_client(app)
    tid = task_id(app, number)
    act(officer, tid, "claim")
    csrf = officer.page(f"/agency/tasks/{tid}").select_one("input[name=csrf_token]")["value"]
    response = officer.post(
        f"/agency/tasks/{tid}/complete", data={"csrf_token": csrf, "opinion": "同意", "result_file": upload(PNG, "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    response = officer.post(
        f"/agency/tasks/{tid}/complete", data={"csrf_token": csrf, "opinion": "同意", "result_file": upload(PDF, "无犯罪记录证明.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.page(f"/cases/{number}")
    link = next(a for a in page.select("a") if a.get_text() == "无犯罪记录证明.pdf")
    assert client.get(link["href"]).data.startswith(b"%PDF")


def test_a_deactivated_agency_stops_routing_and_its_tasks_can_be_transferred(app, client, login_as, runner):
    number = accepted_case(app, client, login_as)
    officer = officer_client(app)
    tid = task_id(app, number)
    assert "not taking cases" in runner.invoke(args=["agencies", "deactivate", "ys-psb"]).output
    response = act(officer, tid, "claim")
    with app.app_context():
        assert db.session.get(Task, tid).status.value == "open"
    # A new case for that agency cannot be accepted, and nothing is half-written.
    second = apply_online(app, client, login_as)
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    response = decide(clerk, second, "accept")
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == second))
        assert case.status.value == "submitted" and case.tasks == []
    runner.invoke(args=["agencies", "activate", "ys-psb"])
    assert act(officer, tid, "claim").status_code == 302
    with app.app_context():
        assert db.session.get(Task, tid).status.value == "claimed"


def test_only_the_assignee_completes_and_only_oversight_transfers(app, client, login_as):
    number = accepted_case(app, client, login_as)
    holder, colleague = officer_client(app, name="郑强"), officer_client(app, name="吴刚")
    tid = task_id(app, number)
    act(holder, tid, "claim")
    page = colleague.page(f"/agency/tasks/{tid}")
    assert page.select_one(f"form[action='/agency/tasks/{tid}/complete']") is None
    csrf = colleague.page("/profile").select_one("input[name=csrf_token]")["value"]
    colleague.post(f"/agency/tasks/{tid}/complete", data={"csrf_token": csrf, "opinion": "越权"})
    with app.app_context():
        assert db.session.get(Task, tid).status.value == "claimed"
    own = holder.page(f"/agency/tasks/{tid}").select_one("input[name=csrf_token]")["value"]
    transfer = f"/supervisor/cases/{number}/tasks/{tid}/transfer"
    assert holder.post(transfer, data={"csrf_token": own, "agency": "cs-psb", "reason": "x"}).status_code == 403


def test_the_queue_pages_keep_their_filters(app, client, login_as):
    login_as("officer", agency_code="cs-psb")
    with app.app_context():
        for _ in range(25):
            create_task(db.session, create_case(db.session, status="in_progress"), "cs-psb")
        db.session.commit()
    page = client.page("/agency/?status=open")
    next_link = page.select_one("nav.pager a")
    assert "status=open" in next_link["href"] and "page=2" in next_link["href"]
    second = client.page(next_link["href"])
    assert len(second.select("#queue-title ~ .table-scroll tbody tr")) == 5


def test_an_agency_refusal_needs_confirmation_and_issues_a_decision_with_appeal_rights(app, client, login_as):
    number = accepted_case(app, client, login_as)
    officer = officer_client(app)
    tid = task_id(app, number)
    act(officer, tid, "claim")
    response = act(officer, tid, "refuse", {"reason": "申请人存在犯罪记录"})
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one("#confirm-error") is not None
    assert act(officer, tid, "refuse", {"reason": "申请人存在犯罪记录", "confirm": "y"}).status_code == 302
    page = client.page(f"/cases/{number}")
    link = next(a for a in page.select("a") if "决定书" in a.get_text())
    decision = client.page(link["href"])
    assert "申请人存在犯罪记录" in decision.get_text() and "行政复议" in decision.get_text()
    # The applicant's timeline shows the refusal, not the agency's internal steps.
    timeline = text_of(page, ".timeline")
    assert "任务已认领" not in timeline and "陈静" not in timeline


def test_a_transfer_may_not_leave_a_joint_step_one_sided(session):
    import pytest

    from portal.domain import DomainError
    from portal.domain.clock import WorkCalendar
    from portal.domain.intake import accept_case
    from portal.domain.workflow import transfer_task
    from portal.models import County

    case = create_case(session, "gov-dispute", status="submitted")
    clerk = create_user(session, "clerk", window_county=County.changshan)
    accept_case(session, case, clerk, now(), WorkCalendar.load(session))
    yushan_task = next(t for t in case.tasks if t.agency.code == "ys-gov")
    supervisor = create_user(session, "supervisor")
    with pytest.raises(DomainError) as caught:
        transfer_task(session, yushan_task, supervisor, now(), "cs-gov", "合并办理")
    assert caught.value.field == "agency"


def test_a_supervisor_finds_a_case_by_its_number(app, client, login_as):
    number = apply_online(app, client, login_as)
    supervisor = app.test_client()
    with app.app_context():
        username = create_user(db.session, "supervisor").username
        db.session.commit()
    staff_sign_in(app, supervisor, username)
    assert number in text_of(supervisor.page("/supervisor/"), "#latest-title ~ .table-scroll")
    assert supervisor.page("/supervisor/").select_one("form[role=search]")["action"] == "/search"
    response = supervisor.get(f"/search?q={number.lower()}")
    assert response.headers["Location"] == f"/cases/{number}"
    page = supervisor.page("/search?q=KSXX20260101")
    assert "没有您可打开的办件与之相符" in text_of(page, "#results-title ~ .empty")
