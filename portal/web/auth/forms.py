from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.domain.identity import PASSWORD_MAX


class RegisterForm(FlaskForm):
    real_name = StringField(
        _l("Real name"),
        validators=[DataRequired(_l("Enter your real name as shown on your ID card.")), Length(max=50)],
        description=_l("As shown on your resident ID card."),
    )
    id_number = StringField(
        _l("Resident ID number"),
        validators=[DataRequired(_l("Enter your resident ID number."))],
        description=_l("18 characters; the last may be X."),
    )
    mobile = StringField(
        _l("Mobile number"),
        validators=[DataRequired(_l("Enter your mobile number."))],
        description=_l("11 digits. We send progress updates to it."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Choose a password."))],
        description=_l("At least 8 characters and hard to guess: a few unrelated words work well."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


class LoginForm(FlaskForm):
    login = StringField(
        _l("Mobile number, ID number or staff username"),
        validators=[DataRequired(_l("Enter your mobile number, ID number or username.")), Length(max=50)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX)],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a new password."))],
        description=_l(
            "At least 8 characters and hard to guess: a few unrelated words work well. "
            "You will be signed out everywhere else."
        ),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two passwords are not the same.")),
        ],
    )


class LogoutForm(FlaskForm):
    """An empty form: logging out is a POST carrying a CSRF token."""


class CodeForm(FlaskForm):
    """The code texted to a mobile number."""

    code = StringField(
        _l("Code from the text"),
        validators=[DataRequired(_l("Enter the 6 digits of the code we texted you.")), Length(max=20)],
        description=_l("6 digits, valid for 5 minutes."),
    )


class ResendForm(FlaskForm):
    """An empty form: asking for a new code is a POST carrying a CSRF token."""


class ForgotForm(FlaskForm):
    login = StringField(
        _l("Mobile number or ID number"),
        validators=[DataRequired(_l("Enter the mobile number or ID number of your account.")), Length(max=50)],
        description=_l("The code is texted to the mobile number registered with the account."),
    )


class ResetForm(CodeForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a new password.")), Length(max=PASSWORD_MAX)],
        description=_l("At least 8 characters. You will be signed out everywhere."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two passwords are not the same.")),
        ],
    )


class MobileForm(FlaskForm):
    mobile = StringField(
        _l("New mobile number"),
        validators=[DataRequired(_l("Enter your mobile number.")), Length(max=20)],
        description=_l("11 digits. We send progress updates to it."),
    )
    password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
    )


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("One-time code"),
        validators=[DataRequired(_l("Enter the code your authenticator app shows.")), Length(max=40)],
        description=_l("The 6 digits your authenticator app shows now, or one of your recovery codes."),
    )


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(_l("Enter the 6 digits your app shows now.")), Length(max=40)],
        description=_l("After adding the account, enter the 6 digits the app shows now."),
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=PASSWORD_MAX)],
        description=_l("At least 8 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
