"""The application form, built from the service's field schema: the
applicant, the facts routing needs, the service's own fields and one
upload slot per material of the one-time notice."""

from __future__ import annotations

import unicodedata
from datetime import UTC

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal import labels
from portal.i18n import current_language, localized
from portal.models import Service


def material_field_name(code: str) -> str:
    return "material_" + code.replace("-", "_")


def _place_choices():
    return [SelectChoice("", _l("Choose…"))] + [SelectChoice(k, v) for k, v in labels.PLACES.items()]


def _province_choices():
    english = current_language() == "en"
    return [SelectChoice("", _l("Not needed (Changshan or Yushan)"))] + [
        SelectChoice(zh, en if english else zh) for zh, en in labels.PROVINCES
    ]


def _window_choices():
    return [SelectChoice(k, v) for k, v in labels.WINDOWS.items()]


class ApplicationForm(FlaskForm):
    token = HiddenField()

    def province_required(self, place_field, province_field) -> None:
        if place_field.data == "elsewhere" and not province_field.data:
            province_field.errors = list(province_field.errors) + [_("Choose the province.")]
        if place_field.data in ("changshan", "yushan"):
            province_field.data = ""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for place, province in self.place_pairs():
            self.province_required(place, province)
        return valid and not any(province.errors for _place, province in self.place_pairs())

    def place_pairs(self):
        pairs = [(self.hukou_county, self.hukou_province), (self.residence_county, self.residence_province)]
        if hasattr(self, "business_county"):
            pairs.append((self.business_county, self.business_province))
        return pairs


def needs_business_location(service: Service) -> bool:
    return service.applicant.value == "enterprise" or any(
        step["county"] == "business" for stage in service.routing for step in stage["steps"]
    )


class NotAfterToday:
    """A date of something that has happened cannot be later than today (Shanghai)."""

    def __call__(self, form, field):
        from datetime import datetime

        from wtforms.validators import ValidationError

        from portal.domain.clock import local_date

        if field.data and field.data > local_date(datetime.now(UTC)):
            raise ValidationError(_("This date cannot be later than today."))


class AmountField(DecimalField):
    """A number as people type it: 1,000 and 1 000 and １０００ are all 1000."""

    def process_formdata(self, valuelist):
        if valuelist:
            cleaned = unicodedata.normalize("NFKC", valuelist[0] or "")
            valuelist = [cleaned.replace(",", "").replace(" ", "").strip()]
        super().process_formdata(valuelist)


def in_sentence(label: str) -> str:
    """'Business scope' inside an English sentence reads 'business scope'."""
    if current_language() == "en" and label[:1].isupper() and not label[:2].isupper():
        return label[0].lower() + label[1:]
    return label


def _service_field(spec: dict):
    label = localized(spec, "label") + ("" if spec["required"] else _(" (optional)"))
    validators = []
    if spec["required"]:
        named = in_sentence(label)
        message = _("Choose %(label)s.", label=named) if spec["type"] == "select" else _("Enter %(label)s.", label=named)
        validators.append(InputRequired(message) if spec["type"] in ("number", "date") else DataRequired(message))
    else:
        validators.append(Optional())
    if spec["type"] == "select":
        choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(c["value"], localized(c, "label")) for c in spec["choices"]]
        return SelectField(label, choices=choices, validators=validators, default="")
    if spec["type"] == "textarea":
        return TextAreaField(label, validators=validators + [Length(max=spec.get("max_length") or 2000)])
    if spec["type"] == "date":
        if spec.get("not_after_today"):
            validators.append(NotAfterToday())
        return DateField(label, validators=validators, description=_("For example 2026-11-28."))
    if spec["type"] == "number":
        return AmountField(
            label,
            validators=validators
            + [NumberRange(min=0, max=10**12, message=_("Enter a number from 0 to 1,000,000,000,000."))],
            places=None,
        )
    return StringField(label, validators=validators + [Length(max=spec.get("max_length") or 200)])


ACCEPT = {"pdf": ".pdf,application/pdf", "jpeg": ".jpg,.jpeg,image/jpeg", "png": ".png,image/png"}


def accept_attribute(file_types: list[str]) -> str:
    return ",".join(ACCEPT[t] for t in file_types)


def material_description(material: dict) -> str:
    """Required or not, the notice's note, and the file types, in one hint."""
    need = _("Required") if material["required"] else _("If applicable")
    types = _("File types: %(types)s", types=", ".join(labels.FILE_TYPES[t] for t in material["file_types"]))
    note = localized(material, "notes")
    return " · ".join(part for part in (need, note, types) if part)


def application_form_class(service: Service, counter: bool, uploaded: set[str]):
    """A form class for ``service``; ``uploaded`` names materials already in
    the draft, whose slots may stay empty."""
    attrs = {}
    if counter:
        attrs["applicant_id_number"] = StringField(
            _l("Applicant's resident ID number"),
            validators=[DataRequired(_l("Enter the applicant's resident ID number."))],
            description=_l("If the applicant has an account, the case appears in it."),
        )
        attrs["applicant_name"] = StringField(
            _l("Applicant's name"), validators=[DataRequired(_l("Enter the applicant's name.")), Length(max=50)]
        )
        attrs["applicant_mobile"] = StringField(
            _l("Applicant's mobile number"), validators=[DataRequired(_l("Enter the applicant's mobile number."))]
        )
        attrs["identity_checked"] = BooleanField(
            _l("I have checked the applicant's identity card in person"),
            validators=[DataRequired(_l("Check the applicant's identity card in person before filing."))],
        )
    else:
        attrs["receiving_county"] = SelectField(
            _l("Window that handles your application"),
            choices=_window_choices(),
            description=_l("It checks your application and hands over the result."),
        )
    place_message = _l("Choose where it is.")
    attrs["hukou_county"] = SelectField(
        _l("Household registration (户籍)"), choices=_place_choices(), validators=[DataRequired(place_message)], default=""
    )
    attrs["hukou_province"] = SelectField(_l("Province of household registration"), choices=_province_choices(), default="")
    attrs["residence_county"] = SelectField(
        _l("Where you live or work"), choices=_place_choices(), validators=[DataRequired(place_message)], default=""
    )
    attrs["residence_province"] = SelectField(_l("Province where you live or work"), choices=_province_choices(), default="")
    if needs_business_location(service):
        attrs["business_county"] = SelectField(
            _l("Where the enterprise is registered or operates"), choices=_place_choices(),
            validators=[DataRequired(place_message)], default="",
        )
        attrs["business_province"] = SelectField(_l("Province of the enterprise"), choices=_province_choices(), default="")
    for spec in service.fields:
        attrs["field_" + spec["name"]] = _service_field(spec)
    for material in service.materials:
        attrs[material_field_name(material["code"])] = FileField(
            localized(material, "name"),
            description=material_description(material),
            render_kw={"accept": accept_attribute(material["file_types"])},
        )
    return type("ServiceApplicationForm", (ApplicationForm,), attrs)


def answers_from(form, service: Service, applicant: dict) -> dict:
    """The draft's answers from a validated (or partly valid) form."""
    answers = {
        "applicant": applicant,
        "hukou_county": form.hukou_county.data,
        "hukou_province": form.hukou_province.data or "",
        "residence_county": form.residence_county.data,
        "residence_province": form.residence_province.data or "",
        "fields": {},
    }
    if hasattr(form, "business_county"):
        answers["business_county"] = form.business_county.data
        answers["business_province"] = form.business_province.data or ""
    if hasattr(form, "identity_checked"):
        answers["identity_checked"] = bool(form.identity_checked.data)
    for spec in service.fields:
        value = form["field_" + spec["name"]].data
        if value is None or value == "":
            continue
        answers["fields"][spec["name"]] = value.isoformat() if hasattr(value, "isoformat") else (
            str(value) if not isinstance(value, str) else value.strip()
        )
    return answers


def fill_from(form, answers: dict, service: Service) -> None:
    """Prefill a freshly built form from a draft's answers (the Edit link)."""
    from datetime import date
    from decimal import Decimal

    for name in ("hukou_county", "hukou_province", "residence_county", "residence_province", "business_county", "business_province"):
        if hasattr(form, name) and answers.get(name) is not None:
            form[name].data = answers[name]
    if hasattr(form, "receiving_county") and answers.get("receiving_county"):
        form.receiving_county.data = answers["receiving_county"]
    applicant = answers.get("applicant", {})
    if hasattr(form, "applicant_id_number"):
        form.applicant_id_number.data = applicant.get("id_number")
        form.applicant_name.data = applicant.get("name")
        form.applicant_mobile.data = applicant.get("mobile")
        form.identity_checked.data = answers.get("identity_checked", False)
    for spec in service.fields:
        value = answers.get("fields", {}).get(spec["name"])
        if value is None:
            continue
        if spec["type"] == "date":
            value = date.fromisoformat(value)
        elif spec["type"] == "number":
            value = Decimal(value)
        form["field_" + spec["name"]].data = value
