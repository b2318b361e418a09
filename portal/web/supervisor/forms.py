from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from portal.domain.dashboard import MAX_RANGE_DAYS

ANY = ("", _l("All"))


class DashboardFilterForm(FlaskForm):
    """The dashboard's filters, read from the query string (no CSRF: GET)."""

    start = DateField(_l("Received from"), validators=[Optional()], format="%Y-%m-%d")
    end = DateField(_l("Received until"), validators=[Optional()], format="%Y-%m-%d")
    county = SelectField(_l("Window"), validators=[Optional()])
    department = SelectField(_l("Competent department"), validators=[Optional()])
    agency = SelectField(_l("Acting agency"), validators=[Optional()])
    service = SelectField(_l("Service"), validators=[Optional()])
    channel = SelectField(_l("Channel"), validators=[Optional()])
    mode = SelectField(_l("Mode"), validators=[Optional()])

    def validate_end(self, field):
        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError(_l("The end of the range must not be before its start."))
            if (field.data - self.start.data).days >= 366:
                raise ValidationError(
                    _l("Choose at most %(days)d days; export longer periods in parts.", days=MAX_RANGE_DAYS)
                )
