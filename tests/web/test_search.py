"""The staff's case search page: the box on the desk, the queue and the
supervision page; results with masked personal data linking to the page
each member of staff works the case on; a message next to the box."""

from sqlalchemy import select

from portal.db import db
from portal.domain.tracking import tracking_token
from portal.models import Case, County
from tests.factories import create_case, create_task, create_user, valid_id_number
from tests.journeys import staff_sign_in
from tests.pages import parse, text_of


def add_case(app, **fields) -> dict:
    with app.app_context():
        case = create_case(db.session, **fields)
        db.session.commit()
        return {"number": case.number, "id_number": case.applicant_id_number, "mobile": case.applicant_mobile, "id": case.id}


def test_the_desk_the_queue_and_supervision_have_the_search_box_and_the_desk_focuses_it(app, client, login_as):
    login_as("clerk", window_county=County.changshan)
    box = client.page("/counter/").select_one("form[role=search]")
    assert box["action"] == "/search"
    assert box.select_one("input[name=q]").has_attr("autofocus")
    officer = app.test_client()
    with app.app_context():
        username = create_user(db.session, "officer", agency_code="cs-psb").username
        db.session.commit()
    staff_sign_in(app, officer, username)
    assert officer.page("/agency/").select_one("form[role=search] input[name=q]") is not None


def test_a_clerk_finds_a_case_by_name_and_sees_the_applicant_masked(app, client, login_as):
    case = add_case(app, applicant_name="欧阳娜娜", status="accepted", due_at=None)
    login_as("clerk", window_county=County.changshan)
    page = client.page("/search?q=阳娜")
    row = text_of(page, ".search-results tbody tr")
    assert case["number"] in row
    assert "欧***" in row
    assert case["id_number"][:3] + "*" * 11 + case["id_number"][-4:] in row
    assert case["mobile"][:3] + "****" + case["mobile"][-4:] in row
    assert "已受理" in row and "2026-11-02" in row
    html = str(page)
    assert case["id_number"] not in html and case["mobile"] not in html and "欧阳娜娜" not in row
    assert page.select_one(".search-results a")["href"] == f"/cases/{case['number']}"


def test_an_id_number_in_the_box_stays_out_of_the_page_it_finds(app, client, login_as):
    """The box is emptied after a search by ID or mobile number: the page
    would otherwise show the number in full."""
    first = add_case(app, applicant_name="张三")
    with app.app_context():
        create_case(db.session, applicant_name="张三", applicant_id_number=first["id_number"])
        db.session.commit()
    login_as("clerk", window_county=County.changshan)
    page = client.page(f"/search?q={first['id_number']}")
    assert len(page.select(".search-results tbody tr")) == 2
    assert first["id_number"] not in str(page)
    assert page.select_one("input[name=q]")["value"] == ""


def test_one_exact_hit_opens_the_case_and_the_receipts_qr_code_does_too(app, client, login_as):
    case = add_case(app)
    login_as("clerk", window_county=County.changshan)
    assert client.get(f"/search?q={case['number'].lower()}").headers["Location"] == f"/cases/{case['number']}"
    with app.app_context():
        token = tracking_token(db.session.get(Case, case["id"]), app.config["SECRET_KEY"])
    response = client.get("/search", query_string={"q": f"http://localhost/track/{token}"})
    assert response.headers["Location"] == f"/cases/{case['number']}"


def test_a_clerk_of_the_other_window_does_not_find_the_case(app, client, login_as):
    case = add_case(app, receiving_county="changshan")
    login_as("clerk", window_county=County.yushan)
    page = client.page(f"/search?q={case['number']}")
    assert "没有您可打开的办件与之相符" in page.get_text()
    assert case["number"] not in text_of(page, "main").replace(f'value="{case["number"]}"', "")
    assert not page.select(".search-results")


def test_an_officer_opens_their_agencys_task_from_the_results(app, client, login_as):
    with app.app_context():
        case = create_case(db.session, status="in_progress", applicant_name="钱二")
        done = create_task(db.session, case, "cs-psb", status="completed")
        task = create_task(db.session, case, "cs-psb", status="open", stage=2)
        create_task(db.session, case, "ys-psb")
        other = create_case(db.session, status="in_progress", applicant_name="钱二")
        create_task(db.session, other, "ys-psb")
        db.session.commit()
        number, task_id, done_id = case.number, task.id, done.id
    login_as("officer", agency_code="cs-psb")
    page = client.page("/search?q=钱二")
    rows = page.select(".search-results tbody tr")
    assert len(rows) == 1
    assert rows[0].select_one("a")["href"] == f"/agency/tasks/{task_id}" != f"/agency/tasks/{done_id}"
    assert client.get(f"/search?q={number}").headers["Location"] == f"/agency/tasks/{task_id}"


def test_an_empty_or_unreadable_search_says_so_next_to_the_box(app, client, login_as):
    login_as("supervisor")
    page = client.page("/search?q=+", status=400)
    assert "请输入办件编号" in text_of(page, "#q-error")
    assert page.select_one("#q")["aria-invalid"] == "true"
    assert "q-error" in page.select_one("#q")["aria-describedby"]
    assert "至少输入办件编号的前12位" in text_of(client.page("/search?q=KSCS2", status=400), "#q-error")
    assert "姓名至少输入2个字" in text_of(client.page("/search?q=张", status=400), "#q-error")
    client.get("/language/en")
    page = client.page("/search?q=KSCS2", status=400)
    assert "at least its first 12 characters" in text_of(page, "#q-error")
    assert "Find a case" in text_of(page, "h1")


def test_a_resident_has_no_search(app, client, login_as):
    login_as("resident")
    assert client.get("/search?q=张三").status_code == 403


def test_the_name_search_pages_through_the_newest_cases(app, client, login_as):
    with app.app_context():
        for _ in range(21):
            create_case(db.session, applicant_name="王小明")
        db.session.commit()
        newest = db.session.scalar(select(Case.number).order_by(Case.id.desc()).limit(1))
    login_as("clerk", window_county=County.changshan)
    first = client.page("/search?q=王小明")
    assert len(first.select(".search-results tbody tr")) == 20
    assert newest in text_of(first, ".search-results tbody tr")
    assert first.select_one(".pager button[name=page]")["value"] == "2"
    second = parse(client.submit("/search?q=王小明", {"q": "王小明", "page": "2"}, form_action="/search").get_data(as_text=True))
    assert len(second.select(".search-results tbody tr")) == 1
    assert "上一页" in text_of(second, ".pager")


def test_an_id_number_search_posts_and_pages_without_the_number_in_any_address(app, client, login_as):
    id_number = valid_id_number(serial=3)
    with app.app_context():
        for _ in range(21):
            create_case(db.session, applicant_id_number=id_number)
        db.session.commit()
    login_as("clerk", window_county=County.changshan)
    desk = client.page("/counter/")
    box = desk.select_one("form.case-search")
    assert box["method"] == "post" and box["action"] == "/search"
    answer = client.submit("/counter/", {"q": id_number}, form_action="/search")
    html = answer.get_data(as_text=True)
    first = parse(html)
    assert len(first.select(".search-results tbody tr")) == 20
    assert id_number not in html.replace(f'name="q" value="{id_number}"', "")  # only the pager's hidden field carries it
    assert all(id_number not in (link.get("href") or "") for link in first.select("a"))
    token = first.select_one(".pager input[name=csrf_token]")["value"]
    second = parse(client.post("/search", data={"csrf_token": token, "q": id_number, "page": "2"}).get_data(as_text=True))
    assert len(second.select(".search-results tbody tr")) == 1
