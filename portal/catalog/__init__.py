"""The agencies and services of the window, kept as data in catalog.yaml
and loaded into the database by code (upsert; a second load changes
nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.catalog.schema import CatalogFile
from portal.models import Agency, Service

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")


class CatalogError(ValueError):
    """The catalog file is malformed; ``problems`` name each bad entry."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _entry_name(raw: dict, loc: tuple) -> str:
    """'services[3] psb-hukou-cert → department' from a pydantic location."""
    if len(loc) >= 2 and loc[0] in ("agencies", "services") and isinstance(loc[1], int):
        entries = raw.get(loc[0]) or []
        entry = entries[loc[1]] if loc[1] < len(entries) and isinstance(entries[loc[1]], dict) else {}
        code = entry.get("code", "?")
        rest = " → ".join(str(part) for part in _field_named(entry, loc[2:]))
        return f"{loc[0]}[{loc[1]}] {code}" + (f" → {rest}" if rest else "")
    return " → ".join(str(part) for part in loc) or "file"


def _field_named(entry: dict, loc: tuple) -> tuple:
    """'fields → 3' reads 'fields → period_end': the field's own name."""
    if len(loc) >= 2 and loc[0] == "fields" and isinstance(loc[1], int):
        fields = entry.get("fields") or []
        if loc[1] < len(fields) and isinstance(fields[loc[1]], dict) and fields[loc[1]].get("name"):
            return (loc[0], fields[loc[1]]["name"], *loc[2:])
    return loc


def read_catalog(path: Path | str = CATALOG_FILE) -> CatalogFile:
    """Parse and validate the file; raise CatalogError naming every bad entry."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([f"cannot read {path}: {exc}"]) from exc
    except yaml.YAMLError as exc:
        raise CatalogError([f"not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise CatalogError(["the file must be a mapping with 'agencies' and 'services'"])
    try:
        catalog = CatalogFile.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(
            [f"{_entry_name(raw, err['loc'])}: {err['msg']}" for err in exc.errors()]
        ) from exc
    _check_references(catalog)
    return catalog


def _check_references(catalog: CatalogFile) -> None:
    problems = []
    for kind, codes in (
        ("agency", [a.code for a in catalog.agencies]),
        ("service", [s.code for s in catalog.services]),
    ):
        seen = set()
        for code in codes:
            if code in seen:
                problems.append(f"duplicate {kind} code {code!r}")
            seen.add(code)
    offices = {(a.county, a.department) for a in catalog.agencies}
    if len(offices) != len(catalog.agencies):
        problems.append("two agencies share one county and department")
    for service in catalog.services:
        for stage in service.routing:
            for step in stage.steps:
                for county in ("changshan", "yushan"):
                    if (county, step.department) not in offices:
                        problems.append(
                            f"service {service.code}: routes to department {step.department!r}, "
                            f"which has no agency in {county}"
                        )
    if problems:
        raise CatalogError(problems)


def _upsert(session: Session, model, code: str, values: dict, report: LoadReport) -> None:
    row = session.scalar(select(model).where(model.code == code))
    if row is None:
        session.add(model(code=code, **values))
        report.created.append(code)
        return
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if changed:
        report.updated.append(code)
    else:
        report.unchanged += 1


def load_catalog(session: Session, path: Path | str = CATALOG_FILE) -> LoadReport:
    """Validate the whole file first, then upsert agencies and services by
    code. Nothing is written when any entry is bad."""
    catalog = read_catalog(path)
    report = LoadReport()
    for agency in catalog.agencies:
        values = agency.model_dump(exclude={"code"})
        _upsert(session, Agency, agency.code, values, report)
    for position, service in enumerate(catalog.services, start=1):
        values = service.model_dump(exclude={"code"}, exclude_none=False)
        values["position"] = position
        values["correction_workdays"] = service.correction_workdays or catalog.correction_workdays
        _upsert(session, Service, service.code, values, report)
    session.flush()
    return report
