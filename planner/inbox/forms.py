from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField


class UploadForm(FlaskForm):
    """An answer that did not come through the mailbox: pasted, or as a file."""

    file = FileField("Upload the e-mail (.eml) or the calendar file (.ics)")
    message = TextAreaField("Or paste the whole e-mail, with its headers, or the calendar "
                            "text (BEGIN:VCALENDAR …)", render_kw={"rows": 10})
