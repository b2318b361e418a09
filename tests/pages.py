"""A test client that reads pages as a user would: fetch by URL, check the
status, parse the HTML (failing on duplicate ids), and fill forms with
their CSRF token like a browser does."""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup
from flask.testing import FlaskClient


class PageClient(FlaskClient):
    def page(self, url: str, status: int = 200, **kwargs) -> BeautifulSoup:
        response = self.get(url, **kwargs)
        assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
        return parse(response.get_data(as_text=True))

    def submit(self, url: str, data: dict, form_action: str | None = None, **kwargs):
        """GET ``url``, take the CSRF token of the form posting to
        ``form_action`` (default: the first form with a token), POST ``data``."""
        soup = self.page(url)
        token = None
        for form in soup.find_all("form"):
            if form_action and form.get("action", "").split("?")[0] != form_action:
                continue
            field = form.find("input", attrs={"name": "csrf_token"})
            if field is not None:
                token = field["value"]
                break
        assert token, f"no form with a CSRF token on {url}"
        target = form_action or url
        return self.post(target, data={**data, "csrf_token": token}, **kwargs)


def parse(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html5lib")
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    return soup


def text_of(soup, selector: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, f"nothing matches {selector}"
    return " ".join(found.get_text(" ").split())
