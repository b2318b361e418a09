import pytest


@pytest.mark.parametrize("url", ["/", "/login", "/services/psb-rp-apply", "/api/v1/services", "/nowhere"])
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_httponly_and_samesite(client):
    client.get("/language/en")
    cookie = client.get_cookie("portal_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_an_unexpected_error_shows_a_generic_page_and_is_rolled_back(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret detail" not in body and "Traceback" not in body
    assert "500" in body


@pytest.mark.parametrize("status, url, method", [(404, "/nowhere", "get"), (405, "/logout", "get")])
def test_error_pages_come_in_both_languages(client, status, url, method):
    chinese = getattr(client, method)(url)
    client.get("/language/en")
    english = getattr(client, method)(url)
    assert chinese.status_code == english.status_code == status
    assert chinese.get_data(as_text=True) != english.get_data(as_text=True)
    assert 'lang="en"' in english.get_data(as_text=True)


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example:80"])
def test_a_request_naming_a_host_the_portal_does_not_serve_is_refused(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 400
    assert client.get("/services", headers={"Host": "localhost"}).status_code == 200


def test_the_receipt_gives_the_configured_address_whatever_host_the_request_named(app, client, login_as):
    from tests.journeys import apply_online

    kept = app.config["PORTAL_BASE_URL"], app.config["TRUSTED_HOSTS"]
    app.config["PORTAL_BASE_URL"] = "https://ksbt.example.gov.cn"
    app.config["TRUSTED_HOSTS"] = ["ksbt.example.gov.cn", "localhost", "portal.internal"]
    try:
        number = apply_online(app, client, login_as)
        receipt = client.get(f"/cases/{number}/receipt").get_data(as_text=True)
        assert "https://ksbt.example.gov.cn/track" in receipt and "localhost" not in receipt
        with app.test_request_context(f"/cases/{number}/receipt", headers={"Host": "portal.internal"}):
            from portal.db import db
            from portal.models import Case
            from portal.web.cases.views import tracking_url

            case = db.session.query(Case).filter_by(number=number).one()
            assert tracking_url(case).startswith("https://ksbt.example.gov.cn/track")
    finally:
        app.config["PORTAL_BASE_URL"], app.config["TRUSTED_HOSTS"] = kept
