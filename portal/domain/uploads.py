"""Uploaded materials: checked by content, capped in size, stored outside
the web root under random names, and removed again if the transaction
that was to record them fails. Where they are stored and the size cap are
the caller's to give, as an :class:`UploadStore`."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from portal.domain import DomainError

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
FORBIDDEN_NAME_CHARACTERS = set('/\\:*?"<>|')


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    data: bytes
    file_type: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_type]


def sniff(data: bytes) -> str | None:
    """The file type its first bytes declare, whatever its name says."""
    for file_type, signatures in SIGNATURES.items():
        if any(data.startswith(signature) for signature in signatures):
            if file_type == "pdf" and b"%%EOF" not in data[-2048:]:
                return None  # a truncated or fake PDF
            return file_type
    return None


def clean_filename(name: str) -> str:
    """Refuse names with path separators or control characters; keep the
    rest (Chinese included) for display in the download."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise DomainError(_l("The file has no name."))
    if any(ch in FORBIDDEN_NAME_CHARACTERS for ch in name) or any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise DomainError(
            _l(
                "The file name contains characters that are not allowed (such as / \\ : or "
                "control characters). Rename the file and choose it again."
            )
        )
    if name in (".", "..") or name.startswith("."):
        raise DomainError(_l("The file name must not start with a dot."))
    return name[:200]


@dataclass(frozen=True)
class UploadStore:
    """The folder materials are stored in and the largest file accepted."""

    root: Path
    max_bytes: int

    def check(self, filename: str, data: bytes, allowed: list[str]) -> CheckedFile:
        """Check a material against its slot: content type by magic bytes, size cap, not empty."""
        name = clean_filename(filename)
        if not data:
            raise DomainError(_l("The file is empty."))
        if len(data) > self.max_bytes:
            raise DomainError(_l("The file is larger than %(mb)d MB.", mb=self.max_bytes // (1024 * 1024)))
        file_type = sniff(data)
        if file_type is None:
            raise DomainError(_l("The file is not a real PDF, JPEG or PNG, whatever its name says."))
        if file_type not in allowed:
            accepted = ", ".join(t.upper() for t in allowed)
            raise DomainError(_l("This material must be %(types)s; the file is %(found)s.", types=accepted, found=file_type.upper()))
        return CheckedFile(name, data, file_type)

    def path(self, stored_name: str) -> Path:
        """Where the file stored under ``stored_name`` lies."""
        if len(stored_name) != 32 or not all(c in "0123456789abcdef" for c in stored_name):
            raise ValueError("not a stored file name")
        return self.root / stored_name[:2] / stored_name

    @contextmanager
    def writes(self):
        """Use around a unit of work that stores files and commits: if it does
        not reach ``writes.committed = True``, the files are removed."""
        writes = FileWrites(self)
        try:
            yield writes
        finally:
            if not writes.committed:
                for path in writes.paths:
                    path.unlink(missing_ok=True)


class FileWrites:
    """Files written during one unit of work, deleted unless it commits."""

    def __init__(self, store: UploadStore):
        self.upload_store = store
        self.paths: list[Path] = []
        self.committed = False

    def store(self, data: bytes) -> tuple[str, str]:
        """Write ``data`` under a random name; returns (stored_name, sha256)."""
        stored_name = secrets.token_hex(16)
        path = self.upload_store.path(stored_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        self.paths.append(path)
        return stored_name, hashlib.sha256(data).hexdigest()
