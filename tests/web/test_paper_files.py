"""收受分离 and 邮寄送达 on the pages: the Yushan window holds and sends a
walk-in case's originals, Changshan's police confirm them or report what
is missing and complete only then (or with a reason), and a result
posted with its waybill is shown and texted to the applicant."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.domain.clock import local_date
from portal.domain.sms import text_for
from portal.models import Case, Event, OutboxMessage, PaperFile, PostalDelivery, Task
from portal.models.enums import PaperFileState, TaskStatus
from tests.api_data import bearer, make_token
from tests.factories import PASSWORD, create_case, create_user, wall_clock
from tests.pages import parse, text_of
from tests.paper_data import ORIGINAL, walk_in_case

# The views read the real clock (web/clock.py): dates typed on the forms follow it.
TODAY = local_date(wall_clock())


def signed_in(app, username):
    client = app.test_client()
    client.get("/language/zh_CN")
    client.submit("/login", {"login": username, "password": PASSWORD})
    return client


@pytest.fixture
def walk_in(app):
    """The case number, the Yushan clerk's client, the Changshan officer's client and the task id."""
    with app.app_context():
        resident = create_user(db.session, "resident", real_name="刘芳")
        case, clerk, officer = walk_in_case(db.session, applicant=resident, applicant_name="刘芳")
        ids = case.number, clerk.username, officer.username, case.tasks[0].id, resident.mobile
    number, clerk, officer, tid, mobile = ids
    return number, signed_in(app, clerk), signed_in(app, officer), tid, signed_in(app, mobile)


def post(client, number, action, data):
    url = f"/counter/cases/{number}/originals"
    return client.submit(url, data, form_action=f"{url}/{action}")


def paper_state(app):
    with app.app_context():
        return db.session.scalar(select(PaperFile.state))


def hold_and_send(clerk, number, waybill="EA123456789CN"):
    assert post(clerk, number, "hold", {"items": [ORIGINAL]}).status_code == 302
    return post(clerk, number, "send", {"carrier": "ems", "waybill": waybill, "sent_on": TODAY.isoformat()})


def test_the_window_holds_and_sends_the_originals_and_the_case_page_says_where_they_are(app, walk_in):
    number, clerk, _, _, resident = walk_in
    panel = text_of(clerk.page(f"/cases/{number}"), ".paper-file")
    assert "尚未登记" in panel and "登记收存的原件" in panel
    page = clerk.page(f"/counter/cases/{number}/originals")
    # Only the originals the catalog marks: the identity card is checked and handed back.
    assert [i["value"] for i in page.select("input[name=items]")] == [ORIGINAL]
    assert post(clerk, number, "hold", {"items": [ORIGINAL]}).status_code == 302
    assert "原件自" in text_of(clerk.page(f"/cases/{number}"), ".paper-file")
    assert "玉山窗口" in text_of(clerk.page(f"/cases/{number}"), ".paper-file")
    response = post(clerk, number, "send", {"carrier": "ems", "waybill": "ea 123456789 cn", "sent_on": TODAY.isoformat()})
    assert response.status_code == 302
    for page in (clerk.page(f"/cases/{number}"), resident.page(f"/cases/{number}")):
        panel = text_of(page, ".paper-file")
        assert "寄递中" in panel and "中国邮政EMS" in panel and "EA123456789CN" in panel and TODAY.isoformat() in panel
    timeline = text_of(resident.page(f"/cases/{number}"), ".timeline")
    assert "窗口已收存原件" in timeline and "原件已寄送承办部门" in timeline


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"carrier": "ems", "waybill": "EA12345678CN"}, "waybill", "13位"),
        ({"carrier": "sf", "waybill": "SF123"}, "waybill", "SF"),
        ({"carrier": "", "waybill": "EA123456789CN"}, "carrier", "请选择寄递方式"),
        ({"carrier": "ems", "waybill": "EA123456789CN", "sent_on": (TODAY + timedelta(days=1)).isoformat()}, "sent_on", "不能晚于今天"),
    ],
)
def test_bad_dispatch_details_are_shown_next_to_the_field_and_nothing_is_sent(app, walk_in, data, field, words):
    number, clerk, _, _, _ = walk_in
    assert post(clerk, number, "hold", {"items": [ORIGINAL]}).status_code == 302
    response = post(clerk, number, "send", {"sent_on": TODAY.isoformat(), **data})
    assert response.status_code == 400
    assert words in parse(response.get_data(as_text=True)).select_one(f"#{field}-error").get_text()
    assert paper_state(app) is PaperFileState.held


def test_sending_before_holding_or_holding_nothing_is_refused_on_the_page(app, walk_in):
    number, clerk, _, _, _ = walk_in
    response = post(clerk, number, "send", {"carrier": "ems", "waybill": "EA123456789CN", "sent_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "请先登记窗口已收存的原件" in text_of(parse(response.get_data(as_text=True)), "[data-error-summary]")
    response = post(clerk, number, "hold", {})
    assert response.status_code == 400
    assert "请勾选窗口已收存的原件" in parse(response.get_data(as_text=True)).select_one("#items-error").get_text()
    with app.app_context():
        assert db.session.scalar(select(func.count(PaperFile.id))) == 0


def test_the_officer_confirms_receipt_once_then_completes(app, walk_in):
    number, clerk, officer, tid, resident = walk_in
    task_page = f"/agency/tasks/{tid}"
    officer.submit(task_page, {}, form_action=f"{task_page}/claim")
    # Not sent yet: completing needs a reason, next to its field.
    response = officer.submit(task_page, {"opinion": "经核查无犯罪记录"}, form_action=f"{task_page}/complete")
    assert response.status_code == 400
    assert "尚未确认签收" in parse(response.get_data(as_text=True)).select_one("#originals_reason-error").get_text()
    assert hold_and_send(clerk, number).status_code == 302
    assert "原件已收到" in officer.page(task_page).get_text()
    assert officer.submit(task_page, {}, form_action=f"{task_page}/originals/receipt").status_code == 302
    csrf = officer.page(task_page).select_one("input[name=csrf_token]")["value"]
    twice = officer.post(f"{task_page}/originals/receipt", data={"csrf_token": csrf})
    assert twice.status_code == 400 and "无需重复确认" in twice.get_data(as_text=True)
    assert "常山县公安局已于" in text_of(resident.page(f"/cases/{number}"), ".paper-file")
    response = officer.submit(task_page, {"opinion": "经核查无犯罪记录"}, form_action=f"{task_page}/complete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Task, tid).status is TaskStatus.completed
        assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "paper_received")) == 1


def test_confirming_a_file_never_sent_is_refused_on_the_page(app, walk_in):
    _, _, officer, tid, _ = walk_in
    csrf = officer.page(f"/agency/tasks/{tid}").select_one("input[name=csrf_token]")["value"]
    response = officer.post(f"/agency/tasks/{tid}/originals/receipt", data={"csrf_token": csrf})
    assert response.status_code == 400 and "尚未寄出" in response.get_data(as_text=True)
    assert paper_state(app) is None


def test_a_reason_lets_the_officer_complete_and_the_timeline_keeps_it(app, walk_in):
    number, clerk, officer, tid, _ = walk_in
    task_page = f"/agency/tasks/{tid}"
    officer.submit(task_page, {}, form_action=f"{task_page}/claim")
    data = {"opinion": "经核查无犯罪记录", "originals_reason": "授权委托书已现场视频核验"}
    assert officer.submit(task_page, data, form_action=f"{task_page}/complete").status_code == 302
    timeline = text_of(clerk.page(f"/cases/{number}"), ".timeline")
    assert "原件未到即办结" in timeline and "授权委托书已现场视频核验" in timeline


def test_missing_originals_go_back_to_the_window_which_sends_them_again(app, walk_in):
    number, clerk, officer, tid, _ = walk_in
    assert hold_and_send(clerk, number).status_code == 302
    task_page = f"/agency/tasks/{tid}"
    response = officer.submit(task_page, {"missing_note": "未见原件"}, form_action=f"{task_page}/originals/missing")
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one("#missing_items-error") is not None
    data = {"missing_items": [ORIGINAL], "missing_note": "邮件中无授权委托书原件"}
    assert officer.submit(task_page, data, form_action=f"{task_page}/originals/missing").status_code == 302
    page = clerk.page(f"/cases/{number}")
    assert "报告原件缺失" in text_of(page, ".paper-file") and "邮件中无授权委托书原件" in text_of(page, ".paper-file")
    assert "补寄缺失的原件" in clerk.page(f"/counter/cases/{number}/originals").get_text()
    # The window's desk lists it as a problem to resolve.
    desk = clerk.page("/counter/")
    assert "承办部门报告原件缺失" in desk.get_text() and desk.select_one(f"a[href='/counter/cases/{number}/originals']")
    response = post(clerk, number, "send", {"carrier": "sf", "waybill": "SF1234567890123", "sent_on": TODAY.isoformat()})
    assert response.status_code == 302 and paper_state(app) is PaperFileState.in_transit


def test_the_api_refuses_to_complete_before_the_originals_unless_a_reason_is_given(app, client, walk_in):
    number, _, _, tid, _ = walk_in
    with app.app_context():
        officer = create_user(db.session, "officer", agency_code="cs-psb")
        db.session.commit()
        officer_id = officer.id
    headers = bearer(make_token(app, "staff", user_id=officer_id))
    url = f"/api/v1/tasks/{tid}/actions"
    assert client.post(url, headers=headers, json={"action": "claim"}).status_code == 200
    refused = client.post(url, headers=headers, json={"action": "complete", "note": "符合条件"})
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.get_json()["errors"]] == ["/originals_reason"]
    assert "not been confirmed" in refused.get_json()["errors"][0]["detail"]
    done = client.post(url, headers=headers, json={"action": "complete", "note": "符合条件", "originals_reason": "电子证照已核验"})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    with app.app_context():
        assert db.session.scalar(select(Event.note).where(Event.action == "paper_waived")) == "电子证照已核验"


def completed_case(app, **form_data):
    with app.app_context():
        resident = create_user(db.session, "resident", real_name="赵敏")
        case = create_case(
            db.session, "psb-exit-entry", status="completed", receiving_county="changshan", applicant=resident,
            form_data=form_data, accepted_at=wall_clock() - timedelta(days=2),
        )
        clerk = create_user(db.session, "clerk")
        db.session.commit()
        number, clerk, mobile = case.number, clerk.username, resident.mobile
    return number, signed_in(app, clerk), signed_in(app, mobile)


def deliver(clerk, number, data):
    return clerk.submit(f"/cases/{number}", data, form_action=f"/counter/cases/{number}/deliver")


def test_a_result_by_post_keeps_address_carrier_and_waybill_and_texts_them(app):
    number, clerk, resident = completed_case(app, delivery="post", delivery_address="江西省上饶市玉山县冰溪街道博士大道8号")
    form = clerk.page(f"/cases/{number}").select_one(f"form[action='/counter/cases/{number}/deliver']")
    assert form.select_one("#method option[selected]")["value"] == "post"
    assert form.select_one("#address")["value"] == "江西省上饶市玉山县冰溪街道博士大道8号"
    data = {"method": "post", "address": "江西省上饶市玉山县冰溪街道博士大道8号", "carrier": "sf", "waybill": "SF1234567890123"}
    assert deliver(clerk, number, data).status_code == 302
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        assert case.status.value == "delivered"
        posted = db.session.scalar(select(PostalDelivery))
        assert (posted.carrier, posted.waybill) == ("sf", "SF1234567890123")
        texts = [text_for(db.session, m.payload) for m in db.session.scalars(select(OutboxMessage))]
    assert any("顺丰速运运单号SF1234567890123" in t for t in texts), texts
    panel = text_of(resident.page(f"/cases/{number}"), "#postal-title + dl")
    assert "顺丰速运" in panel and "SF1234567890123" in panel and "博士大道8号" in panel


@pytest.mark.parametrize(
    "data, field",
    [
        ({"carrier": "ems", "waybill": "12345", "address": "玉山县博士大道8号"}, "waybill"),
        ({"carrier": "ems", "waybill": "EA123456789CN", "address": ""}, "address"),
        ({"carrier": "", "waybill": "EA123456789CN", "address": "玉山县博士大道8号"}, "carrier"),
    ],
)
def test_a_bad_postal_hand_over_is_shown_next_to_the_field_and_the_case_stays_completed(app, data, field):
    number, clerk, _ = completed_case(app)
    response = deliver(clerk, number, {"method": "post", **data})
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one(f"#{field}-error") is not None
    with app.app_context():
        assert db.session.scalar(select(Case.status).where(Case.number == number)).value == "completed"
        assert db.session.scalar(select(func.count(PostalDelivery.id))) == 0


def test_public_tracking_says_where_the_originals_are_without_personal_details(app, client, walk_in):
    number, clerk, _, _, _ = walk_in
    assert hold_and_send(clerk, number, waybill="1234567890123").status_code == 302
    with app.app_context():
        code = db.session.scalar(select(Case.query_code).where(Case.number == number))
    response = client.submit("/track", {"number": number, "code": code})
    assert response.status_code == 200
    panel = text_of(parse(response.get_data(as_text=True)), ".paper-file")
    assert "寄递中" in panel and "中国邮政EMS" in panel and "1234567890123" in panel and "玉山窗口" in panel
    assert "预计" not in panel  # the internal alert limit is for staff
