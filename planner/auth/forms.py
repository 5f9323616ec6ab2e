from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[
            DataRequired("Enter your e-mail address."),
            Email("Enter an e-mail address in the right format, like name@example.org."),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=1024)]
    )


def timezone_choices() -> list[SelectChoice]:
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [SelectChoice("", "My delegation's time zone"),
            *(SelectChoice(z, z.replace("_", " ")) for z in zones)]


class AccountForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired("Enter your name."), Length(max=200)]
    )
    timezone = SelectField(
        "My time zone",
        description="Times are shown in the venue's time zone and in this one.",
        validate_choice=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class SetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        description="At least 15 characters. A few unrelated words make a good one.",
        validators=[DataRequired("Enter a new password."), Length(max=1024)],
    )
    confirm_password = PasswordField(
        "The same password again",
        validators=[DataRequired("Enter the password a second time."),
                    EqualTo("new_password", "The two passwords are not the same.")],
    )


class PasswordChangeForm(SetPasswordForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )
