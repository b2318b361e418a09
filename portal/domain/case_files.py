"""The files of a case or a draft: the current one for each material, and
attaching a checked upload in the caller's unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain.uploads import CheckedFile, FileWrites
from portal.models import ApplicationDraft, Case, CaseFile, User


def current_files(files: list[CaseFile]) -> dict[str, CaseFile]:
    """The latest, not replaced, file for each material."""
    return {f.material_code: f for f in sorted(files, key=lambda f: f.id) if f.replaced_at is None}


def attach_file(
    session: Session,
    writes: FileWrites,
    checked: CheckedFile,
    material_code: str,
    actor: User,
    now: datetime,
    *,
    draft: ApplicationDraft | None = None,
    case: Case | None = None,
) -> CaseFile:
    """Store a checked file for a material, replacing the previous one."""
    owner_files = draft.files if draft is not None else case.files
    for previous in owner_files:
        if previous.material_code == material_code and previous.replaced_at is None:
            previous.replaced_at = now
    stored_name, digest = writes.store(checked.data)
    record = CaseFile(
        draft=draft,
        case=case,
        material_code=material_code,
        filename=checked.filename,
        stored_name=stored_name,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=digest,
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    session.add(record)
    session.flush()
    return record
