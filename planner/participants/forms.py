from flask_wtf import FlaskForm
from wtforms import StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from planner.models import ParticipantKind
from planner.scheduling.forms import ChoiceField, zone_choices

KIND_CHOICES = [SelectChoice(ParticipantKind.STATE, "A state's ministry"),
                SelectChoice(ParticipantKind.INSTITUTION, "An institution (European "
                                                           "Commission, Europol …)")]


class ParticipantForm(FlaskForm):
    """The rules (unique names, an ISO code for a state, known subdivisions) are the
    operation's: it names the field of each problem."""

    kind = ChoiceField("Kind", invalid="Choose a state's ministry or an institution.",
                       choices=KIND_CHOICES)
    name = StringField("Name", description="The ministry or the institution, as it signs: "
                                           "“Home Office of the United Kingdom”.")
    short_name = StringField("Short name", description="For lists and agendas: UK, NL, "
                                                       "Europol.")
    country_code = StringField("Country code", description="For a state: its ISO 3166-1 "
                                                           "code (GB, AL, DE). It decides "
                                                           "the public holidays.")
    subdivision = StringField("Region with its own holidays (optional)")
    timezone = ChoiceField("Time zone", invalid="Choose a time zone from the list, for "
                                                "example Europe/Tirane.")
    working_hours_start = TimeField("Office hours start", validators=[
        InputRequired("Enter when office hours start, like 09:00.")])
    working_hours_end = TimeField("Office hours end", validators=[
        InputRequired("Enter when office hours end, like 17:30.")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice("", "Choose a time zone"), *zone_choices()]
