from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.domain.limits import TASK_NOTE_MAX, WAYBILL_MAX


class AcceptForm(FlaskForm):
    """Accepting needs only the CSRF token."""


class PendingForm(FlaskForm):
    pending = SelectMultipleField(
        _l("Materials that may follow"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Choose the materials that may follow later."))],
    )
    follow_up_by = DateField(
        _l("They must arrive by"), validators=[Optional()], description=_l("For example 2026-12-15.")
    )


class RefuseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for not accepting"),
        validators=[DataRequired(_l("Give the reason for not accepting.")), Length(max=500)],
        description=_l("It is printed on the notice with the applicant's right to appeal."),
    )


class AskApplicantForm(FlaskForm):
    """A returned task needs what only the applicant can supply."""

    needed = TextAreaField(
        _l("What the applicant must supply"),
        validators=[DataRequired(_l("Say what the applicant must supply.")), Length(max=TASK_NOTE_MAX)],
        description=_l("The applicant reads this on their case page and in a text message."),
        render_kw={"maxlength": TASK_NOTE_MAX},
    )
    by = DateField(_l("By"), validators=[Optional()])


class CorrectionForm(FlaskForm):
    """Filled from the request: ``item`` checkboxes and ``reason-<item>`` texts."""


class QueueFilterForm(FlaskForm):
    status = SelectField(
        _l("Show"),
        choices=[
            SelectChoice("waiting", _l("Waiting for a decision")),
            SelectChoice("correction", _l("Correction requested")),
            SelectChoice("accepted", _l("Accepted, not finished")),
            SelectChoice("deliver", _l("Finished, result to hand over")),
            SelectChoice("closed", _l("Closed")),
        ],
        default="waiting",
    )
    service = SelectField(_l("Service"), default="")


class HoldOriginalsForm(FlaskForm):
    """收受分离: the originals the window holds for the case."""

    items = SelectMultipleField(
        _l("Originals the window holds"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the domain checks the codes against the service
    )


class SendOriginalsForm(FlaskForm):
    """How the originals were sent to the competent agency."""

    carrier = SelectField(_l("Carrier"), default="", validate_choice=False)
    waybill = StringField(
        _l("Waybill number"), render_kw={"maxlength": WAYBILL_MAX, "autocomplete": "off"},
        description=_l("For example EA123456789CN (EMS) or SF1234567890123 (SF Express)."),
    )
    sent_on = DateField(_l("Date sent"), validators=[Optional()], description=_l("For example 2026-11-02."))
