from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from planner.models import DocumentKind
from planner.scheduling.forms import ChoiceField


class DocumentForm(FlaskForm):
    kind = ChoiceField("Kind of document", invalid="Choose a statement, an action plan or a "
                                                   "communiqué.",
                       choices=[SelectChoice(k.value, k.label) for k in DocumentKind])
    title = StringField("Title")
    place = StringField("Place", description="Where it was agreed or signed.")
    issued_on = DateField("Agreed or signed on", validators=[Optional()])
    published_on = DateField("Published on (if another day)", validators=[Optional()])
    file = FileField("Upload the document (.txt, .docx or .pdf, at most 10 MB)")
    text = TextAreaField("Or paste its text", render_kw={"rows": 14})


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CandidateForm(FlaskForm):
    """One candidate on the review page: each has its own form and prefix. The page's
    one CSRF token (checked by CSRFProtect for every POST) stands for all of them."""

    class Meta:
        csrf = False

    title = StringField("Title")
    theme = ChoiceField("Theme", invalid="Choose one of this dialogue's themes, or none.")
    leads = CheckboxesField("Leads", coerce=int, validate_choice=False)
    merge_with = HiddenField()

    def __init__(self, *args, themes=(), new_theme="", members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [SelectChoice("", "General and delivery (no theme)")]
        if new_theme:
            choices.append(SelectChoice(f"new:{new_theme}", f"New theme: {new_theme}"))
        self.theme.choices = choices + [SelectChoice(str(t.id), t.label) for t in themes]
        self.leads.choices = [(p.id, p.short_name) for p in members]
