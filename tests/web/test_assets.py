"""Static files carry a fingerprint of their content: a browser keeps a
fingerprinted file for a year, and a release that changes the file changes
its address, so nobody is served yesterday's stylesheet."""

import os
import re

from flask import url_for

from portal import ROOT
from tests.pages import parse


def test_pages_link_static_files_with_their_fingerprint(client):
    page = parse(client.get("/").get_data(as_text=True))
    css = page.select_one("link[rel=stylesheet]")["href"]
    assert re.fullmatch(r"/static/css/portal\.css\?v=[0-9a-f]{12}", css)
    script = page.select_one("script[src]")["src"]
    assert re.fullmatch(r"/static/js/portal\.js\?v=[0-9a-f]{12}", script)


def test_a_fingerprinted_file_is_kept_for_a_year_and_any_other_is_revalidated(client):
    css = parse(client.get("/").get_data(as_text=True)).select_one("link[rel=stylesheet]")["href"]
    kept = client.get(css)
    assert kept.status_code == 200
    assert kept.cache_control.max_age == 365 * 24 * 3600 and kept.cache_control.immutable
    for other in ("/static/css/portal.css", "/static/css/portal.css?v=000000000000"):
        revalidated = client.get(other)
        assert revalidated.status_code == 200 and revalidated.cache_control.no_cache and not revalidated.cache_control.max_age
        assert revalidated.headers.get("ETag")


def test_changing_a_file_changes_its_address(app, tmp_path):
    (tmp_path / "site.css").write_text("body { color: black; }", encoding="utf-8")
    app.static_folder = str(tmp_path)
    try:
        with app.test_request_context("/"):
            before = url_for("static", filename="site.css")
            (tmp_path / "site.css").write_text("body { color: navy; }", encoding="utf-8")
            stat = (tmp_path / "site.css").stat()
            os.utime(tmp_path / "site.css", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
            after = url_for("static", filename="site.css")
        assert before != after and before.startswith("/static/site.css?v=")
    finally:
        app.static_folder = str(ROOT / "static")
