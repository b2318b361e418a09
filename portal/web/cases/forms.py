from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from portal.domain.limits import CASE_NUMBER_MAX
from portal.i18n import localized
from portal.web.service_fields import material_field, service_field


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you withdraw the application?"),
        validators=[DataRequired(_l("Give the reason for withdrawing.")), Length(max=500)],
    )


class TrackForm(FlaskForm):
    number = StringField(
        _l("Case number"),
        validators=[DataRequired(_l("Enter the case number from your receipt.")), Length(max=CASE_NUMBER_MAX)],
        description=_l("For example KSCS202611280001."),
    )
    code = StringField(
        _l("Query code"),
        validators=[
            DataRequired(_l("Enter the 6-digit query code from your receipt.")),
            Regexp(r"^\s*\d{6}\s*$", message=_l("The query code is 6 digits.")),
        ],
    )

    def without_code(self) -> TrackForm:
        """The form to show again: the query code typed is never sent back."""
        self.code.data = ""
        self.code.raw_data = []
        return self


class CorrectionAnswerForm(FlaskForm):
    """Only the fields and materials the notice names."""

    field_names: tuple[str, ...] = ()

    @classmethod
    def for_notice(cls, case, notice):
        attrs = {"field_names": tuple(i["key"] for i in notice.items if i["kind"] == "field")}
        specs = {f["name"]: f for f in case.service.fields}
        for item in notice.items:
            if item["kind"] == "field":
                attrs["field_" + item["key"]] = service_field(specs[item["key"]])
            else:
                material = next(m for m in case.service.materials if m["code"] == item["key"])
                attrs["material_" + item["key"].replace("-", "_")] = material_field(material, localized(item, "name"))
        return type("CorrectionForm", (cls,), attrs)

    def prefill(self, case) -> None:
        """Show the named fields with what the application says now."""
        for name in self.field_names:
            value = case.form_data.get(name)
            if value is not None:
                self["field_" + name].data = value

    def field_values(self, submitted) -> dict[str, object]:
        """Named fields from the form; any other ``field_*`` the request
        carries too, so the domain can refuse changes outside the notice."""
        values = {}
        for key, value in submitted.items():
            if key.startswith("field_") and key[6:] not in self.field_names:
                values[key[6:]] = value
        for name in self.field_names:
            values[name] = self["field_" + name].data
        return values
