"""The forms that add a commitment, edit its terms and change its status. They parse;
planner.commitments.operations decides what is valid, and its messages land next to
these fields (same names: section, quote, title, theme, leads, target_date, status,
note)."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from planner.commitments.operations import GENERAL_THEME, MAX_ID
from planner.models import CommitmentStatus, Dialogue, MembershipRole, SourceDocument, Theme

# A value no commitment ever had: an old or forged form without its hidden field is
# taken as stale, so it can never overwrite what someone else saved.
NEVER = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


def row_id(value: str | None) -> int | None:
    """A row id from a form's text, or None; a number no row can have counts as none."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_ID else None


def choice_id(value: str | None) -> int | None:
    """For choices where empty means none: an empty value is None, anything that is not
    an id is 0 (no row has it, so the operation names the field)."""
    if not (value or "").strip():
        return None
    return row_id(value) or 0


class TargetDateField(DateField):
    """A date input whose bad value says what a good one looks like."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the target date as a date, for example 2027-03-31.") \
                from None


def section_choices(documents: list[SourceDocument]) -> list[SelectChoice]:
    """The sections of the dialogue's documents, grouped by document: "I. Illicit
    finance", or "¶5: For example, a platform …" where the section has no heading."""
    choices = [SelectChoice("", "Choose a section")]
    for document in documents:
        for section in document.sections:
            words = section.heading or _opening(section.text)
            choices.append(SelectChoice(str(section.id), f"{section.label}. {words}",
                                        optgroup=f"{document.title} ({document.kind_label})"))
    return choices


def _opening(text: str, length: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + " …"


def theme_choices(themes: list[Theme]) -> list[SelectChoice]:
    return [SelectChoice("", GENERAL_THEME)] + [SelectChoice(str(t.id), t.label)
                                                  for t in themes]


def lead_choices(dialogue: Dialogue) -> list[SelectChoice]:
    seats = sorted(dialogue.memberships,
                   key=lambda m: (m.role == MembershipRole.OBSERVER, m.participant.name))
    return [SelectChoice(str(m.participant_id), m.participant.name
                         + (" (observer)" if m.role == MembershipRole.OBSERVER else ""))
            for m in seats]


class CommitmentTermsForm(FlaskForm):
    title = StringField("Title", description="What was undertaken, in a few words.")
    theme = SelectField("Theme", validate_choice=False)
    leads = SelectMultipleField("Lead participants", validate_choice=False,
                                description="Optional: those who carry it forward.")
    target_date = TargetDateField("Target date", validators=[Optional()],
                                  description="Optional: when it should be met.")

    def __init__(self, *args, dialogue: Dialogue, themes: list[Theme], **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = theme_choices(themes)
        self.leads.choices = lead_choices(dialogue)


class NewCommitmentForm(CommitmentTermsForm):
    section = SelectField("Section of the founding document", validate_choice=False)
    quote = TextAreaField(
        "The document's words",
        description="Paste the sentence that makes the commitment, exactly as the document "
                    "has it (line breaks do not matter).", render_kw={"rows": 4})

    def __init__(self, *args, documents: list[SourceDocument], **kwargs):
        super().__init__(*args, **kwargs)
        self.section.choices = section_choices(documents)


class EditCommitmentForm(CommitmentTermsForm):
    # The commitment's updated_at when the form was opened: a save over a newer change
    # is refused, never a silent overwrite.
    updated_at = HiddenField()

    @property
    def seen(self) -> datetime:
        return seen(self.updated_at.data)


class StatusForm(FlaskForm):
    status = SelectField("New status", validate_choice=False,
                         choices=[SelectChoice(s.value, s.label) for s in CommitmentStatus])
    note = TextAreaField(
        "Why the status changes",
        description="A report between meetings, a written procedure …: it stays in the "
                    "commitment's history, for every member to read.", render_kw={"rows": 4})
    updated_at = HiddenField()

    @property
    def seen(self) -> datetime:
        return seen(self.updated_at.data)


def seen(value: str | None) -> datetime:
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return NEVER
    return moment if moment.tzinfo is not None else NEVER
