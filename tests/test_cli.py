from sqlalchemy import select

from portal.db import db
from portal.models import Role, User


def test_users_create_makes_an_officer_bound_to_an_agency(app, runner):
    result = runner.invoke(
        args=["users", "create", "--username", "officer.ys-gov", "--name", "刘洋", "--role", "officer",
              "--agency", "ys-gov", "--password", "a-long-password"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "officer.ys-gov"))
        assert user.role is Role.officer and user.agency.code == "ys-gov"


def test_users_create_refuses_a_clerk_without_a_window(app, runner):
    result = runner.invoke(
        args=["users", "create", "--username", "c1", "--name", "c", "--role", "clerk", "--password", "a-long-password"]
    )
    assert result.exit_code == 1
    assert "窗口" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "c1")) is None


def test_users_create_refuses_a_guessable_password_and_says_why(app, runner):
    result = runner.invoke(
        args=["users", "create", "--username", "clerk.new", "--name", "周平", "--role", "clerk", "--window", "changshan",
              "--password", "abcd1234"]
    )
    assert result.exit_code == 1
    assert "最常见的密码" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "clerk.new")) is None


def test_demo_load_is_idempotent_and_demo_remove_deletes_them(app, runner):
    assert "18 created" in runner.invoke(args=["demo", "load"]).output
    assert "already present" in runner.invoke(args=["demo", "load"]).output
    with app.app_context():
        roles = {u.role for u in db.session.scalars(select(User))}
        assert roles == set(Role)
    assert "removed: 18" in runner.invoke(args=["demo", "remove"]).output
