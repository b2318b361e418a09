from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length


class CorrectDayForm(FlaskForm):
    day = DateField(
        _l("Date"),
        validators=[InputRequired(_l("Enter the date as YYYY-MM-DD."))],
        description=_l("For example 2027-01-04."),
    )
    workday = RadioField(
        _l("This day is"),
        choices=[SelectChoice("1", _l("A working day")), SelectChoice("0", _l("A day off"))],
        validators=[InputRequired(_l("Choose whether the day is worked."))],
    )
    name = StringField(_l("Name (optional)"), validators=[Length(max=60)], description=_l("For example 春节 or 国庆节调休."))
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason for the correction.")), Length(max=500)],
        description=_l("For example the State Council notice that sets the day."),
    )


class ImportScheduleForm(FlaskForm):
    schedule = FileField(
        _l("Official schedule file"),
        validators=[FileRequired(_l("Choose a CSV or JSON file."))],
        description=_l(
            'CSV with the header date,workday,name — or JSON [{"date": …, "workday": …, "name": …}] — listing '
            'the year\'s holidays (workday false) and make-up working days (workday true).'
        ),
    )
