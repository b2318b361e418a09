"""Backup and restore of the database and the uploaded files together:
what is restored into a fresh database and folder is what was backed up,
case for case and byte for byte; a damaged backup is refused."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text

from portal import create_app
from portal.db import db
from portal.domain.case_files import attach_file
from portal.extensions import upload_store
from portal.models import Case, CaseFile
from tests import factories
from tests.conftest import _test_config
from tests.uploads import JPEG, PDF


def cases_with_files(app, count: int = 3) -> dict[str, dict[str, bytes]]:
    """``count`` cases, each with two stored files: number → stored name → bytes."""
    made = {}
    with app.app_context():
        clerk = factories.create_user(db.session, "clerk")
        store = upload_store()
        with store.writes() as writes:
            for n in range(count):
                case = factories.create_case(db.session)
                for code, data, name in (("id-card", PDF + bytes([n]), "身份证.pdf"), ("photo", JPEG, "照片.jpg")):
                    kind = ["pdf"] if name.endswith(".pdf") else ["jpeg"]
                    attach_file(db.session, writes, store.check(name, data, kind), code, clerk, factories.now(), case=case)
            db.session.commit()
            writes.committed = True
        for case in db.session.scalars(select(Case)):
            made[case.number] = {f.stored_name: store.path(f.stored_name).read_bytes() for f in case.files}
    return made


def restored_portal(migrated: str, database: str, uploads: Path):
    return create_app({**_test_config(migrated), "SQLALCHEMY_DATABASE_URI": database, "PORTAL_UPLOAD_FOLDER": str(uploads)})


@pytest.fixture
def fresh_database(migrated, tmp_path):
    """A new, empty database of the kind the suite runs on."""
    if not migrated.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"portal_restore_{uuid.uuid4().hex[:10]}"
    server = create_engine(make_url(migrated).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(migrated).set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def test_a_restore_into_a_fresh_database_and_folder_finds_the_same_cases_and_files(app, runner, migrated, fresh_database, tmp_path):
    made = cases_with_files(app)
    backup = tmp_path / "backup"
    result = runner.invoke(args=["backup", "create", str(backup)])
    assert result.exit_code == 0, result.output
    stored = [p for p in Path(app.config["PORTAL_UPLOAD_FOLDER"]).rglob("*") if p.is_file()]
    assert f"{len(stored)} files" in result.output

    restored_uploads = tmp_path / "restored-uploads"
    target = restored_portal(migrated, fresh_database, restored_uploads)
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        found = {
            case.number: {f.stored_name: (restored_uploads / f.stored_name[:2] / f.stored_name).read_bytes() for f in case.files}
            for case in db.session.scalars(select(Case))
        }
        assert db.session.scalar(select(CaseFile.filename).where(CaseFile.material_code == "id-card").limit(1)) == "身份证.pdf"
        db.session.remove()
        db.engine.dispose()
    assert found == made and len(found) == 3


def test_a_damaged_backup_or_a_database_with_cases_is_refused(app, runner, migrated, fresh_database, tmp_path):
    cases_with_files(app, count=1)
    backup = tmp_path / "backup"
    assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
    # Restoring over the database that has the cases is refused.
    again = runner.invoke(args=["backup", "restore", str(backup)])
    assert again.exit_code != 0 and "already has cases" in again.output
    damaged = next(p for p in (backup / "uploads").rglob("*") if p.is_file())
    damaged.write_bytes(damaged.read_bytes()[:-1])
    target = restored_portal(migrated, fresh_database, tmp_path / "new")
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    assert result.exit_code != 0 and "damaged" in result.output
    assert not Path(tmp_path / "new").exists() or not any(Path(tmp_path / "new").rglob("*"))
    with target.app_context():
        db.engine.dispose()
