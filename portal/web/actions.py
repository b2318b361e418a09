"""One way for a page to run a domain action: commit once, or roll back
whole and say why — next to the field the rule concerns, or in a message
when the action is not possible now. Files stored by a unit of work that
does not commit are removed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.db import db
from portal.domain import DomainError, DomainErrors
from portal.extensions import upload_store
from portal.web.forms import CONCURRENT_CHANGE, attach_error

# Errors that say the action cannot be taken now (the case moved on, the
# account may not, the case cannot be routed): a message, not a field.
NOT_NOW_FIELDS = (None, "status", "actor", "routing")


@dataclass
class Outcome:
    """What became of the action: ``ok`` when committed, with the domain
    function's return value; otherwise the error, and whether it was put
    on the form (render the form again) or flashed (redirect)."""

    ok: bool
    value: Any = None
    error: DomainError | None = None
    on_form: bool = False

    def __bool__(self) -> bool:
        return self.ok


def _renamed(error: DomainError, fields: dict[str, str]) -> DomainError:
    if isinstance(error, DomainErrors):
        return DomainErrors([_renamed(each, fields) for each in error.errors])
    return DomainError(error.message, fields.get(error.field, error.field))


def _explain(error: DomainError, form, fields: dict[str, str] | None) -> bool:
    """Attach the error to ``form`` (a WTForms form, or a dict of messages
    by field) and return True, or flash it and return False."""
    if form is None or (error.field in NOT_NOW_FIELDS and not isinstance(error, DomainErrors)):
        flash(str(error.message), "error")
        return False
    error = _renamed(error, fields or {})
    if isinstance(form, dict):
        for each in error.errors if isinstance(error, DomainErrors) else [error]:
            form[each.field or "items"] = each.message
    else:
        attach_error(form, error)
    return True


def run_action(
    action: Callable[..., Any],
    success: str | None = None,
    *,
    form=None,
    fields: dict[str, str] | None = None,
    conflict: Callable[[], str] | None = None,
    duplicate: str | None = None,
    stores_files: bool = False,
    counted: tuple[type[DomainError], ...] = (),
) -> Outcome:
    """Run ``action`` (given the unit of work's ``FileWrites`` when
    ``stores_files``) and commit once. A DomainError rolls back and is
    shown on ``form`` (its fields renamed by ``fields``, domain name → form
    name) or flashed; a concurrent change rolls back and is flashed
    (``conflict`` may say who changed it). With ``duplicate``, a unique key
    that refused the write (the same thing done a moment ago in another
    request) rolls back and is said as that message. ``success`` is flashed
    after the commit. A DomainError of a kind in ``counted`` commits what
    the action wrote before refusing (a wrong code's try is counted) and is
    shown like any other."""
    with upload_store().writes() as writes:
        try:
            value = action(writes) if stores_files else action()
            db.session.commit()
            writes.committed = True
        except DomainError as error:
            if isinstance(error, counted):
                db.session.commit()
            else:
                db.session.rollback()
            return Outcome(False, error=error, on_form=_explain(error, form, fields))
        except StaleDataError:
            db.session.rollback()
            flash(str(conflict() if conflict else CONCURRENT_CHANGE), "error")
            return Outcome(False)
        except IntegrityError:
            if duplicate is None:
                raise
            db.session.rollback()
            flash(str(duplicate), "info")
            return Outcome(False)
    if success:
        flash(str(success), "success")
    return Outcome(True, value)

