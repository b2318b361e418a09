import re
from pathlib import Path

import pytest

from portal import config, create_app
from portal.config import ConfigError, load_config
from portal.db import db
from tests import factories


def test_production_refuses_to_start_without_an_explicit_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        load_config(str(tmp_path), {"PORTAL_ENV": "production"})


PRODUCTION = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "k" * 64, "PORTAL_BASE_URL": "https://ksbt.example.gov.cn"}


def test_production_refuses_a_secret_key_shorter_than_32_bytes(tmp_path):
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        load_config(str(tmp_path), {**PRODUCTION, "PORTAL_SECRET_KEY": "x"})
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        load_config(str(tmp_path), {**PRODUCTION, "PORTAL_SECRET_KEY": "k" * 31})
    assert load_config(str(tmp_path), {**PRODUCTION, "PORTAL_SECRET_KEY": "k" * 32})["SECRET_KEY"] == "k" * 32


def test_production_refuses_to_start_without_its_base_url(tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL must be set"):
        load_config(str(tmp_path), {key: value for key, value in PRODUCTION.items() if key != "PORTAL_BASE_URL"})
    with pytest.raises(ConfigError, match="https"):
        load_config(str(tmp_path), {**PRODUCTION, "PORTAL_BASE_URL": "http://ksbt.example.gov.cn"})
    for bad in ("ksbt.example.gov.cn", "ftp://ksbt.example.gov.cn", "https://ksbt.example.gov.cn/?a=1"):
        with pytest.raises(ConfigError, match="PORTAL_BASE_URL"):
            load_config(str(tmp_path), {**PRODUCTION, "PORTAL_BASE_URL": bad})


def test_only_the_base_urls_host_is_trusted_in_production_unless_hosts_are_listed(tmp_path):
    config = load_config(str(tmp_path), {**PRODUCTION, "PORTAL_BASE_URL": "https://ksbt.example.gov.cn/"})
    assert config["PORTAL_BASE_URL"] == "https://ksbt.example.gov.cn"
    assert config["TRUSTED_HOSTS"] == ["ksbt.example.gov.cn"]
    listed = load_config(str(tmp_path), {**PRODUCTION, "PORTAL_TRUSTED_HOSTS": "ksbt.example.gov.cn, .changshan.gov.cn"})
    assert listed["TRUSTED_HOSTS"] == ["ksbt.example.gov.cn", ".changshan.gov.cn"]
    development = load_config(str(tmp_path), {})
    assert development["PORTAL_BASE_URL"] == "http://127.0.0.1:5000"
    assert load_config(str(tmp_path), {"PORT": "8080"})["PORTAL_BASE_URL"] == "http://127.0.0.1:8080"  # make run PORT=8080
    assert set(development["TRUSTED_HOSTS"]) == {"127.0.0.1", "localhost", "::1"}


def test_production_refuses_debug(tmp_path):
    with pytest.raises(ConfigError, match="debug"):
        load_config(str(tmp_path), {**PRODUCTION, "PORTAL_DEBUG": "1"})


def test_an_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        load_config(str(tmp_path), {"PORTAL_ENV": "staging"})


def test_a_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = load_config(str(tmp_path), {})
    second = load_config(str(tmp_path), {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_rate_limits_are_on_unless_a_benchmark_turns_them_off_and_production_refuses_that(tmp_path):
    assert load_config(str(tmp_path), {})["RATELIMIT_ENABLED"] is True
    assert load_config(str(tmp_path), PRODUCTION)["RATELIMIT_ENABLED"] is True
    assert load_config(str(tmp_path), {"PORTAL_RATE_LIMITS": "off"})["RATELIMIT_ENABLED"] is False
    with pytest.raises(ConfigError, match="PORTAL_RATE_LIMITS=off"):
        load_config(str(tmp_path), {**PRODUCTION, "PORTAL_RATE_LIMITS": "off"})
    with pytest.raises(ConfigError, match="PORTAL_RATE_LIMITS must be"):
        load_config(str(tmp_path), {"PORTAL_RATE_LIMITS": "no"})


def test_production_cookies_are_secure(tmp_path):
    config = load_config(str(tmp_path), PRODUCTION)
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_to_start_while_demo_accounts_exist(app, monkeypatch):
    with app.app_context():
        user = factories.create_user(db.session, "admin")
        user.is_demo = True
        db.session.commit()
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://ksbt.example.gov.cn")
    monkeypatch.setenv("PORTAL_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    with pytest.raises(ConfigError, match="demo accounts"):
        create_app()
    with app.app_context():
        user = db.session.merge(user)
        user.is_demo = False
        db.session.commit()
    production = create_app()
    assert production.config["PORTAL_ENV"] == "production"
    with production.app_context():
        db.engine.dispose()


def test_readme_lists_every_setting_the_portal_reads():
    source = Path(config.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r'(?:_env|_whole_number)\("((?:PORTAL_|CI)\w*)"', source))
    readme = (Path(config.__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(\w+)` \|", readme, flags=re.MULTILINE))
    assert read and read <= listed, f"missing from README's configuration table: {sorted(read - listed)}"
