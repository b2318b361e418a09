"""Helpers and forms shared by several areas' views."""

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from portal import labels
from portal.domain import DomainError, DomainErrors
from portal.extensions import upload_store


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
    path = upload_store().path(record.stored_name)
    if not path.is_file():
        # The record outlived its file (a restore without the uploads folder).
        current_app.logger.error("stored file missing: %s", record.stored_name)
        abort(404)
    return send_file(path, mimetype=record.content_type, as_attachment=True, download_name=record.filename)


class DeliverForm(FlaskForm):
    """出件: how the receiving window hands over the result (the case page
    shows it, the window's desk takes it)."""

    method = SelectField(_l("How the result is handed over"), default="window")

    @classmethod
    def for_methods(cls) -> "DeliverForm":
        form = cls()
        form.method.choices = [SelectChoice(k, v) for k, v in labels.DELIVERY_METHODS.items()]
        return form
