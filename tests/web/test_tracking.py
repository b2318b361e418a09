"""The public tracking page: the lookup posts, a code in an address is never
used, the receipt's QR code opens the case by a signed link, and a case
whose query code is being guessed is locked from every address at once."""

from __future__ import annotations

import logging
from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.domain.tracking import FAILURES_ALLOWED, LOCKOUT
from portal.extensions import limiter
from portal.models import Case, OutboxMessage, TrackingFailure
from portal.models.enums import OutboxChannel
from portal.web.cases import views
from tests import factories
from tests.journeys import apply_online
from tests.pages import parse, text_of


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def stand_at():
    """``stand_at(moment)``: the views' clock shows ``moment`` from then on."""
    patcher = mock.patch("portal.web.clock.wall_clock", return_value=factories.now())
    clock = patcher.start()
    yield lambda moment: setattr(clock, "return_value", moment)
    patcher.stop()


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def a_case(app, **overrides) -> tuple[str, str, str]:
    with app.app_context():
        case = factories.create_case(db.session, status="submitted", applicant_name="欧阳娜娜", **overrides)
        db.session.commit()
        return case.number, case.query_code, case.applicant_mobile


def csrf_of(client) -> str:
    return client.page("/track").select_one("form[method=post] input[name=csrf_token]")["value"]


def look_up(client, number: str, code: str, address: str = "127.0.0.1", csrf: str | None = None):
    return client.post(
        "/track", data={"csrf_token": csrf or csrf_of(client), "number": number, "code": code},
        environ_base={"REMOTE_ADDR": address},
    )


def texts(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.sms)))


def test_the_tracking_form_posts_with_a_csrf_token(client):
    page = client.page("/track")
    form = page.select_one("main form")
    assert form["method"] == "post" and form["action"] == "/track"
    assert form.select_one("input[name=csrf_token]") is not None
    assert page.select_one("#code").get("value", "") == ""


def test_a_lookup_by_post_shows_the_status_and_the_masked_name(app, client, stand_at):
    number, code, _ = a_case(app)
    response = look_up(client, number.lower(), code)
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    text = page.get_text()
    assert number in text and "欧***" in text and "欧阳娜娜" not in text
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"


def test_a_number_and_code_typed_in_full_width_digits_find_the_case(app, client, stand_at):
    number, code, _ = a_case(app)
    full_width = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    response = look_up(client, number.translate(full_width), code.translate(full_width))
    assert response.status_code == 200 and number in response.get_data(as_text=True)


def test_a_wrong_code_is_said_next_to_the_field_and_not_sent_back(app, client, stand_at):
    number, code, _ = a_case(app)
    response = look_up(client, number, wrong(code))
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert "未找到与该办件编号和查询码相符的办件" in text_of(page, "#code-error")
    assert wrong(code) not in response.get_data(as_text=True)
    assert page.select_one("#number")["value"] == number


def test_a_lookup_without_the_csrf_token_is_refused(app, client):
    number, code, _ = a_case(app)
    response = client.post("/track", data={"number": number, "code": code})
    assert response.status_code == 400 and "欧***" not in response.get_data(as_text=True)


def test_a_get_with_the_code_in_the_address_looks_nothing_up(app, client, stand_at):
    number, code, _ = a_case(app)
    response = client.get("/track", query_string={"number": number, "code": code})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    page = parse(body)
    assert "欧***" not in body and page.select_one(".timeline") is None
    assert code not in body
    assert page.select_one("#number")["value"] == number
    assert "查询码" in text_of(page, "main .notice")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrackingFailure)) == 0


def test_the_receipts_qr_code_carries_a_signed_link_that_opens_the_case(app, client, login_as):
    number = apply_online(app, client, login_as, real_name="欧阳娜娜")
    with app.app_context():
        code = db.session.scalar(select(Case.query_code).where(Case.number == number))
    made = []
    with mock.patch.object(views, "qr_svg", side_effect=lambda url: made.append(url) or "<svg></svg>"):
        receipt = client.page(f"/cases/{number}/receipt")
    (url,) = made
    assert url.startswith("http://localhost/track/") and code not in url and number not in url
    assert "扫描二维码" in text_of(receipt, ".document ol")
    opened = app.test_client().page(url.removeprefix("http://localhost"))
    assert number in opened.get_text() and "欧***" in opened.get_text()


@pytest.mark.parametrize("token", ["WzEsIktTQ1MyMDI2MDEwMTAwMzQiXQ.hvdwB0K689KNAcvzCFmVBYQMsLc", "x", "a" * 500])
def test_a_tampered_or_forged_link_answers_not_found(app, client, token):
    a_case(app)
    response = client.get(f"/track/{token}")
    assert response.status_code == 404
    page = parse(response.get_data(as_text=True))
    assert page.select_one("main form[method=post]") is not None and "欧***" not in page.get_text()


def test_a_tampered_link_of_a_real_case_answers_not_found(app, client):
    with app.app_context():
        case = factories.create_case(db.session, status="submitted")
        db.session.commit()
        with app.test_request_context():
            url = views.tracking_url(case)
    path = url.removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    assert client.get(path[:-2] + ("AA" if path[-2:] != "AA" else "BB")).status_code == 404


def test_ten_wrong_codes_from_many_addresses_lock_the_case_even_for_the_right_code(app, client, stand_at):
    number, code, mobile = a_case(app)
    csrf = csrf_of(client)
    answers = [look_up(client, number, wrong(code), f"203.0.113.{n}", csrf).status_code for n in range(FAILURES_ALLOWED)]
    assert answers == [400] * (FAILURES_ALLOWED - 1) + [429]
    eleventh = look_up(client, number, wrong(code), "198.51.100.7", csrf)
    assert eleventh.status_code == 429 and LOCKOUT.total_seconds() - 5 <= int(eleventh.headers["Retry-After"]) <= LOCKOUT.total_seconds()
    page = parse(eleventh.get_data(as_text=True))
    assert "查询码错误次数过多" in text_of(page, "[data-error-summary]")
    right = look_up(client, number, code, "198.51.100.8", csrf)
    assert right.status_code == 429 and "欧***" not in right.get_data(as_text=True)

    stand_at(factories.now() + LOCKOUT)
    opened = look_up(client, number, code, "198.51.100.9", csrf)
    assert opened.status_code == 200 and "欧***" in opened.get_data(as_text=True)

    (text,) = texts(app)
    assert text.payload["mobile"] == mobile and text.payload["action"] == "tracking_locked"


def test_the_locked_message_is_in_english_too(app, client, stand_at):
    number, code, _ = a_case(app)
    client.get("/language/en")
    csrf = csrf_of(client)
    for n in range(FAILURES_ALLOWED):
        answer = look_up(client, number, wrong(code), f"203.0.113.{n}", csrf)
    assert "Too many wrong query codes" in text_of(parse(answer.get_data(as_text=True)), "[data-error-summary]")


def test_the_language_switch_of_a_tracking_page_never_carries_the_code(app, client):
    number, code, _ = a_case(app)
    page = client.page(f"/track?number={number}&code={code}")
    switch = page.select_one(".lang-switch a")["href"]
    assert code not in switch and switch.endswith("next=/track")


def test_wrong_codes_for_an_unknown_number_store_nothing(app, client, stand_at):
    csrf = csrf_of(client)
    answers = {look_up(client, "KSCS209912319999", "123456", f"203.0.113.{n}", csrf).status_code for n in range(12)}
    assert answers == {400}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrackingFailure)) == 0
    assert texts(app) == []


def test_the_same_answer_for_an_unknown_number_and_a_wrong_code(app, client, stand_at):
    number, code, _ = a_case(app)
    unknown = parse(look_up(client, "KSCS209912319999", code).get_data(as_text=True))
    known = parse(look_up(client, number, wrong(code)).get_data(as_text=True))
    assert text_of(unknown, "#code-error") == text_of(known, "#code-error")


def test_no_log_line_of_a_lookup_or_lockout_carries_personal_data(app, client, stand_at, caplog):
    with app.app_context():
        # Codes no timing figure of a log line could contain by chance.
        case = factories.create_case(db.session, status="submitted", query_code="482915")
        db.session.commit()
        number, code, mobile, id_number = case.number, case.query_code, case.applicant_mobile, case.applicant_id_number
        with app.test_request_context():
            token = views.tracking_url(case).rsplit("/", 1)[1]
    csrf = csrf_of(client)
    with caplog.at_level(logging.DEBUG):
        look_up(client, number, code, csrf=csrf)
        for n in range(FAILURES_ALLOWED + 1):
            look_up(client, number, "739164", f"203.0.113.{n}", csrf)
        client.get(f"/track/{token}")
        client.get("/track", query_string={"number": number, "code": code})
    lines = [record.getMessage() + " " + " ".join(str(v) for v in vars(record).values()) for record in caplog.records]
    assert any(r.name == "portal.request" and r.route == "/track" and r.method == "POST" for r in caplog.records)
    assert any("locked" in r.getMessage() for r in caplog.records)
    for secret in (number, code, "739164", mobile, id_number, token):
        assert not [line for line in lines if secret in line], secret


def test_a_right_code_is_answered_with_a_fixed_handful_of_statements_and_no_commit(app, client, count_statements):
    number, code, _ = a_case(app)
    csrf = csrf_of(client)
    with count_statements() as counted:
        page = parse(look_up(client, number, code, csrf=csrf).get_data(as_text=True))
    assert number in text_of(page, "main")
    # the case's number and code with its lockout; the stamps; then, to
    # render the result, the case with its service, tasks, their agencies
    # and notices, and the public events
    assert counted[0] <= 7
    later = factories.wall_clock() + timedelta(hours=1)  # nothing on it changes with the clock
    with count_statements() as counted, mock.patch("portal.web.clock.wall_clock", return_value=later):
        again = parse(look_up(client, number, code, csrf=csrf).get_data(as_text=True))
    # the page is kept by the process: the case's code with its lockout, and the stamps
    assert counted[0] <= 2
    assert text_of(again, "main") == text_of(page, "main")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrackingFailure)) == 0
