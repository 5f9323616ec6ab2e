"""Agenda forms. They only read what was sent; the rules (and their messages) are in
operations, so that a page and any other caller get the same answer."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import NumberInput

from planner.models import StandingPlacement

NOT_A_NUMBER = "Enter the time box as a whole number of minutes, like 15."


class MinutesField(StringField):
    """Whole minutes, or empty for no time box. Bad input is shown back as typed."""

    widget = NumberInput(min=0, step=1)

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError:
            self.data = None
            raise ValueError(NOT_A_NUMBER) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class LockedForm(FlaskForm):
    """A form acting on the draft: it carries the draft's version_id as the page saw it."""

    version_id = HiddenField()

    @property
    def expected_version(self) -> int:
        # A missing or garbled value can only be an old or forged page: treat it as stale.
        raw = (self.version_id.data or "").strip()
        return int(raw) if raw.isdigit() else -1


class ItemForm(LockedForm):
    title = StringField("Title")
    duration_minutes = MinutesField(
        "Time box in minutes", description="Leave empty for an item with no time of its own."
    )
    presenter = SelectField("Presenter", validate_choice=False)
    notes = TextAreaField("Notes for the delegations", description="Optional.")

    def __init__(self, *args, presenters: list[tuple[str, str, str | None]], **kwargs):
        super().__init__(*args, **kwargs)
        self.presenter.choices = [
            SelectChoice(value, label, optgroup=group) for value, label, group in presenters
        ]


class AddItemForm(ItemForm):
    after = SelectField("Place it after", validate_choice=False)

    def set_places(self, places: list[tuple[str, str]], default: str) -> None:
        """Where the item can go (the choices shown), and where it goes unless chosen."""
        self.after.choices = [SelectChoice(value, label) for value, label in places]
        if self.after.data is None:
            self.after.data = default


class CirculateForm(LockedForm):
    notify = BooleanField("E-mail a notice to the members and observers")


class StandingItemForm(FlaskForm):
    title = StringField("Title")
    placement = SelectField(
        "Place",
        choices=[SelectChoice(StandingPlacement.OPENING.value, "Opens the meeting"),
                 SelectChoice(StandingPlacement.CLOSING.value, "Closes the meeting")],
        validate_choice=False,
    )
    duration_minutes = MinutesField(
        "Time box in minutes", description="Leave empty for no default time box."
    )
    presenter_role = SelectField(
        "Usually presented by",
        choices=[SelectChoice("", "Nobody in particular"),
                 SelectChoice("host", "The meeting's host"),
                 SelectChoice("chair", "The dialogue's chair")],
        validate_choice=False,
    )
