"""The application form, built from the service's field schema: the
applicant, the facts routing needs, the service's own fields and one
upload slot per material of the one-time notice. The form renders and
carries what was typed; the domain (:mod:`portal.domain.answers`) checks
the facts and the service's fields for every channel alike."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from portal import labels
from portal.domain.answers import FACTS, needs_business_location
from portal.domain.applications import NAME_MAX
from portal.domain.identity import OUR_REGIONS
from portal.i18n import current_language
from portal.models import Service
from portal.web.service_fields import material_field, material_field_name, service_field


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


def _place_field(label) -> SelectField:
    return SelectField(label, choices=_place_choices(), default="", validate_choice=False, render_kw={"required": True})


def _province_field(label) -> SelectField:
    return SelectField(label, choices=_province_choices(), default="", validate_choice=False)


def application_form_class(service: Service, counter: bool, uploaded: set[str]):
    """A form class for ``service``; ``uploaded`` names materials already in
    the draft, whose slots may stay empty."""
    attrs = {}
    if counter:
        # The domain checks them (walk_in_applicant), as for a window system's filing.
        attrs["applicant_id_number"] = StringField(
            _l("Applicant's resident ID number"),
            description=_l("If the applicant has an account, the case appears in it."),
            render_kw={"required": True},
        )
        attrs["applicant_name"] = StringField(_l("Applicant's name"), render_kw={"required": True, "maxlength": NAME_MAX})
        attrs["applicant_mobile"] = StringField(_l("Applicant's mobile number"), render_kw={"required": True})
        attrs["identity_checked"] = BooleanField(
            _l("I have checked the applicant's identity card in person"), render_kw={"required": True}
        )
    else:
        attrs["receiving_county"] = SelectField(
            _l("Window that handles your application"),
            choices=_window_choices(),
            description=_l("It checks your application and hands over the result."),
        )
    attrs["hukou_county"] = _place_field(_l("Household registration (户籍)"))
    if counter:
        # Filled in from the ID number's region code as the clerk types it (portal.js).
        attrs["hukou_county"].kwargs["render_kw"] = {
            "required": True, "data-county-from": "applicant_id_number", "data-regions": json.dumps(OUR_REGIONS),
        }
    attrs["hukou_province"] = _province_field(_l("Province of household registration"))
    attrs["residence_county"] = _place_field(_l("Where you live or work"))
    attrs["residence_province"] = _province_field(_l("Province where you live or work"))
    if needs_business_location(service):
        attrs["business_county"] = _place_field(_l("Where the enterprise is registered or operates"))
        attrs["business_province"] = _province_field(_l("Province of the enterprise"))
    for spec in service.fields:
        attrs["field_" + spec["name"]] = service_field(spec)
    for material in service.materials:
        attrs[material_field_name(material["code"])] = material_field(material)
    return type("ServiceApplicationForm", (ApplicationForm,), attrs)


def fill_from(form, answers: dict, service: Service) -> None:
    """Prefill a freshly built form from a draft's answers (the Edit link)."""
    for name in FACTS:
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
        if value is not None:
            form["field_" + spec["name"]].data = value
