"""The catalog and a service's one-time notice are rendered once per
catalog stamp and language: a second visitor's page costs one single-row
read, a catalog change shows at the next request, and what depends on the
visitor (the apply button) is never shared."""

from sqlalchemy import select

from portal.db import db
from portal.models import Service
from tests.pages import parse, text_of


def test_a_second_visitor_to_the_catalog_costs_one_statement(client, count_statements):
    first = client.page("/services")
    with count_statements() as counted:
        again = client.page("/services")
    assert counted[0] == 1  # the catalog's stamp
    assert len(again.select("table tbody tr")) == len(first.select("table tbody tr")) == 23


def test_each_filter_and_each_language_is_its_own_page(client):
    assert len(client.page("/services?mode=online").select("table tbody tr")) < 23
    assert len(client.page("/services").select("table tbody tr")) == 23
    chinese = text_of(client.page("/services"), "table")
    client.get("/language/en")
    english = text_of(client.page("/services"), "table")
    assert "户口跨省迁移" in chinese and "户口跨省迁移" not in english


def test_a_catalog_change_shows_at_the_next_request(app, client):
    assert "户口跨省迁移" in text_of(client.page("/services"), "table")
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "psb-hukou-move"))
        service.name_zh = "户口迁移（跨省）"
        db.session.commit()
    assert "户口迁移（跨省）" in text_of(client.page("/services"), "table")
    assert text_of(client.page("/services/psb-hukou-move"), "h1") == "户口迁移（跨省）"


def test_the_apply_button_is_the_visitors_own_after_the_notice_was_kept(app, client, login_as):
    anonymous = client.page("/services/psb-no-record")
    assert "登录后在线申请" in text_of(anonymous, "#apply-title + p")
    login_as("resident")
    signed_in = client.page("/services/psb-no-record")
    assert text_of(signed_in, "#apply-title + p") == "在线申请"
    assert text_of(signed_in, "#materials-title") == text_of(anonymous, "#materials-title")


def test_a_browser_that_has_the_page_gets_304(client):
    response = client.get("/services")
    etag = response.headers["ETag"]
    assert response.headers["Cache-Control"] == "private, no-cache"
    again = client.get("/services", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get("/services/psb-no-record", headers={"If-None-Match": etag}).status_code == 200
    page = parse(client.get("/services/psb-no-record").get_data(as_text=True))
    assert page.select_one("h1")


def test_a_second_anonymous_visitor_to_a_service_page_costs_one_statement(client, count_statements):
    first = client.get("/services/psb-no-record").get_data(as_text=True)
    with count_statements() as counted:
        again = client.get("/services/psb-no-record").get_data(as_text=True)
    assert counted[0] == 1  # the catalog's stamp: the whole page was kept
    assert again == first


def test_a_signed_in_visitor_never_gets_the_page_kept_for_anonymous_ones(app, client, login_as):
    assert "登录" in text_of(client.page("/services"), ".main-nav")
    login_as("resident")
    header = text_of(client.page("/services"), ".main-nav")
    assert "我的办件" in header and "退出" in header
    assert "我的办件" in text_of(client.page("/services/psb-no-record"), ".main-nav")


def test_a_message_waiting_for_an_anonymous_visitor_is_shown_on_a_kept_page(app, client, login_as):
    client.page("/services")  # kept for anonymous visitors
    login_as("resident")
    signed_out = client.submit("/resident/", {}, form_action="/logout")
    assert signed_out.status_code == 302
    page = client.page("/services")
    assert "您已退出登录" in text_of(page, "main")
    assert "您已退出登录" not in text_of(client.page("/services"), "main")  # shown once


def test_an_unknown_service_is_not_found_however_often_it_is_asked(client):
    assert client.get("/services/no-such-service").status_code == 404
    assert client.get("/services/no-such-service").status_code == 404
