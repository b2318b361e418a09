"""Journeys through the portal with the test client, shared by several
test modules: a resident applies online, a clerk signs in and decides."""

from __future__ import annotations

from sqlalchemy import select

from portal.db import db
from portal.models import County, Service
from tests.factories import PASSWORD, create_user
from tests.uploads import JPEG, PDF, PNG, upload

SERVICE = "psb-no-record"


def complete_second_factor(app, client, login: str):
    """The code step of a staff sign-in, with the factories' secret. The
    account's last used step is forgotten first, so a test may sign the same
    person in twice within 30 seconds (a real person waits for the next code)."""
    from portal.models import User
    from tests.factories import totp_code

    with app.app_context():
        db.session.scalar(select(User).where(User.username == login)).totp_last_step = None
        db.session.commit()
    response = client.submit("/login/code", {"code": totp_code()})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def staff_sign_in(app, client, login: str):
    """Password, then the code when the account asks for one."""
    response = client.submit("/login", {"login": login, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/login/code"):
        response = complete_second_factor(app, client, login)
    return response


def form_token(client, code=SERVICE):
    page = client.page(f"/apply/{code}")
    return page.select_one("input[name=csrf_token]")["value"], page.select_one("input[name=token]")["value"]


def application_data(app, code=SERVICE, **overrides):
    """Valid answers and files for ``code`` from its catalog entry."""
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == code))
        fields, materials = service.fields, service.materials
    data = {
        "receiving_county": "changshan",
        "hukou_county": "yushan",
        "hukou_province": "",
        "residence_county": "changshan",
        "residence_province": "",
        "business_county": "changshan",
        "business_province": "",
    }
    for spec in fields:
        if spec["type"] == "select":
            value = spec["choices"][0]["value"]
        elif spec["type"] == "date":
            value = "2026-11-20"
        elif spec["type"] == "number":
            value = "1000"
        else:
            value = "测试内容"
        data["field_" + spec["name"]] = value
    for material in materials:
        kind = material["file_types"][0]
        content, name = {"pdf": (PDF, "材料.pdf"), "jpeg": (JPEG, "photo.jpg"), "png": (PNG, "scan.png")}[kind]
        data["material_" + material["code"].replace("-", "_")] = upload(content, name)
    data.update(overrides)
    return data


def post_form(client, data, code=SERVICE):
    csrf, token = form_token(client, code)
    return client.post(
        f"/apply/{code}", data={**data, "csrf_token": csrf, "token": token}, content_type="multipart/form-data"
    ), token


def submit(client, token):
    csrf = client.page(f"/apply/review/{token}").select_one("form[action^='/apply/submit'] input[name=csrf_token]")["value"]
    return client.post(f"/apply/submit/{token}", data={"csrf_token": csrf})


def apply_online(app, client, login_as, **overrides) -> str:
    """A resident (``overrides`` for the account) applies for psb-no-record; its case number."""
    login_as("resident", **overrides)
    _, token = post_form(client, application_data(app))
    return submit(client, token).headers["Location"].split("/")[2]


def sign_in_as_clerk(app, client, county="changshan") -> int:
    with app.app_context():
        clerk = create_user(db.session, "clerk", window_county=County(county))
        db.session.commit()
        username, clerk_id = clerk.username, clerk.id
    client.get("/language/zh_CN")
    client.submit("/login", {"login": username, "password": PASSWORD})
    return clerk_id


def decide(client, number, action, data=None):
    """The clerk's decision on a case at the window: accept, accept-pending, correct, refuse…"""
    csrf = client.page(f"/counter/cases/{number}/decide").select_one("input[name=csrf_token]")["value"]
    return client.post(f"/counter/cases/{number}/{action}", data={"csrf_token": csrf, **(data or {})})
