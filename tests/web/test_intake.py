"""Counter intake, the window's decisions, correction, withdrawal, tracking
and who may see what."""

from datetime import timedelta

from sqlalchemy import func, select

from portal.db import db
from portal.domain.clock import SHANGHAI, local_date
from portal.models import Case, CaseNotice, County, Event
from tests.factories import PASSWORD, create_user, wall_clock
from tests.journeys import SERVICE, application_data, apply_online, decide, post_form, sign_in_as_clerk, submit
from tests.pages import parse, text_of
from tests.uploads import PDF, upload


def case_status(app, number) -> str:
    with app.app_context():
        return db.session.scalar(select(Case.status).where(Case.number == number)).value


def test_a_clerk_files_a_walk_in_application_for_a_resident_with_an_account(app, client):
    with app.app_context():
        resident = create_user(db.session, "resident", real_name="陈东")
        db.session.commit()
        resident_id, id_number = resident.id, resident.id_number
    sign_in_as_clerk(app, client, "yushan")
    data = application_data(
        app, applicant_id_number=id_number, applicant_name="陈东", applicant_mobile="13611112222", identity_checked="y",
    )
    response, token = post_form(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    number = submit(client, token).headers["Location"].split("/")[2]
    assert number.startswith("KSYS")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        assert case.channel.value == "counter" and case.receiving_county is County.yushan
        assert case.identity_checked and case.applicant_user_id == resident_id
    page = client.page("/counter/")
    assert number in text_of(page, "table")


def test_counter_intake_requires_the_identity_check_and_a_valid_id(app, client):
    sign_in_as_clerk(app, client)
    data = application_data(app, applicant_id_number="123", applicant_name="王五", applicant_mobile="13611112222")
    response, _ = post_form(client, data)
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert page.select_one(".error-summary a[href='#identity_checked']") is not None
    assert page.select_one(".error-summary a[href='#applicant_id_number']") is not None


def test_the_clerk_accepts_and_the_clock_starts(app, client, login_as):
    number = apply_online(app, client, login_as)
    client.submit("/resident/", {}, form_action="/logout")
    sign_in_as_clerk(app, client)
    assert number in text_of(client.page("/counter/"), "table")
    response = decide(client, number, "accept")
    assert response.status_code == 302 and "/notices/" in response.headers["Location"]
    notice = client.page(response.headers["Location"])
    assert text_of(notice, "h1") == "受理通知书"
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        # Accepted, then routed at once: the case is with its agencies.
        assert case.status.value == "in_progress" and case.accepted_at and case.due_at
        assert [t.agency.code for t in case.tasks] == ["ys-psb"]  # hukou in Yushan
        due = case.due_at.astimezone(SHANGHAI).date().isoformat()
    # The due date is the last day it may take, not a day to finish before.
    assert f"最迟于{due}办结" in notice.get_text() and "前办结" not in notice.get_text()
    case_page = client.page(f"/cases/{number}")
    # The agencies' table is named by its heading, not by a second, hidden copy of it.
    # The clerk sees the facts the routing used, as the officer does.
    facts = {dt.get_text(strip=True): dt.find_next("dd").get_text(strip=True) for dt in case_page.select("dl.facts dt")}
    assert facts["户籍所在地"] == "江西省玉山县" and "申请人居住或工作地" in facts
    named = [e for e in case_page.select("h2, caption") if e.get_text(strip=True) == "承办部门"]
    assert [e.name for e in named] == ["h2"]
    assert case_page.select_one("table[aria-labelledby=agencies-title]") is not None
    assert number not in client.page("/counter/").get_text()


def test_a_correction_lists_everything_once_and_the_resident_answers_only_that(app, client, login_as):
    number = apply_online(app, client, login_as)
    resident_cookie = client.get_cookie("portal_session").value
    clerk_client = app.test_client()
    sign_in_as_clerk(app, clerk_client)
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        material = case.service.materials[0]["code"]
        spec = case.service.fields[0]
        field = spec["name"]
        corrected = spec["choices"][-1]["value"] if spec["type"] == "select" else "更正后"
    response = decide(
        clerk_client,
        number,
        "correction",
        {
            "item": [f"material:{material}", f"field:{field}"],
            f"reason-material:{material}": "扫描件不清晰",
            f"reason-field:{field}": "与材料不一致",
        },
    )
    assert response.status_code == 302
    assert case_status(app, number) == "correction_requested"
    notice = clerk_client.page(response.headers["Location"])
    assert "扫描件不清晰" in notice.get_text() and "与材料不一致" in notice.get_text()

    client.set_cookie("portal_session", resident_cookie)
    page = client.page(f"/cases/{number}")
    assert page.select_one(f"a[href='/cases/{number}/correction']") is not None
    form = client.page(f"/cases/{number}/correction")
    assert len(form.select("input[type=file]")) == 1
    csrf = form.select_one("input[name=csrf_token]")["value"]
    slot = "material_" + material.replace("-", "_")
    with app.app_context():
        other = db.session.scalar(select(Case).where(Case.number == number)).service.fields
    # Changing a field the notice does not name is refused and changes nothing.
    if len(other) > 1:
        sneaky = {"csrf_token": csrf, slot: upload(PDF, "new.pdf"), f"field_{field}": corrected, f"field_{other[1]['name']}": "偷改"}
        response = client.post(f"/cases/{number}/correction", data=sneaky, content_type="multipart/form-data")
        assert response.status_code == 400
        assert case_status(app, number) == "correction_requested"
    response = client.post(
        f"/cases/{number}/correction",
        data={"csrf_token": csrf, slot: upload(PDF, "new.pdf"), f"field_{field}": corrected},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, parse(response.get_data(as_text=True)).select_one(".error-summary")
    assert case_status(app, number) == "submitted"
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        assert case.form_data[field] == corrected
        actions = list(db.session.scalars(select(Event.action).where(Event.case_id == case.id).order_by(Event.id)))
        assert actions == ["submit", "request_correction", "resubmit"]
    assert decide(clerk_client, number, "accept").status_code == 302
    assert case_status(app, number) == "in_progress"


def test_a_correction_without_items_or_reasons_is_explained(app, client, login_as):
    number = apply_online(app, client, login_as)
    clerk_client = app.test_client()
    sign_in_as_clerk(app, clerk_client)
    assert decide(clerk_client, number, "correction", {}).status_code == 400
    with app.app_context():
        material = db.session.scalar(select(Case).where(Case.number == number)).service.materials[0]["code"]
    response = decide(clerk_client, number, "correction", {"item": f"material:{material}"})
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one(".error-summary") is not None
    assert case_status(app, number) == "submitted"


def test_refusing_intake_gives_the_reason_and_appeal_rights(app, client, login_as):
    number = apply_online(app, client, login_as)
    clerk_client = app.test_client()
    sign_in_as_clerk(app, clerk_client)
    response = decide(clerk_client, number, "refuse")
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one("#reason-error") is not None
    response = decide(clerk_client, number, "refuse", {"reason": "不属于本窗口\u202e受理范围"})
    assert response.status_code == 400 and case_status(app, number) == "submitted"
    assert "隐藏" in text_of(parse(response.get_data(as_text=True)), "#reason-error")
    response = decide(clerk_client, number, "refuse", {"reason": "不属于本窗口受理范围"})
    notice = clerk_client.page(response.headers["Location"])
    assert text_of(notice, "h1") == "不予受理通知书"
    assert "不属于本窗口受理范围" in notice.get_text() and "行政复议" in notice.get_text()
    assert case_status(app, number) == "refused_intake"


def test_accepting_with_materials_to_follow_names_them_and_a_date(app, client, login_as):
    number = apply_online(app, client, login_as)
    clerk_client = app.test_client()
    sign_in_as_clerk(app, clerk_client)
    with app.app_context():
        material = db.session.scalar(select(Case).where(Case.number == number)).service.materials[-1]["code"]
    response = decide(clerk_client, number, "accept-pending", {"pending": material, "follow_up_by": "2000-01-01"})
    assert response.status_code == 400
    today = local_date(wall_clock())  # the window checks the date against its own clock, in Shanghai
    too_late = (today + timedelta(days=60)).isoformat()
    response = decide(clerk_client, number, "accept-pending", {"pending": material, "follow_up_by": too_late})
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one("#follow_up_by-error") is not None
    later = (today + timedelta(days=1)).isoformat()
    response = decide(clerk_client, number, "accept-pending", {"pending": material, "follow_up_by": later})
    assert response.status_code == 302
    notice = clerk_client.page(response.headers["Location"])
    assert text_of(notice, "h1") == "容缺受理通知书" and later in notice.get_text()
    assert case_status(app, number) == "in_progress"


def test_a_second_decision_on_the_same_case_is_refused_cleanly(app, client, login_as):
    number = apply_online(app, client, login_as)
    first, second = app.test_client(), app.test_client()
    sign_in_as_clerk(app, first)
    sign_in_as_clerk(app, second)
    csrf_first = first.page(f"/counter/cases/{number}/decide").select_one("input[name=csrf_token]")["value"]
    csrf_second = second.page(f"/counter/cases/{number}/decide").select_one("input[name=csrf_token]")["value"]
    assert first.post(f"/counter/cases/{number}/accept", data={"csrf_token": csrf_first}).status_code == 302
    response = second.post(f"/counter/cases/{number}/refuse", data={"csrf_token": csrf_second, "reason": "x"})
    assert response.status_code == 302
    assert case_status(app, number) == "in_progress"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaseNotice)) == 1


def test_the_resident_withdraws_with_a_reason(app, client, login_as):
    number = apply_online(app, client, login_as)
    page = client.page(f"/cases/{number}")
    csrf = page.select_one(f"form[action='/cases/{number}/withdraw'] input[name=csrf_token]")["value"]
    client.post(f"/cases/{number}/withdraw", data={"csrf_token": csrf, "reason": ""})
    assert case_status(app, number) == "submitted"
    client.post(f"/cases/{number}/withdraw", data={"csrf_token": csrf, "reason": "不再需要"})
    assert case_status(app, number) == "withdrawn"
    assert "已撤回" in text_of(client.page("/resident/"), "table")


def test_another_residents_case_and_its_files_are_404(app, client, login_as):
    number = apply_online(app, client, login_as)
    with app.app_context():
        file_id = db.session.scalar(select(Case).where(Case.number == number)).files[0].id
    assert client.get(f"/cases/{number}/files/{file_id}").headers["Content-Disposition"].startswith("attachment")
    stranger = app.test_client()
    with app.app_context():
        other = create_user(db.session, "resident")
        db.session.commit()
        mobile = other.mobile
    stranger.submit("/login", {"login": mobile, "password": PASSWORD})
    for url in (f"/cases/{number}", f"/cases/{number}/receipt", f"/cases/{number}/files/{file_id}"):
        assert stranger.get(url).status_code == 404


def test_clerks_see_cases_their_county_acts_on_but_decide_only_their_own(app, client, login_as):
    number = apply_online(app, client, login_as)  # hukou in Yushan, received in Changshan: both involved
    yushan = app.test_client()
    sign_in_as_clerk(app, yushan, "yushan")
    assert yushan.get(f"/cases/{number}").status_code == 200
    assert yushan.get(f"/counter/cases/{number}/decide").status_code == 404
    officer = app.test_client()
    with app.app_context():
        username = create_user(db.session, "officer").username
        db.session.commit()
    officer.submit("/login", {"login": username, "password": PASSWORD})
    assert officer.get(f"/cases/{number}").status_code == 404  # no task for their agency yet


def test_downloads_are_attachments_and_not_sniffed(app, client, login_as):
    number = apply_online(app, client, login_as)
    with app.app_context():
        file_id = db.session.scalar(select(Case).where(Case.number == number)).files[0].id
    response = client.get(f"/cases/{number}/files/{file_id}")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF") or response.data[:3] in (b"\xff\xd8\xff", b"\x89PN")


def test_public_tracking_needs_the_matching_query_code_and_masks_the_name(app, client, login_as):
    number = apply_online(app, client, login_as, real_name="欧阳娜娜")
    with app.app_context():
        code = db.session.scalar(select(Case.query_code).where(Case.number == number))
    anonymous = app.test_client()
    wrong = "000000" if code != "000000" else "111111"
    response = anonymous.submit("/track", {"number": number, "code": wrong})
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one("#code-error") is not None
    response = anonymous.submit("/track", {"number": number.lower(), "code": code})
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    text = page.get_text()
    assert "欧***" in text and "欧阳娜娜" not in text
    assert "已接件" in text
    assert page.select_one(".timeline li") is not None


def test_a_second_correction_may_only_name_items_of_the_first(app, client, login_as):
    number = apply_online(app, client, login_as)
    resident_cookie = client.get_cookie("portal_session").value
    clerk_client = app.test_client()
    sign_in_as_clerk(app, clerk_client)
    with app.app_context():
        materials = [m["code"] for m in db.session.scalar(select(Case).where(Case.number == number)).service.materials]
    decide(clerk_client, number, "correction", {"item": f"material:{materials[0]}", f"reason-material:{materials[0]}": "不清晰"})
    client.set_cookie("portal_session", resident_cookie)
    csrf = client.page(f"/cases/{number}/correction").select_one("input[name=csrf_token]")["value"]
    slot = "material_" + materials[0].replace("-", "_")
    client.post(
        f"/cases/{number}/correction", data={"csrf_token": csrf, slot: upload(PDF, "again.pdf")}, content_type="multipart/form-data"
    )
    assert case_status(app, number) == "submitted"
    response = decide(clerk_client, number, "correction", {f"reason-material:{materials[1]}": "新的要求"})
    assert response.status_code == 400
    assert "一次" in text_of(parse(response.get_data(as_text=True)), ".error-summary")
    response = decide(clerk_client, number, "correction", {f"reason-material:{materials[0]}": "仍不清晰"})
    assert response.status_code == 302
    assert case_status(app, number) == "correction_requested"


def test_a_walk_in_with_an_accounts_id_but_another_name_is_stopped(app, client):
    with app.app_context():
        resident = create_user(db.session, "resident", real_name="李春花")
        db.session.commit()
        id_number = resident.id_number
    sign_in_as_clerk(app, client)
    data = application_data(app, applicant_id_number=id_number, applicant_name="张三", applicant_mobile="12", identity_checked="y")
    response, _ = post_form(client, data)
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert page.select_one("#applicant_name-error") is not None
    assert page.select_one("#applicant_mobile-error") is not None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_clerks_withdraw_only_walk_in_cases(app, client, login_as):
    number = apply_online(app, client, login_as)
    clerk_client = app.test_client()
    sign_in_as_clerk(app, clerk_client)
    page = clerk_client.page(f"/cases/{number}")
    assert page.select_one(f"form[action='/cases/{number}/withdraw']") is None
    csrf = page.select_one("input[name=csrf_token]")["value"]
    clerk_client.post(f"/cases/{number}/withdraw", data={"csrf_token": csrf, "reason": "代为撤回"})
    assert case_status(app, number) == "submitted"


def test_an_incomplete_draft_cannot_be_reviewed_or_submitted(app, client, login_as):
    login_as("resident")
    response, token = post_form(client, application_data(app, hukou_county=""))
    assert response.status_code == 400
    assert client.get(f"/apply/review/{token}").status_code == 302
    csrf = client.page(f"/apply/{SERVICE}").select_one("input[name=csrf_token]")["value"]
    client.post(f"/apply/submit/{token}", data={"csrf_token": csrf})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0
