from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from planner.models import Classification
from planner.models.dialogues import LEVEL_LABELS
from planner.scheduling.forms import ChoiceField, zone_choices


class DialogueForm(FlaskForm):
    """A dialogue's settings, new or changed. The rules (names unique, a known time
    zone, the lengths) are the operation's: it names the field of each problem."""

    name = StringField("Name", description="As its members know it: “Coalition of European "
                                           "countries against serious and organised crime”.")
    short_name = StringField("Short name", description="For lists and e-mail subjects: "
                                                       "“UK–Albania”, “Coalition”.")
    level = ChoiceField("Level", invalid="Choose the level: ministerial, senior officials or "
                                         "working group.",
                        choices=[SelectChoice(str(level), label)
                                 for level, label in LEVEL_LABELS.items()])
    cadence = StringField("Cadence", description="In the founding statement's words: “once "
                                                 "a year”, “each spring”. The series page "
                                                 "turns it into dates.")
    classification = ChoiceField("Marking", invalid="Choose OFFICIAL or OFFICIAL-SENSITIVE.",
                                 choices=[SelectChoice(str(c), str(c)) for c in Classification])
    venue_timezone = ChoiceField("Usual venue's time zone",
                                 invalid="Choose a time zone from the list, for example "
                                         "Europe/Brussels.")
    description = TextAreaField("Description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.venue_timezone.choices = [SelectChoice("", "None yet (the host's, meeting by "
                                                        "meeting)"), *zone_choices()]


class ArchiveForm(FlaskForm):
    reason = TextAreaField("Why it is archived",
                           description="Kept with the dialogue and in the audit log.")


class ThemeForm(FlaskForm):
    code = StringField("Number", description="Optional. As the statement numbers it: I, II, "
                                             "3.1.")
    name = StringField("Name")
