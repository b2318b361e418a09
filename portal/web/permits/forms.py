from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional


class VerifyForm(FlaskForm):
    """Scan the QR code into the first box, or type the number and code
    printed under it."""

    scan = TextAreaField(
        _l("Scanned QR data"), validators=[Optional(), Length(max=200)],
        description=_l("Put the cursor here and scan the QR code on the permit; the scanner types its data."),
        render_kw={"rows": 2, "autocomplete": "off", "spellcheck": "false"},
    )
    number = StringField(_l("Permit number"), validators=[Optional(), Length(max=20)], render_kw={"autocomplete": "off"})
    code = StringField(
        _l("Verification code"), validators=[Optional(), Length(max=20)],
        description=_l("The ten characters printed under the QR code."), render_kw={"autocomplete": "off"},
    )
