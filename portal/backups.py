"""Backup and restore of the database and the uploaded files together.

A backup is a folder:

    manifest.json        when, which database kind, the schema revision, and
                         every uploaded file with its size and SHA-256
    database.dump        PostgreSQL: pg_dump's custom format
    database.sqlite3     SQLite: a consistent copy (the backup API)
    uploads/             the uploaded files, as stored

Restoring checks every file against the manifest before it is used, so a
damaged backup is refused rather than half restored."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine, make_url

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(RuntimeError):
    """The backup cannot be made or used; the message says why."""


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    dialect: str
    revision: str | None
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(engine: Engine) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore read it (no driver name)."""
    return make_url(engine.url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed; install the PostgreSQL client programs") from None
    except subprocess.CalledProcessError as failed:
        # pg_dump's message names the problem; the command line (with its URL) is not repeated.
        raise BackupError(f"{command[0]} failed: {failed.stderr.strip()[-500:]}") from None


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def create_backup(engine: Engine, uploads: Path, folder: Path, now: datetime | None = None) -> BackupReport:
    """Write a backup of the database behind ``engine`` and of ``uploads`` into ``folder``."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; back up into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    if dialect == "postgresql":
        dump = str(folder / "database.dump")
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", dump, _libpq_url(engine)])
    elif dialect == "sqlite":
        source = sqlite3.connect(make_url(engine.url).database)
        target = sqlite3.connect(folder / "database.sqlite3")
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        raise BackupError(f"backups of {dialect} databases are not supported")
    files = {}
    for path in sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []:
        relative = path.relative_to(uploads)
        destination = folder / "uploads" / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        files[relative.as_posix()] = {"size": path.stat().st_size, "sha256": _sha256(destination)}
    manifest = {
        "format": FORMAT,
        "created_at": (now or datetime.now(UTC)).isoformat(),
        "database": dialect,
        "revision": _revision(engine),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return BackupReport(folder, dialect, manifest["revision"], len(files), sum(f["size"] for f in files.values()))


def _manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{folder} holds no readable {MANIFEST}: not a backup") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup of another format ({manifest.get('format')!r})")
    return manifest


def _verify_files(folder: Path, manifest: dict) -> None:
    for name, expected in manifest["files"].items():
        path = folder / "uploads" / name
        if not path.is_file() or path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"uploaded file {name} is missing or damaged in the backup")


def _empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        if not inspect(connection).has_table("case_record"):
            return True
        return connection.execute(select(text("1")).select_from(text("case_record")).limit(1)).first() is None


def restore_backup(engine: Engine, uploads: Path, folder: Path) -> BackupReport:
    """Restore ``folder`` into the (empty) database behind ``engine`` and
    the (empty) ``uploads`` folder; every file is checked first."""
    manifest = _manifest(folder)
    dialect = engine.dialect.name
    if manifest["database"] != dialect:
        raise BackupError(f"the backup is of a {manifest['database']} database, the portal is configured for {dialect}")
    _verify_files(folder, manifest)
    if not _empty(engine):
        raise BackupError("the database already has cases; restore into a new, empty database")
    if uploads.exists() and any(p.is_file() for p in uploads.rglob("*")):
        raise BackupError(f"{uploads} already holds files; restore into a new, empty folder")
    if dialect == "postgresql":
        options = ["--no-owner", "--no-privileges", "--clean", "--if-exists"]
        _run(["pg_restore", *options, "--dbname", _libpq_url(engine), str(folder / "database.dump")])
    else:
        engine.dispose()
        source = sqlite3.connect(folder / "database.sqlite3")
        target = sqlite3.connect(make_url(engine.url).database)
        with target:
            source.backup(target)
        source.close()
        target.close()
    for name in manifest["files"]:
        destination = uploads / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / "uploads" / name, destination)
    total = sum(f["size"] for f in manifest["files"].values())
    return BackupReport(folder, dialect, manifest["revision"], len(manifest["files"]), total)
