"""A resident applies online: form, review, submit exactly once, receipt."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.models import ApplicationDraft, Case, CaseFile, CaseInvolvement, Event
from tests.factories import PASSWORD
from tests.journeys import SERVICE, application_data, post_form, submit
from tests.pages import parse, text_of
from tests.uploads import NOT_A_PDF, PDF, PNG, upload


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_resident_applies_reviews_and_submits_once_getting_a_receipt(app, client, login_as):
    login_as("resident")
    response, token = post_form(client, application_data(app))
    assert response.status_code == 302 and response.headers["Location"] == f"/apply/review/{token}"
    review = client.page(f"/apply/review/{token}")
    assert "测试内容" in review.get_text() or review.select_one("dl.facts")
    assert count(app, Case) == 0

    response = submit(client, token)
    assert response.status_code == 302
    number = response.headers["Location"].split("/")[2]
    assert number.startswith("KSCS") and len(number) == 16
    receipt = client.page(f"/cases/{number}/receipt")
    assert number in text_of(receipt, ".document")
    code = receipt.select(".big")[1]
    assert len(code.get_text(strip=True)) == 6
    assert receipt.select_one("figure.qr svg") is not None

    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.status.value == "submitted" and case.channel.value == "online"
        assert {i.county.value for i in db.session.scalars(select(CaseInvolvement))} == {"changshan", "yushan"}
        assert db.session.scalar(select(Event.action).where(Event.case_id == case.id)) == "submit"
        assert db.session.scalar(select(func.count()).select_from(CaseFile).where(CaseFile.case_id == case.id)) >= 2
    assert count(app, ApplicationDraft) == 0


def test_submitting_the_same_form_twice_creates_one_case(app, client, login_as):
    login_as("resident")
    _, token = post_form(client, application_data(app))
    csrf = client.page(f"/apply/review/{token}").select_one("form[action^='/apply/submit'] input[name=csrf_token]")["value"]
    first = client.post(f"/apply/submit/{token}", data={"csrf_token": csrf})
    second = client.post(f"/apply/submit/{token}", data={"csrf_token": csrf})
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, Case) == 1
    # Re-posting the first step with the used token leads to the receipt, not a new draft.
    again = client.post(
        f"/apply/{SERVICE}", data={**application_data(app), "csrf_token": csrf, "token": token},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302 and again.headers["Location"].endswith("/receipt")
    assert count(app, Case) == 1 and count(app, ApplicationDraft) == 0


@pytest.mark.parametrize(
    "content, name, message",
    [
        (NOT_A_PDF, "renamed.pdf", "不是真正的"),
        (b"", "empty.pdf", "为空"),
        (PNG, "sub/dir.png", "不允许"),
        (PDF, "bad\x07name.pdf", "不允许"),
    ],
)
def test_a_rejected_file_is_explained_next_to_its_slot_and_the_rest_is_kept(app, client, login_as, content, name, message):
    login_as("resident")
    data = application_data(app)
    slot = next(k for k in data if k.startswith("material_"))
    data[slot] = upload(content, name)
    response, token = post_form(client, data)
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert message in text_of(page, f"#{slot}-error")
    assert page.select_one(f".error-summary a[href='#{slot}']") is not None
    assert page.select_one("input[name=token]")["value"] == token
    assert page.select_one("#hukou_county option[selected]")["value"] == "yushan"
    # The valid files were kept with the draft: fixing the bad slot alone is enough.
    kept = page.select(".uploaded")
    assert len(kept) >= 1
    assert count(app, Case) == 0


def test_a_file_of_the_wrong_type_for_its_slot_is_refused(app, client, login_as):
    login_as("resident")
    data = application_data(app, "psb-rp-apply")
    data["material_photo"] = upload(PDF, "photo.pdf")
    response, _ = post_form(client, data, "psb-rp-apply")
    assert response.status_code == 400
    assert "JPEG" in text_of(parse(response.get_data(as_text=True)), "#material_photo-error")


def test_an_oversized_file_is_refused_and_nothing_is_left_on_disk(app, client, login_as):
    app.config["PORTAL_MAX_UPLOAD_BYTES"] = 1024
    login_as("resident")
    data = application_data(app)
    slot = next(k for k in data if k.startswith("material_"))
    data[slot] = upload(PDF[:-6] + b"x" * 2048 + b"%%EOF\n", "big.pdf")
    response, _ = post_form(client, data)
    assert response.status_code == 400
    assert "MB" in text_of(parse(response.get_data(as_text=True)), f"#{slot}-error")
    stored = {f.name for f in Path(app.config["PORTAL_UPLOAD_FOLDER"]).rglob("*") if f.is_file()}
    with app.app_context():
        recorded = set(db.session.scalars(select(CaseFile.stored_name)))
    assert stored >= recorded


def test_missing_required_fields_and_materials_are_each_explained(app, client, login_as):
    login_as("resident")
    response, _ = post_form(client, {"receiving_county": "changshan"})
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    linked = {a["href"] for a in page.select(".error-summary a")}
    assert "#hukou_county" in linked and "#residence_county" in linked
    assert any(h.startswith("#material_") for h in linked)
    assert any(h.startswith("#field_") for h in linked)


def test_elsewhere_needs_a_province(app, client, login_as):
    login_as("resident")
    response, _ = post_form(client, application_data(app, hukou_county="elsewhere", hukou_province=""))
    assert response.status_code == 400
    assert text_of(parse(response.get_data(as_text=True)), "#hukou_province-error")
    response, token = post_form(client, application_data(app, hukou_county="elsewhere", hukou_province="安徽省"))
    assert response.status_code == 302


def test_a_failed_database_write_leaves_no_orphan_files(app, client, login_as, monkeypatch):
    login_as("resident")
    from portal.web.apply import views

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    before = {f for f in Path(app.config["PORTAL_UPLOAD_FOLDER"]).rglob("*") if f.is_file()}
    monkeypatch.setattr(views, "save_draft", broken)
    response, _ = post_form(client, application_data(app))
    assert response.status_code == 500
    after = {f for f in Path(app.config["PORTAL_UPLOAD_FOLDER"]).rglob("*") if f.is_file()}
    assert after == before
    assert count(app, ApplicationDraft) == 0


def test_staff_other_than_clerks_cannot_apply(client, login_as):
    login_as("officer")
    assert client.get(f"/apply/{SERVICE}").status_code == 403


def test_abandoned_drafts_and_their_files_are_swept(app, client, login_as, runner):
    from datetime import timedelta

    from tests.factories import wall_clock

    login_as("resident")
    data = application_data(app)
    data["hukou_county"] = ""  # an error: the draft keeps its valid files
    response, token = post_form(client, data)
    assert response.status_code == 400
    with app.app_context():
        draft = db.session.scalar(select(ApplicationDraft))
        paths = [Path(app.config["PORTAL_UPLOAD_FOLDER"]) / f.stored_name[:2] / f.stored_name for f in draft.files]
        assert paths and all(p.exists() for p in paths)
        draft.updated_at = wall_clock() - timedelta(days=31)  # the sweep counts back from the real time
        db.session.commit()
    assert "Drafts removed: 0" in runner.invoke(args=["drafts", "sweep", "--days", "40"]).output
    result = runner.invoke(args=["drafts", "sweep", "--days", "30"])
    assert f"Drafts removed: 1; files removed: {len(paths)}" in result.output
    assert not any(p.exists() for p in paths)
    assert count(app, CaseFile) == 0


def test_a_household_transfer_must_be_filed_at_the_window_moved_into(app, client, login_as):
    login_as("resident")
    wrong = application_data(app, "psb-hukou-move", receiving_county="changshan", hukou_county="changshan")
    response, _ = post_form(client, wrong, "psb-hukou-move")
    assert response.status_code == 400
    assert "迁入" in text_of(parse(response.get_data(as_text=True)), "#hukou_county-error")
    right = application_data(app, "psb-hukou-move", receiving_county="changshan", hukou_county="yushan")
    response, _ = post_form(client, right, "psb-hukou-move")
    assert response.status_code == 302


def test_a_date_of_something_that_happened_cannot_be_in_the_future(app, client, login_as):
    login_as("resident")
    data = application_data(app, "psb-rp-apply", field_residence_since="2030-01-01")
    response, _ = post_form(client, data, "psb-rp-apply")
    assert response.status_code == 400
    assert "今天" in text_of(parse(response.get_data(as_text=True)), "#field_residence_since-error")


def test_a_residents_household_registration_is_prefilled_from_their_id_numbers_region(app, client, login_as):
    login_as("resident", id_number=factories_id("361123"))
    form = client.page("/apply/psb-no-record")
    assert form.select_one("#hukou_county option[selected]")["value"] == "yushan"
    login_elsewhere = app.test_client()
    with app.app_context():
        from tests.factories import create_user

        other = create_user(db.session, "resident", id_number=factories_id("110101"))
        db.session.commit()
        mobile = other.mobile
    login_elsewhere.submit("/login", {"login": mobile, "password": PASSWORD})
    chosen = login_elsewhere.page("/apply/psb-no-record").select_one("#hukou_county option[selected]")
    assert chosen is None or chosen["value"] == ""  # Beijing: not ours, nothing guessed


def factories_id(region: str) -> str:
    from tests.factories import valid_id_number

    return valid_id_number(region, "19900101")
