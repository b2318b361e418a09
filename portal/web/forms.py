"""Helpers shared by every form-handling view."""

from flask_babel import lazy_gettext as _l

from portal.domain import DomainError, DomainErrors


def attach_error(form, error: DomainError) -> None:
    """Show a domain rule's message next to the field it concerns (every
    message, when several rules refused at once)."""
    if isinstance(error, DomainErrors):
        for each in error.errors:
            attach_error(form, each)
        return
    field = getattr(form, error.field or "", None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = list(field.errors or []) + [error.message]


CONCURRENT_CHANGE = _l("Someone else changed this case a moment ago. Reload the page to see where it stands.")


def send_stored(record):
    """Send an uploaded material as a download, never rendered inline."""
    from flask import abort, current_app, send_file

    from portal.extensions import upload_store

    path = upload_store().path(record.stored_name)
    if not path.is_file():
        # The record outlived its file (a restore without the uploads folder).
        current_app.logger.error("stored file missing: %s", record.stored_name)
        abort(404)
    return send_file(path, mimetype=record.content_type, as_attachment=True, download_name=record.filename)


def commit_or_flash(action, success) -> bool:
    """Run one domain action and commit it, or roll back whole and say why
    (a rule's message, or that someone else changed the case meanwhile)."""
    from flask import flash
    from sqlalchemy.orm.exc import StaleDataError

    from portal.db import db

    try:
        action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return False
    except StaleDataError:
        db.session.rollback()
        flash(str(CONCURRENT_CHANGE), "error")
        return False
    flash(str(success), "success")
    return True
