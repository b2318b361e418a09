"""常用语: administrators keep ready phrases per service and for all
services; the clerk's correction and refusal forms and the officer's
complete and refuse forms offer them, the service's own first."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.db import db
from portal.demo_cases.phrases import DEMO_PHRASES, load_demo_phrases
from portal.domain.phrases import PHRASE_LIMITS, PhraseText, add_phrase
from portal.models import Case, CaseNotice, Event, Phrase, PhraseUse, Service, Task
from tests.journeys import SERVICE, apply_online, decide, sign_in_as_clerk
from tests.pages import parse, text_of
from tests.web.test_agency import act, officer_client, task_id

ID_SCAN = "身份证复印件不清晰，请重新提交清晰的正反面扫描件。"
ID_SCAN_EN = "The scan of the ID card is illegible; please upload a clear scan of both sides."


def _add(app, use: PhraseUse, text_zh: str, text_en: str = "", service: str | None = None, position=None) -> int:
    with app.app_context():
        found = db.session.scalar(select(Service).where(Service.code == service)) if service else None
        phrase = add_phrase(db.session, PhraseText(use=use, service=found, text_zh=text_zh, text_en=text_en, position=position))
        db.session.commit()
        return phrase.id


def _phrases(app) -> list[tuple]:
    with app.app_context():
        return [
            (p.use.value, p.service.code if p.service else None, p.text_zh, p.text_en, p.retired)
            for p in db.session.scalars(select(Phrase).order_by(Phrase.position, Phrase.id))
        ]


def _options(page, picker_id: str) -> list[str]:
    return [o["value"] for o in page.select(f"#{picker_id} option") if o["value"]]


# -- administration ----------------------------------------------------------------------------------


def test_an_admin_adds_a_phrase_for_a_service_and_one_for_all_services(app, client, login_as):
    login_as("admin")
    response = client.submit(
        "/admin/phrases?use=correction&service=" + SERVICE,
        {"use": "correction", "service": SERVICE, "text_zh": ID_SCAN, "text_en": ID_SCAN_EN, "position": ""},
        form_action="/admin/phrases",
    )
    assert response.status_code == 302
    client.submit(
        "/admin/phrases", {"use": "correction", "service": "", "text_zh": "材料未加盖公章。", "text_en": "", "position": ""},
        form_action="/admin/phrases",
    )
    assert _phrases(app) == [
        ("correction", SERVICE, ID_SCAN, ID_SCAN_EN, False),
        ("correction", None, "材料未加盖公章。", "", False),
    ]
    page = client.page(response.headers["Location"])
    table = text_of(page, ".phrase-list")
    assert ID_SCAN in table and ID_SCAN_EN in table and "材料未加盖公章" not in table
    assert "材料未加盖公章。" in text_of(client.page("/admin/phrases?use=correction"), ".phrase-list")


def test_a_phrase_longer_than_the_box_it_fills_is_explained_next_to_the_field_and_not_saved(app, client, login_as):
    login_as("admin")
    too_long = "请" * (PHRASE_LIMITS[PhraseUse.correction] + 1)
    response = client.submit(
        "/admin/phrases", {"use": "correction", "service": "", "text_zh": too_long, "text_en": "", "position": ""},
        form_action="/admin/phrases",
    )
    assert response.status_code == 400
    message = text_of(parse(response.get_data(as_text=True)), "#text_zh-error")
    assert "最多500个字" in message and "501" in message
    assert _phrases(app) == []
    # The same text fits an officer's opinion, whose box takes 1000 characters.
    response = client.submit(
        "/admin/phrases", {"use": "task_opinion", "service": "", "text_zh": too_long, "text_en": "", "position": ""},
        form_action="/admin/phrases",
    )
    assert response.status_code == 302 and len(_phrases(app)) == 1


def test_an_empty_phrase_or_one_with_hidden_characters_is_refused(app, client, login_as):
    login_as("admin")
    response = client.submit(
        "/admin/phrases", {"use": "intake_refusal", "service": "", "text_zh": "  ", "text_en": "", "position": ""},
        form_action="/admin/phrases",
    )
    assert response.status_code == 400
    assert "中文或英文" in text_of(parse(response.get_data(as_text=True)), "#text_zh-error")
    response = client.submit(
        "/admin/phrases",
        {"use": "intake_refusal", "service": "", "text_zh": "不属于", "text_en": "Outside\u202e the window", "position": ""},
        form_action="/admin/phrases",
    )
    assert response.status_code == 400
    assert "隐藏" in text_of(parse(response.get_data(as_text=True)), "#text_en-error")
    assert _phrases(app) == []


def test_an_admin_edits_reorders_and_retires_a_phrase(app, client, login_as):
    first = _add(app, PhraseUse.task_opinion, "同意办理。")
    second = _add(app, PhraseUse.task_opinion, "准予办理。")
    login_as("admin")
    response = client.submit(
        f"/admin/phrases/{first}",
        {"use": "task_opinion", "service": "", "text_zh": "经审查，同意办理。", "text_en": "Reviewed: approved.", "position": "5"},
        form_action=f"/admin/phrases/{first}",
    )
    assert response.status_code == 302
    assert [p[2] for p in _phrases(app)] == ["经审查，同意办理。", "准予办理。"]
    client.submit("/admin/phrases?use=task_opinion", {}, form_action=f"/admin/phrases/{second}/up")
    assert [p[2] for p in _phrases(app)] == ["准予办理。", "经审查，同意办理。"]
    client.submit(f"/admin/phrases/{second}", {}, form_action=f"/admin/phrases/{second}/retire")
    assert _phrases(app)[0][4] is True
    page = client.page("/admin/phrases?use=task_opinion")
    assert "已停用" in text_of(page, ".phrase-list")
    client.submit(f"/admin/phrases/{second}", {}, form_action=f"/admin/phrases/{second}/restore")
    assert _phrases(app)[0][4] is False


def test_an_edit_too_long_for_its_new_use_keeps_the_old_text(app, client, login_as):
    phrase = _add(app, PhraseUse.task_refusal, "不予许可。")
    login_as("admin")
    response = client.submit(
        f"/admin/phrases/{phrase}",
        {"use": "correction", "service": "", "text_zh": "请" * 600, "text_en": "", "position": ""},
        form_action=f"/admin/phrases/{phrase}",
    )
    assert response.status_code == 400
    assert text_of(parse(response.get_data(as_text=True)), "#text_zh-error")
    assert _phrases(app) == [("task_refusal", None, "不予许可。", "", False)]


def test_only_admins_reach_the_phrase_pages(app, client, login_as):
    login_as("clerk")
    assert client.get("/admin/phrases").status_code in (403, 404)


# -- the staff forms -----------------------------------------------------------------------------------


def test_the_correction_form_offers_the_services_phrases_first_then_those_for_all(app, client, login_as):
    number = apply_online(app, client, login_as)
    _add(app, PhraseUse.correction, "材料未加盖公章。")
    _add(app, PhraseUse.correction, ID_SCAN, ID_SCAN_EN, service=SERVICE)
    _add(app, PhraseUse.correction, "经营范围请规范填写。", service="amr-biz-register")
    retired = _add(app, PhraseUse.correction, "已停用的常用语。")
    _add(app, PhraseUse.intake_refusal, "不属于本窗口受理范围。")
    with app.app_context():
        db.session.get(Phrase, retired).retired = True
        db.session.commit()
        material = db.session.scalar(select(Case).where(Case.number == number)).service.materials[0]["code"]
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    page = clerk.page(f"/counter/cases/{number}/decide")
    assert _options(page, f"reason-material-{material}-phrase") == [ID_SCAN, "材料未加盖公章。"]
    assert [g["label"] for g in page.select(f"#reason-material-{material}-phrase optgroup")] == ["本事项", "所有事项通用"]
    assert _options(page, "reason-phrase") == ["不属于本窗口受理范围。"]


def test_a_phrase_picked_without_the_script_is_the_reason_and_an_edited_one_wins(app, client, login_as):
    number = apply_online(app, client, login_as)
    _add(app, PhraseUse.correction, ID_SCAN, ID_SCAN_EN)
    with app.app_context():
        service = db.session.scalar(select(Case).where(Case.number == number)).service
        material, field = service.materials[0]["code"], service.fields[0]["name"]
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    response = decide(clerk, number, "correction", {
        # Chosen beside an empty box, item not ticked: the phrase is the reason.
        f"reason-material:{material}": "",
        f"reason-material:{material}-phrase": ID_SCAN,
        # Put into the box by the script and edited there: the edited text is kept.
        "item": f"field:{field}",
        f"reason-field:{field}": ID_SCAN.replace("身份证", "户口簿"),
    })
    assert response.status_code == 302
    with app.app_context():
        items = {i["key"]: i["reason"] for i in db.session.scalar(select(CaseNotice.items))}
    assert items == {material: ID_SCAN, field: ID_SCAN.replace("身份证", "户口簿")}


def test_a_picked_refusal_phrase_fills_an_empty_reason(app, client, login_as):
    number = apply_online(app, client, login_as)
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    response = decide(clerk, number, "refuse", {"reason": "", "reason-phrase": "申请事项不属于本窗口受理范围。"})
    notice = clerk.page(response.headers["Location"])
    assert "申请事项不属于本窗口受理范围。" in notice.get_text()


def test_the_english_interface_offers_english_phrases_falling_back_to_chinese(app, client, login_as):
    number = apply_online(app, client, login_as)
    _add(app, PhraseUse.intake_refusal, "不属于本窗口受理范围。", "Outside what this window accepts.")
    _add(app, PhraseUse.intake_refusal, "申请人不具备主体资格。")
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    clerk.get("/language/en")
    page = clerk.page(f"/counter/cases/{number}/decide")
    assert _options(page, "reason-phrase") == ["Outside what this window accepts.", "申请人不具备主体资格。"]
    assert text_of(page, "label[for=reason-phrase]") == "Phrases"


def test_an_officer_picks_an_opinion_and_a_refusal_reason(app, client, login_as):
    number = apply_online(app, client, login_as)
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    decide(clerk, number, "accept")
    _add(app, PhraseUse.task_opinion, "经审查，申请材料齐全，同意办理。")
    _add(app, PhraseUse.task_opinion, "经核查，无犯罪记录。", service=SERVICE)
    _add(app, PhraseUse.task_refusal, "申请不符合法定条件，依法不予许可。")
    officer = officer_client(app)
    tid = task_id(app, number)
    act(officer, tid, "claim")
    page = officer.page(f"/agency/tasks/{tid}")
    assert _options(page, "opinion-phrase") == ["经核查，无犯罪记录。", "经审查，申请材料齐全，同意办理。"]
    assert _options(page, "reason-phrase") == ["申请不符合法定条件，依法不予许可。"]
    assert act(officer, tid, "complete", {"opinion": "", "opinion-phrase": "经核查，无犯罪记录。"}).status_code == 302
    with app.app_context():
        assert db.session.get(Task, tid).opinion == "经核查，无犯罪记录。"


# -- demo setup ----------------------------------------------------------------------------------------


def test_the_demo_phrases_fit_their_boxes_and_load_once(session):
    assert all(len(zh) <= PHRASE_LIMITS[use] and len(en) <= PHRASE_LIMITS[use] for use, _code, zh, en in DEMO_PHRASES)
    assert load_demo_phrases(session) == len(DEMO_PHRASES)
    assert load_demo_phrases(session) == 0
    assert session.scalar(select(func.count(Phrase.id))) == len(DEMO_PHRASES)
    assert {use for use, *_ in DEMO_PHRASES} == set(PhraseUse)


def test_an_officers_picked_refusal_reason_reaches_the_decision(app, client, login_as):
    number = apply_online(app, client, login_as)
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    decide(clerk, number, "accept")
    officer = officer_client(app)
    tid = task_id(app, number)
    act(officer, tid, "claim")
    reason = "申请不符合法定条件，依法不予许可。"
    assert act(officer, tid, "refuse", {"reason": "", "reason-phrase": reason, "confirm": "y"}).status_code == 302
    with app.app_context():
        case_id = db.session.get(Task, tid).case_id
        notes = db.session.scalars(select(Event.note).where(Event.case_id == case_id, Event.action == "refuse"))
        assert reason in list(notes)
