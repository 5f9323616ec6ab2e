from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from planner.auth.forms import timezone_choices

MONTHS = [SelectChoice("", "No preference")] + [
    SelectChoice(str(n), name) for n, name in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December"], start=1)
]


class ChoiceField(SelectField):
    """A select whose "not a valid choice" says what a valid one is."""

    def __init__(self, *args, invalid: str, **kwargs):
        super().__init__(*args, validate_choice=True, **kwargs)
        self.invalid = invalid

    def pre_validate(self, form):
        if self.data not in {str(choice.value) for choice in self.choices or ()}:
            raise ValidationError(self.invalid)


def zone_choices() -> list[SelectChoice]:
    return [choice for choice in timezone_choices() if choice.value]


class RescheduleForm(FlaskForm):
    start_date = DateField("First day", validators=[InputRequired("Enter the first day.")])
    start_time = TimeField("Starts at", validators=[InputRequired("Enter the starting time.")])
    end_date = DateField("Last day", validators=[InputRequired("Enter the last day.")])
    end_time = TimeField("Ends at", validators=[InputRequired("Enter the closing time.")])
    timezone = ChoiceField(
        "Venue's time zone",
        invalid="Choose the venue's time zone from the list, for example Europe/Brussels.",
    )
    city = StringField("City", validators=[Length(max=120)])
    venue = StringField("Venue", validators=[Length(max=200)])
    host = ChoiceField("Host", invalid="Choose a host among the members of the dialogue.")
    reason = TextAreaField(
        "Why the meeting moves",
        validators=[DataRequired("Say why the meeting moves: members will see it."),
                    Length(max=2000)],
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()
        self.host.choices = [SelectChoice(str(p.id), p.name) for p in members]


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Why the meeting is cancelled",
        validators=[DataRequired("Say why the meeting is cancelled."), Length(max=2000)],
    )


class ConfirmForm(FlaskForm):
    """A button: the CSRF token is all it carries."""


class ProposalForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET): it changes nothing

    start = DateField("From", validators=[InputRequired("Enter the first day of the window.")])
    end = DateField("To", validators=[InputRequired("Enter the last day of the window.")])
    days = IntegerField(
        "Length in days",
        default=1,
        validators=[InputRequired("Enter the length in days."),
                    NumberRange(1, 3, "A meeting lasts 1, 2 or 3 days.")],
    )
    format = SelectField(
        "Format",
        choices=[SelectChoice("in_person", "In person"),
                 SelectChoice("video", "Video conference"), SelectChoice("hybrid", "Hybrid")],
        default="in_person",
    )
    weekends = BooleanField("Weekends are possible")
    meeting = HiddenField()


class ScheduleForm(FlaskForm):
    day = DateField("Day", validators=[InputRequired()])
    days = IntegerField("Days", validators=[InputRequired(), NumberRange(1, 3)])
    meeting = HiddenField()


class RuleForm(FlaskForm):
    recurrence_rule = StringField(
        "Recurrence rule (RFC 5545 RRULE)",
        description="For example FREQ=YEARLY;BYMONTH=11 (every November) or "
                    "FREQ=YEARLY;INTERVAL=2 (every other year).",
        validators=[DataRequired("Enter a rule, for example FREQ=YEARLY;BYMONTH=11."),
                    Length(max=500)],
    )
    from_date = DateField(
        "From the occurrence on",
        description="Meetings before this date keep the old rule.",
        validators=[InputRequired("Enter the date from which the new rule applies.")],
    )
    reason = TextAreaField(
        "Why the rule changes",
        validators=[DataRequired("Say why the rule changes."), Length(max=2000)],
    )


class SeriesSettingsForm(FlaskForm):
    window_start_month = SelectField("Preferred window from", choices=MONTHS)
    window_end_month = SelectField("to", choices=MONTHS)
    meeting_days = IntegerField(
        "Length in days",
        validators=[InputRequired("Enter the length in days."),
                    NumberRange(1, 3, "A meeting lasts 1, 2 or 3 days.")],
    )
    default_start = TimeField("Usual start", validators=[InputRequired("Enter the usual start.")])
    default_end = TimeField("Usual end", validators=[InputRequired("Enter the usual end.")])
    horizon_months = IntegerField(
        "Plan ahead (months)",
        validators=[InputRequired("Enter how many months ahead to plan."),
                    NumberRange(1, 120, "Plan between 1 and 120 months ahead.")],
    )


class RotationForm(FlaskForm):
    participant = ChoiceField("Host", invalid="Choose a host among the members of the dialogue.")
    city = StringField("City", validators=[DataRequired("Enter the city."), Length(max=120)])
    venue = StringField("Venue", validators=[Length(max=200)])
    timezone = ChoiceField(
        "Time zone", invalid="Choose a time zone from the list, for example Europe/Brussels."
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.participant.choices = [SelectChoice(str(p.id), p.name) for p in members]
        self.timezone.choices = zone_choices()


class RotationMoveForm(FlaskForm):
    slot = HiddenField(validators=[DataRequired()])
    direction = HiddenField(validators=[DataRequired()])




class ClassificationForm(FlaskForm):
    classification = ChoiceField(
        "Classification",
        invalid="Choose OFFICIAL or OFFICIAL-SENSITIVE.",
        choices=[
            SelectChoice("OFFICIAL", "OFFICIAL"),
            SelectChoice("OFFICIAL-SENSITIVE",
                         "OFFICIAL-SENSITIVE (feeds and e-mails show only title, time, link)"),
        ],
    )
