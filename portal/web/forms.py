"""Helpers and forms shared by several areas' views."""

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from portal import labels
from portal.domain import DomainError, DomainErrors
from portal.domain.limits import POSTAL_ADDRESS_MAX, WAYBILL_MAX
from portal.domain.waybills import CARRIERS
from portal.extensions import upload_store
from portal.i18n import localized


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


def carrier_choices(blank: bool = True) -> list[SelectChoice]:
    """The carriers a window sends paper with (收受分离, 邮寄送达)."""
    choices = [SelectChoice("", _l("Choose the carrier"))] if blank else []
    return choices + [SelectChoice(c.code, localized(c, "name")) for c in CARRIERS.values()]


class DeliverForm(FlaskForm):
    """出件: how the receiving window hands over the result (the case page
    shows it, the window's desk takes it); by post with the address, the
    carrier and the waybill number (the domain checks them)."""

    method = SelectField(_l("How the result is handed over"), default="window")
    address = StringField(
        _l("Postal address"), render_kw={"maxlength": POSTAL_ADDRESS_MAX},
        description=_l("By post only. From the application; correct it if the applicant asks."),
    )
    carrier = SelectField(_l("Carrier"), default="")
    waybill = StringField(
        _l("Waybill number"), render_kw={"maxlength": WAYBILL_MAX, "autocomplete": "off"},
        description=_l("By post only. For example EA123456789CN (EMS) or SF1234567890123 (SF Express)."),
    )

    @classmethod
    def for_methods(cls, chosen: str | None = None, address: str = "") -> "DeliverForm":
        form = cls()
        form.method.choices = [SelectChoice(k, v) for k, v in labels.DELIVERY_METHODS.items()]
        form.carrier.choices = carrier_choices()
        if not form.is_submitted():
            if chosen in labels.DELIVERY_METHODS:
                form.method.data = chosen
            form.address.data = address
        return form
