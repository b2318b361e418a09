from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.domain.limits import (
    PAPER_NOTE_MAX,
    RESULT_NUMBER_MAX,
    SUSPENSION_WORKDAYS_MAX,
    SUSPENSION_WORKDAYS_MIN,
    TASK_NOTE_MAX,
)


class ActionForm(FlaskForm):
    """Claim, release and resume need only the CSRF token."""


class CompleteForm(FlaskForm):
    opinion = TextAreaField(
        _l("Opinion"), validators=[DataRequired(_l("Write the agency's opinion.")), Length(max=TASK_NOTE_MAX)],
        description=_l("What was checked and decided."),
    )
    result_number = StringField(
        _l("Certificate or decision number (if any)"), validators=[Optional(), Length(max=RESULT_NUMBER_MAX)]
    )
    result_file = FileField(
        _l("Result document (if any)"),
        description=_l("The decision or certificate as PDF, for the applicant to download."),
        render_kw={"accept": ".pdf,application/pdf"},
    )
    originals_reason = TextAreaField(
        _l("Why complete before the originals arrive"),
        validators=[Optional(), Length(max=PAPER_NOTE_MAX)],
        description=_l("Only when the case's paper originals have not been confirmed as received; it is kept on the timeline."),
    )


class ReturnForm(FlaskForm):
    return_reason = TextAreaField(
        _l("What the window must do"),
        validators=[DataRequired(_l("Say what the window must do.")), Length(max=TASK_NOTE_MAX)],
        description=_l(
            "For example: the original document must be checked at the window. If the "
            "task reached the wrong agency, a supervisor can transfer it."
        ),
    )
    needs_applicant = BooleanField(
        _l("Only the applicant can supply this: ask them now (the clock stops until they answer)"),
    )


class RefuseTaskForm(FlaskForm):
    reason = TextAreaField(
        _l("Legal reason for refusing"),
        validators=[DataRequired(_l("Give the legal reason for refusing.")), Length(max=TASK_NOTE_MAX)],
        description=_l("The applicant receives it with the refusal of the whole case."),
    )
    confirm = BooleanField(
        _l("I understand that this refuses the whole case and ends the other agencies' tasks"),
        validators=[DataRequired(_l("Confirm that the whole case is to be refused."))],
    )


class SuspendForm(FlaskForm):
    procedure = TextAreaField(
        _l("Special procedure and reason"),
        validators=[DataRequired(_l("Say which special procedure and why.")), Length(max=TASK_NOTE_MAX)],
        description=_l("Inspection, expert review, hearing or waiting for the applicant. The clock stops until you resume."),
    )
    expected_workdays = IntegerField(
        _l("Expected length in working days"),
        validators=[
            InputRequired(_l("Give the expected length in working days.")),
            NumberRange(
                min=SUSPENSION_WORKDAYS_MIN,
                max=SUSPENSION_WORKDAYS_MAX,
                message=_l(
                    "Enter a whole number of working days from %(min)d to %(max)d.",
                    min=SUSPENSION_WORKDAYS_MIN, max=SUSPENSION_WORKDAYS_MAX,
                ),
            ),
        ],
    )


class QueueFilterForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("active", _l("To do")),
            SelectChoice("open", _l("Not yet claimed")),
            SelectChoice("claimed", _l("Claimed")),
            SelectChoice("suspended", _l("In a special procedure")),
            SelectChoice("done", _l("Finished")),
        ],
        default="active",
    )
    level = SelectField(
        _l("Time limit"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("on_track", _l("On track")),
            SelectChoice("due_soon", _l("Due within 1 working day")),
            SelectChoice("overdue", _l("Overdue")),
        ],
        default="",
    )
    service = SelectField(_l("Service"), default="")


class ReceiptForm(FlaskForm):
    """收受分离: the originals arrived; only the CSRF token."""


class MissingOriginalsForm(FlaskForm):
    missing_items = SelectMultipleField(
        _l("Originals missing"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the domain checks them against what was sent
    )
    missing_note = TextAreaField(
        _l("What is wrong"),
        validators=[Length(max=PAPER_NOTE_MAX)],
        description=_l("For example: the parcel arrived without the signed application. The window is asked to resolve it."),
    )
