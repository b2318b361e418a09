"""One agency works in its own system: the portal and the partner simulator
talk over real loopback HTTP, both ways, with no manual step between the
window's acceptance and the agency's decision."""

from sqlalchemy import select

from portal.db import db
from portal.models import Case, CaseStatus, Message, OutboxMessage
from portal.models.enums import OutboxStatus, TaskStatus
from tests.factories import PASSWORD, create_case, create_user, wall_clock
from tests.pages import text_of
from tests.partners import partner_messages, switch_to_http, wait_for


def signed_in(app, user_login: str):
    client = app.test_client()
    response = client.submit("/login", {"login": user_login, "password": PASSWORD})
    assert response.status_code == 302
    return client


def submitted_case(app) -> tuple[str, str, str]:
    """An application for employment registration (就业登记) by a resident
    living in Yushan, waiting at the Yushan window; its one task goes to
    ys-hrss."""
    with app.app_context():
        resident = create_user(db.session, "resident", real_name="刘芳")
        clerk = create_user(db.session, "clerk", window_county="yushan")
        case = create_case(
            db.session, "hrss-employment", status="submitted", receiving_county="yushan", applicant=resident,
            hukou_county="yushan", residence_county="yushan", form_data={"employer_name": "玉山县某制衣厂"},
        )
        db.session.commit()
        return case.number, resident.mobile, clerk.username


def task_status(app, number):
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number).execution_options(populate_existing=True))
        return case.status, [t.status for t in case.tasks]


def callbacks_logged(partner) -> list[tuple[str, int]]:
    return [(c["action"], c["status"]) for c in partner.sim.store.callbacks()]


def wait_until_settled(app, partner, number, callbacks: int = 2):
    """Wait for both sides: the portal commits a callback before it answers,
    and the simulator logs the callback only once the answer is back, so
    the case can be delivered while the last callback is not logged yet."""
    wait_for(
        lambda: task_status(app, number)[0] is CaseStatus.delivered and len(partner.sim.store.callbacks()) >= callbacks,
        what=f"case {number} delivered and {callbacks} callbacks logged by the simulator",
    )


def accept_at_the_window(clerk, number):
    csrf = clerk.page(f"/counter/cases/{number}/decide").select_one("input[name=csrf_token]")["value"]
    assert clerk.post(f"/counter/cases/{number}/accept", data={"csrf_token": csrf}).status_code == 302


def test_a_case_routed_to_an_agency_system_is_completed_by_its_callback_and_reaches_the_applicant(
    app, runner, partner_sim, portal_server
):
    # The portal and the simulator serve on loopback and sign with the real time.
    partner = partner_sim(portal_url=portal_server.url, clock=wall_clock)
    with app.app_context():
        switch_to_http(db.session, partner.tasks_url)
    number, mobile, clerk_login = submitted_case(app)
    clerk = signed_in(app, clerk_login)
    accept_at_the_window(clerk, number)
    assert task_status(app, number) == (CaseStatus.in_progress, [TaskStatus.open])

    # The relay (a background process) delivers the task; the agency's system takes it from there.
    result = runner.invoke(args=["dispatch", "run", "--once"])
    assert result.exit_code == 0, result.output
    (task,) = partner.tasks()
    assert task["case_number"] == number and task["deliveries"] == 1
    # Fully online (就业失业登记): decided by the agency's system and delivered electronically, no manual step.
    wait_until_settled(app, partner, number)
    assert task_status(app, number) == (CaseStatus.delivered, [TaskStatus.completed])
    assert callbacks_logged(partner) == [("accepted", 200), ("completed", 200)]

    # Staff see the agency's decision on the case, as from an officer.
    page = clerk.page(f"/cases/{number}")
    assert f"SIM-{task['task_id']}" in page.decode() or "审核通过（模拟部门系统）" in page.decode()

    with app.app_context():
        delivered = db.session.scalar(select(Case).where(Case.number == number))
        assert (delivered.outcome, delivered.delivery_method) == ("completed", "electronic")

    # The applicant sees it in the message centre and gets every text through the relay.
    resident = signed_in(app, mobile)
    messages = resident.page("/resident/messages")
    assert number in text_of(messages, ".messages")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        told = {m.event.action for m in db.session.scalars(select(Message).where(Message.case_id == case.id))}
        assert {"accept", "complete"} <= told and "deliver" not in told  # one message for decision and delivery
    assert runner.invoke(args=["dispatch", "run", "--once"]).exit_code == 0
    with app.app_context():
        texts = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == "sms", OutboxMessage.case_id == case.id)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        ).all()
        assert [(m.payload["action"], m.status) for m in texts] == [
            ("accept", OutboxStatus.sent), ("complete", OutboxStatus.sent),
        ]
        assert "电子结果已送达" in texts[1].payload["text"]
        assert texts[0].payload["text"].startswith("【常山玉山跨省通办】") and number in texts[0].payload["text"]
        assert all(m.status is OutboxStatus.sent for m in partner_messages(db.session))


def test_an_agency_system_that_refuses_refuses_the_case_with_its_reason(app, runner, partner_sim, portal_server):
    partner = partner_sim(portal_url=portal_server.url, clock=wall_clock, refuse_tasks=True)
    with app.app_context():
        switch_to_http(db.session, partner.tasks_url)
    number, mobile, clerk_login = submitted_case(app)
    accept_at_the_window(signed_in(app, clerk_login), number)
    assert runner.invoke(args=["dispatch", "run", "--once"]).exit_code == 0
    wait_until_settled(app, partner, number)
    assert task_status(app, number) == (CaseStatus.delivered, [TaskStatus.refused])
    assert callbacks_logged(partner) == [("accepted", 200), ("refused", 200)]
    resident = signed_in(app, mobile)
    assert "不符合办理条件" in resident.page(f"/cases/{number}").decode()
