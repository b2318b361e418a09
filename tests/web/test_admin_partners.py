"""The administrator's partner pages: agencies and how they receive tasks,
the outbox with its retries."""

import pytest
from sqlalchemy import select

from portal.db import db
from portal.models import Agency, OutboxMessage
from portal.models.enums import DeliveryMode, OutboxStatus
from tests.factories import wall_clock
from tests.pages import parse, text_of
from tests.partners import AGENCY, SECRET, partner_messages, relay, routed_case, switch_to_http

PAGES = ["/admin/agencies", f"/admin/agencies/{AGENCY}/delivery", "/admin/outbox"]


@pytest.mark.parametrize("url", PAGES)
def test_partner_pages_send_anonymous_visitors_to_sign_in(client, url):
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("role", ["resident", "clerk", "officer", "supervisor"])
@pytest.mark.parametrize("url", PAGES)
def test_only_admins_open_the_partner_pages(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 403


def test_the_admin_page_links_to_agencies_and_the_outbox(client, login_as):
    login_as("admin")
    page = client.page("/admin/")
    assert page.select_one("a[href='/admin/agencies']") and page.select_one("a[href='/admin/outbox']")


def test_agencies_show_their_mode_and_address_but_never_the_secret(app, client, login_as):
    with app.app_context():
        switch_to_http(db.session, "https://hrss.yushan.test/tasks")
    login_as("admin")
    client.get("/language/en")
    page = client.page("/admin/agencies")
    rows = {row.select("td")[1].get_text(strip=True): row.get_text(" ", strip=True) for row in page.select("tbody tr")}
    assert len(rows) == 12
    assert "Own system (HTTP)" in rows[AGENCY] and "https://hrss.yushan.test/tasks" in rows[AGENCY]
    assert "5 seconds" in rows[AGENCY] and " set " in f" {rows[AGENCY]} "
    assert "Portal queue" in rows["cs-psb"] and "not set" in rows["cs-psb"]
    assert SECRET not in page.decode()
    edit = client.page(f"/admin/agencies/{AGENCY}/delivery")
    assert SECRET not in edit.decode() and edit.select_one("#signing_secret").get("value", "") == ""
    assert "A signing secret is set." in text_of(edit, "#delivery-title ~ form")


def test_switching_an_agency_to_http_sends_its_open_tasks(app, client, login_as):
    with app.app_context():
        case = routed_case(db.session)
        task_id = case.tasks[0].id
    login_as("admin")
    response = client.submit(
        f"/admin/agencies/{AGENCY}/delivery",
        {"delivery_mode": "http", "endpoint_url": "https://hrss.yushan.test/tasks", "signing_secret": SECRET, "timeout_seconds": "8"},
        form_action=f"/admin/agencies/{AGENCY}/delivery",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/agencies")
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.code == AGENCY))
        assert (agency.delivery_mode, agency.timeout_seconds, agency.signing_secret) == (DeliveryMode.http, 8, SECRET)
        assert [(m.topic, m.task_id) for m in partner_messages(db.session)] == [("task.created", task_id)]
    # Saving again with the secret left empty keeps it.
    client.submit(
        f"/admin/agencies/{AGENCY}/delivery",
        {"delivery_mode": "http", "endpoint_url": "https://hrss.yushan.test/v2/tasks", "signing_secret": "", "timeout_seconds": "8"},
        form_action=f"/admin/agencies/{AGENCY}/delivery",
    )
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.code == AGENCY))
        assert agency.signing_secret == SECRET and agency.endpoint_url.endswith("/v2/tasks")


def test_wrong_settings_are_explained_next_to_each_field(app, client, login_as):
    login_as("admin")
    response = client.submit(
        f"/admin/agencies/{AGENCY}/delivery",
        {"delivery_mode": "http", "endpoint_url": "hrss.yushan", "signing_secret": "short", "timeout_seconds": "600"},
        form_action=f"/admin/agencies/{AGENCY}/delivery",
    )
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    for name in ("endpoint_url", "signing_secret", "timeout_seconds"):
        assert page.select_one(f"#{name}-error") is not None, name
        assert page.select_one(f".error-summary a[href='#{name}']") is not None
    with app.app_context():
        assert db.session.scalar(select(Agency).where(Agency.code == AGENCY)).delivery_mode is DeliveryMode.portal


def test_the_delivery_form_needs_its_csrf_token(client, login_as):
    login_as("admin")
    response = client.post(f"/admin/agencies/{AGENCY}/delivery", data={"delivery_mode": "portal", "timeout_seconds": "5"})
    assert response.status_code == 400


def test_a_refused_message_is_dead_on_the_outbox_page_and_a_retry_delivers_it_after_the_fix(app, client, login_as, partner_sim):
    # The retry button makes the message due at the portal's own (real) time, so the relay runs at it too.
    partner = partner_sim(reject=True, clock=wall_clock)
    with app.app_context():
        switch_to_http(db.session, partner.tasks_url)
        case = routed_case(db.session)
        relay(db.session, wall_clock())
        (message,) = partner_messages(db.session)
        message_id, number = message.id, case.number
    login_as("admin")
    client.get("/language/en")
    page = client.page("/admin/outbox?status=dead")
    row = page.select_one(f"#message-{message_id}")
    assert row is not None
    words = row.get_text(" ", strip=True)
    assert "Dead" in words and "task.created" in words and "400" in words and "simulated refusal" in words
    assert row.select_one(f"a[href='/cases/{number}']") is not None
    assert text_of(page, "#count-dead") == "1"
    assert page.select_one(f"#message-{message_id} form button") is not None
    # The partner fixes its side; the admin retries; the next pass delivers.
    partner.faults(reject=False)
    response = client.submit("/admin/outbox?status=dead", {}, form_action=f"/admin/outbox/{message_id}/retry")
    assert response.status_code == 302
    with app.app_context():
        (message,) = partner_messages(db.session)
        assert (message.status, message.attempts) == (OutboxStatus.pending, 0)
        relay(db.session, wall_clock())
        (message,) = partner_messages(db.session)
        assert (message.status, message.attempts) == (OutboxStatus.sent, 1)
    assert [m["key"] for m in partner.messages()] == [message_id]
    assert client.page("/admin/outbox").select_one(f"#message-{message_id}") is None


def test_retry_all_dead_puts_every_dead_message_back(app, client, login_as, partner_sim):
    partner = partner_sim(reject=True)
    with app.app_context():
        switch_to_http(db.session, partner.tasks_url)
        routed_case(db.session)
        routed_case(db.session)
        relay(db.session)
        assert {m.status for m in partner_messages(db.session)} == {OutboxStatus.dead}
    login_as("admin")
    page = client.page("/admin/outbox?status=pending")
    assert all("dead" not in row.get_text().lower() for row in page.select("tbody tr .tag"))
    response = client.submit("/admin/outbox", {}, form_action="/admin/outbox/retry-dead")
    assert response.status_code == 302
    with app.app_context():
        assert {m.status for m in partner_messages(db.session)} == {OutboxStatus.pending}
    assert client.post("/admin/outbox/retry-dead").status_code == 400  # no CSRF token


def test_the_outbox_page_lists_texts_to_applicants_with_the_number_masked(app, client, login_as):
    with app.app_context():
        case = routed_case(db.session)
        mobile = case.applicant_mobile
        sms = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "sms"))
        sms.status, sms.last_error = OutboxStatus.dead, "HTTP 403: token refused"
        db.session.commit()
    login_as("admin")
    page = client.page("/admin/outbox")
    assert mobile not in page.decode() and mobile[-4:] in page.decode()
    assert "token refused" in page.decode()


def test_the_outbox_is_listed_in_a_fixed_number_of_statements(app, client, login_as, count_statements):
    with app.app_context():
        switch_to_http(db.session, "https://hrss.yushan.test/tasks")
        for _ in range(3):
            routed_case(db.session)
    login_as("admin")
    with count_statements() as few:
        client.page("/admin/outbox")
    with app.app_context():
        for _ in range(5):
            routed_case(db.session)
    with count_statements() as many:
        client.page("/admin/outbox")
    assert many[0] == few[0]
