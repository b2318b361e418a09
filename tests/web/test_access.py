"""Every staff and resident page needs the right role."""

import pytest

from tests.pages import text_of

ROLE_PAGES = {
    "/resident/": "resident",
    "/counter/": "clerk",
    "/agency/": "officer",
    "/supervisor/": "supervisor",
    "/admin/": "admin",
}


@pytest.mark.parametrize("url", [*ROLE_PAGES, "/profile", "/me"])
def test_pages_behind_sign_in_send_anonymous_visitors_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("url, role", ROLE_PAGES.items())
def test_another_role_gets_403(client, login_as, url, role):
    other = "resident" if role != "resident" else "clerk"
    login_as(other)
    page = client.page(url, status=403)
    assert "403" in page.get_text()


@pytest.mark.parametrize("url, role", ROLE_PAGES.items())
def test_each_role_lands_on_its_own_page_from_me(client, login_as, url, role):
    login_as(role)
    response = client.get("/me")
    assert response.headers["Location"] == url
    client.page(url)


def test_a_clerk_sees_their_window_and_the_agencies_on_both_sides(client, login_as):
    from portal.models import County

    login_as("clerk", window_county=County.yushan)
    page = client.page("/counter/")
    assert text_of(page, "h1") == "玉山窗口"
    assert "玉山县公安局" in text_of(page, "section.card:first-of-type")
    assert "常山县公安局" in page.get_text()
    assert page.select_one("#desk-title ~ .empty") is not None
    assert page.select_one("a[href='/counter/intake']") is not None


def test_an_officer_sees_their_agency_and_the_services_it_acts_on(client, login_as):
    login_as("officer", agency_code="ys-eme")
    page = client.page("/agency/")
    assert text_of(page, "h1") == "玉山县应急管理局"
    codes = [a["href"].rsplit("/", 1)[-1] for a in page.select("table tbody a")]
    assert codes == ["drc-joint-project", "eme-fireworks", "eme-hazchem", "eme-plan-filing"] or set(codes) == {
        "eme-fireworks", "eme-hazchem", "eme-plan-filing", "drc-joint-project",
    }


def test_the_admin_page_lists_staff_and_warns_about_demo_accounts(app, client, login_as, runner):
    runner.invoke(args=["demo", "load"])
    login_as("admin", username="root")
    page = client.page("/admin/")
    usernames = [row.select("td")[0].get_text(" ", strip=True) for row in page.select("#staff-title ~ .table-scroll tbody tr")]
    assert any(u.startswith("root") for u in usernames)
    assert any(u.startswith("clerk.cs") for u in usernames)
    assert page.select_one(".notice-warning") is not None
