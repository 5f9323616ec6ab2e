from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from planner.api.operations import MAX_NAME


class TokenForm(FlaskForm):
    name = StringField(
        "What the token is for",
        description="For example “Reporting script”: it tells your tokens apart.",
        validators=[Length(max=MAX_NAME, message=f"Keep the name to {MAX_NAME} characters "
                                                 "or fewer.")],
    )


class RevokeForm(FlaskForm):
    """A button: the CSRF token is all it carries."""
