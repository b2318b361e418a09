"""The permit page, verification at either window and by API, and the
permit standing in for an upload in a later application (免提交)."""

import pytest
from sqlalchemy import select

from portal.db import db
from portal.models import Case, User
from portal.models.enums import County
from tests.journeys import application_data, post_form
from tests.pages import text_of
from tests.permit_data import issued_permit


@pytest.fixture
def holder(app, client, login_as):
    """A signed-in resident holding a permit issued today by Changshan."""
    user_id = login_as("resident", real_name="王小明")
    from portal.domain.clock import local_date
    from tests.factories import wall_clock

    with app.app_context():
        user = db.session.get(User, user_id)
        # Today by the real clock: the permit pages tell validity by their own.
        permit = issued_permit(db.session, user, day=local_date(wall_clock()).isoformat())
        from portal.domain.permits import verification_code

        return {"number": permit.number, "code": verification_code(permit.number, app.config["SECRET_KEY"]), "user_id": user_id}


def test_the_holder_sees_and_can_print_their_permit(client, holder):
    page = client.page(f"/permits/{holder['number']}")
    assert text_of(page, "h1") == "电子居住证"
    assert holder["number"] in page.get_text() and holder["code"] in text_of(page, ".qr")
    assert page.select_one(".qr svg") is not None and page.select_one("[data-print]") is not None
    assert text_of(page, ".permit-state") == "有效"
    resident_home = client.page("/resident/")
    assert resident_home.select_one(f"a[href='/permits/{holder['number']}']") is not None


def test_nobody_else_opens_a_permit_page(client, login_as, holder):
    client.post("/logout", data={})
    login_as("resident")
    assert client.get(f"/permits/{holder['number']}").status_code == 404
    assert client.get(f"/permits/{holder['number']}/photo").status_code == 404


def test_a_yushan_clerk_verifies_a_changshan_permit_by_scanning_and_the_holder_sees_it(app, client, login_as, holder):
    from tests.pages import PageClient

    other = app.test_client()
    assert isinstance(other, PageClient)
    with app.app_context():
        from tests.factories import PASSWORD, create_user

        clerk = create_user(db.session, "clerk", window_county=County.yushan)
        db.session.commit()
        username = clerk.username
    other.submit("/login", {"login": username, "password": PASSWORD})
    response = other.submit("/permits/verify", {"scan": f"KSRP1|{holder['number']}|{holder['code']}", "number": "", "code": ""})
    assert response.status_code == 200
    from tests.pages import parse

    page = parse(response.get_data(as_text=True))
    assert text_of(page, ".verification h2") == "有效"
    # Ready for the next card: one line (a scanner's Enter sends it), empty, focused.
    box = page.select_one("input[name=scan]")
    assert box["type"] == "text" and box.get("value", "") == "" and box.has_attr("autofocus")
    assert page.select_one("textarea") is None
    assert "常山县" in text_of(page, ".verification") and "王*明" in text_of(page, ".verification")
    forged = parse(other.submit("/permits/verify", {"scan": "", "number": holder["number"], "code": "ABCDEFGHIJ"}).get_data(as_text=True))
    assert text_of(forged, ".verification h2").startswith("无法核验")
    assert "王" not in text_of(forged, ".verification")
    empty = other.submit("/permits/verify", {"scan": "", "number": "", "code": ""})
    assert empty.status_code == 400
    refused = parse(empty.get_data(as_text=True))
    assert refused.select_one("#number-error") is not None
    assert not refused.select_one("input[name=scan]").has_attr("autofocus")  # the error summary takes the focus
    # The holder sees who checked, from which county.
    checks = client.page(f"/permits/{holder['number']}").select("section[aria-labelledby=checks-title] tbody tr")
    assert [td.get_text(strip=True) for td in checks[-1].select("td")][1:] == ["玉山窗口", "江西省玉山县", "有效"]
    # ... in the holder's own language, whatever the clerk's was; a partner system's check names no address.
    client.get(f"/api/v1/permits/{holder['number']}/verification?code={holder['code']}")
    client.get("/language/en")
    checks = client.page(f"/permits/{holder['number']}").select("section[aria-labelledby=checks-title] tbody tr")
    units = [row.select("td")[1].get_text(strip=True) for row in checks]
    assert "Yushan window" in units and "A partner system" in units
    assert not any("玉山" in unit or "127.0.0.1" in unit for unit in units)


def test_residents_may_not_use_the_verification_page(client, login_as):
    login_as("resident")
    assert client.get("/permits/verify").status_code == 403


def test_partner_systems_verify_by_api(client, holder):
    ok = client.get(f"/api/v1/permits/{holder['number']}/verification?code={holder['code']}")
    assert ok.status_code == 200
    assert ok.get_json() == {"number": holder["number"], "result": "valid", "issuing_county": "changshan", "holder": "王*明"}
    forged = client.get(f"/api/v1/permits/{holder['number']}/verification?code=XXXXXXXXXX").get_json()
    assert forged == {"number": holder["number"], "result": "unknown", "issuing_county": None, "holder": None}
    missing = client.get(f"/api/v1/permits/{holder['number']}/verification")
    assert missing.status_code == 400 and missing.content_type == "application/problem+json"
    assert missing.get_json()["type"] == "/api/v1/problems/permit-code-missing"


def test_an_endorsement_application_takes_the_permit_from_the_electronic_licence(app, client, holder):
    form = client.page("/apply/psb-rp-endorse")
    assert holder["number"] in text_of(form, ".licence")
    assert form.select_one("input[name=material_residence_permit]") is None
    data = application_data(app, "psb-rp-endorse", field_permit_number=holder["number"])
    del data["material_residence_permit"]
    response, token = post_form(client, data, "psb-rp-endorse")
    # Issued today, the permit is not yet due for endorsement: told next to the field.
    assert response.status_code == 400
    from tests.pages import parse

    page = parse(response.get_data(as_text=True))
    assert "第十三条" in text_of(page, "#field_permit_number-error")
    assert page.select_one("#material_residence_permit-error") is None


def test_the_licence_is_recorded_on_the_case_and_shown_as_verified(app, client, holder):
    with app.app_context():
        from portal.models import ResidencePermit

        permit = db.session.scalar(select(ResidencePermit).where(ResidencePermit.number == holder["number"]))
        from dateutil.relativedelta import relativedelta

        permit.endorsed_until = permit.issued_on + relativedelta(days=10)  # within the endorsement month
        db.session.commit()
    data = application_data(app, "psb-rp-endorse", field_permit_number=holder["number"])
    del data["material_residence_permit"]
    response, token = post_form(client, data, "psb-rp-endorse")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    review = client.page(f"/apply/review/{token}")
    assert "电子证照" in review.get_text() and review.select_one("button[disabled]") is None
    client.submit(f"/apply/review/{token}", {}, form_action=f"/apply/submit/{token}")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.idempotency_key == token))
        assert case.form_data["licences"] == {"residence-permit": holder["number"]}
        number = case.number
    page = client.page(f"/cases/{number}")
    assert "电子证照，已核验" in page.get_text()


def test_verification_by_api_is_limited_to_120_a_minute_per_address(client):
    answers = [client.get("/api/v1/permits/33082226000001/verification?code=AAAAAAAAAA").status_code for _ in range(121)]
    assert answers[:120] == [200] * 120
    assert answers[120] == 429
    last = client.get("/api/v1/permits/33082226000001/verification?code=AAAAAAAAAA")
    assert last.content_type == "application/problem+json"
    assert last.get_json()["type"] == "/api/v1/problems/too-many-requests"
