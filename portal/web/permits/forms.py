from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class VerifyForm(FlaskForm):
    """Scan the QR code into the first box, or type the number and code
    printed under it. The scan box is one line: a permit's QR data is one
    line, and the Enter a scanner types after it sends the form."""

    scan = StringField(
        _l("Scanned QR data"), validators=[Optional(), Length(max=200)],
        description=_l("Put the cursor here and scan the QR code on the permit; the scanner types its data and sends it."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "enterkeyhint": "go"},
    )
    number = StringField(_l("Permit number"), validators=[Optional(), Length(max=20)], render_kw={"autocomplete": "off"})
    code = StringField(
        _l("Verification code"), validators=[Optional(), Length(max=20)],
        description=_l("The ten characters printed under the QR code."), render_kw={"autocomplete": "off"},
    )
