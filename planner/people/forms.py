from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from planner.auth.forms import timezone_choices
from planner.scheduling.forms import ChoiceField


def participant_choices(participants, *, none_label: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", none_label)] if none_label else []
    return choices + [SelectChoice(str(p.id), p.name) for p in participants]


class PersonForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the person's name."),
                                           Length(max=200)])
    email = EmailField("E-mail address", validators=[
        DataRequired("Enter the person's e-mail address."),
        Email("Enter an e-mail address in the right format, like name@example.org."),
        Length(max=254)])
    participant = ChoiceField("Delegation", invalid="Choose a delegation from the list.")
    timezone = ChoiceField("Time zone", invalid="Choose a time zone from the list.")
    is_secretariat = BooleanField("Member of the secretariat (sees and manages everything)")

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.participant.choices = participant_choices(participants,
                                                       none_label="None (secretariat)")
        self.timezone.choices = timezone_choices()


class EditPersonForm(PersonForm):
    email = HiddenField()


class RoleForm(FlaskForm):
    dialogue = ChoiceField("Dialogue", invalid="Choose a dialogue from the list.")
    role = ChoiceField("Role", invalid="Choose chair, delegate or observer.",
                       choices=[SelectChoice("delegate", "Delegate"),
                                SelectChoice("chair", "Chair"),
                                SelectChoice("observer", "Observer")])

    def __init__(self, *args, dialogues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.dialogue.choices = [SelectChoice(str(d.id), d.name) for d in dialogues]


class MembershipForm(FlaskForm):
    participant = ChoiceField("Participant", invalid="Choose a participant from the list.")
    role = ChoiceField("Seat", invalid="Choose member or observer.",
                       choices=[SelectChoice("member", "Member"),
                                SelectChoice("observer", "Observer")])

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.participant.choices = participant_choices(participants)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    dialogue = SelectField("Dialogue", validators=[Optional()])
    actor = StringField("Who (e-mail)", validators=[Optional(), Length(max=254)])
    action = StringField("Action", validators=[Optional(), Length(max=64)])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def __init__(self, *args, dialogues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.dialogue.choices = [SelectChoice("", "All dialogues")] + [
            SelectChoice(str(d.id), d.short_name) for d in dialogues]
