"""Reading an uploaded statement (plain text, Word, PDF) and splitting a statement into
its sections and proposed commitments, on small inputs made here."""

from __future__ import annotations

import io
import time

import docx
import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from planner.agendas.exports import FONT_DIR, FONT_FILES
from planner.documents.importer import (
    MAX_UPLOAD_BYTES,
    ParticipantName,
    clean_text,
    propose,
    read_upload,
    split_sections,
)
from planner.validation import InvalidInput

STATEMENT = [
    "Statement of cooperation on home affairs",
    "I. Illicit finance",
    "The Participants recognise the importance of bilateral dialogue and cooperation to "
    "improve our understanding of illicit financial flows. They agree to deliver a "
    "coordinated and joint response, says Minister Yeşilgöz-Zegerius.",
    "II. Corruption",
    "In this context, they will enhance their bilateral dialogue on tackling corruption.",
]


def refused(filename: str, data: bytes) -> str:
    with pytest.raises(InvalidInput) as caught:
        read_upload(filename, data)
    assert set(caught.value.errors) == {"file"}
    return caught.value.errors["file"]


# --- reading files -----------------------------------------------------------------------


def word_document(paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    document.add_paragraph(paragraphs[0], style="Title")
    for paragraph in paragraphs[1:]:
        if paragraph.startswith(("I.", "II.")):
            document.add_heading(paragraph, level=1)
        else:
            document.add_paragraph(paragraph)
    if table:
        cells = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                cells.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_document_gives_its_paragraphs_in_order_and_its_tables() -> None:
    data = word_document(STATEMENT, table=[["Action", "Lead"], ["Share data", "Albania"]])
    text = read_upload("statement.docx", data)
    for earlier, later in zip(STATEMENT, STATEMENT[1:], strict=False):
        assert text.index(earlier) < text.index(later)
    assert "Share data\tAlbania" in text
    sections = split_sections(text)
    assert [(s.label, s.heading) for s in sections] == [("I", "Illicit finance"),
                                                         ("II", "Corruption")]
    assert "Yeşilgöz-Zegerius" in sections[0].text


def test_word_list_numbers_and_bullets_come_out_as_word_shows_them() -> None:
    """They are not in the paragraphs' text: Word numbers a list when it shows it."""
    document = docx.Document()
    document.add_paragraph("Joint statement", style="Title")
    document.add_paragraph("The Participants will set up a platform for the ports.",
                           style="List Number")
    document.add_paragraph("They agree to:", style="List Number")
    document.add_paragraph("exchange information on containers;", style="List Bullet")
    document.add_paragraph("train customs officers together.", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    text = read_upload("plan.docx", buffer.getvalue())
    assert "1. The Participants will set up" in text
    assert "2. They agree to:" in text
    assert "• exchange information on containers;" in text
    sections = split_sections(text)
    assert [s.label for s in sections] == ["1", "2"]
    assert [p.quote for p in propose(sections)] == [
        "The Participants will set up a platform for the ports.",
        "exchange information on containers;",
        "train customs officers together.",
    ]


def pdf_with_text(paragraphs: list[str]) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("SourceSans", "", str(FONT_DIR / FONT_FILES[""]))
    pdf.set_font("SourceSans", "", 11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


def test_a_pdf_gives_its_text_and_its_wrapped_lines_make_paragraphs_again() -> None:
    text = read_upload("statement.pdf", pdf_with_text(STATEMENT))
    assert "Yeşilgöz-Zegerius" in text
    sections = split_sections(text)
    assert [(s.label, s.heading) for s in sections] == [("I", "Illicit finance"),
                                                         ("II", "Corruption")]
    assert sections[0].text.startswith("The Participants recognise the importance of bilateral "
                                       "dialogue and cooperation to improve our understanding")
    assert [p.quote for p in propose(sections)] == [
        "They agree to deliver a coordinated and joint response, says Minister "
        "Yeşilgöz-Zegerius.",
        "In this context, they will enhance their bilateral dialogue on tackling corruption.",
    ]


class PdfWithPageNumbers(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=9)
        self.cell(0, 10, f"Page {self.page_no()} of 2", align="C")


def test_a_paragraph_running_over_a_page_stays_whole_without_the_page_numbers() -> None:
    pdf = PdfWithPageNumbers()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Statement on ports", new_x="LMARGIN", new_y="NEXT")
    paragraph = "The Participants will cooperate closely on the ports of their countries. " * 14
    for n in range(1, 6):
        pdf.multi_cell(0, 6, f"{n}. {paragraph}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    assert pdf.page_no() == 2
    sections = split_sections(read_upload("ports.pdf", bytes(pdf.output())))
    assert [s.label for s in sections] == ["1", "2", "3", "4", "5"]
    assert all(s.text == paragraph.strip() for s in sections)


def test_a_scanned_pdf_is_refused_with_advice() -> None:
    pdf = FPDF()
    pdf.add_page()
    page = Image.new("RGB", (60, 80), "white")
    page.paste((20, 20, 20), (10, 10, 50, 14))  # a line of "print"
    pdf.image(page, x=10, y=10, w=190)
    message = refused("scan.pdf", bytes(pdf.output()))
    assert "scan" in message and "OCR" in message and "Paste" in message


def test_a_password_protected_pdf_is_refused() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_text(STATEMENT))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "password" in refused("locked.pdf", buffer.getvalue())


def test_a_pdf_locked_only_against_editing_is_read() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_text(STATEMENT))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "Illicit finance" in read_upload("open.pdf", buffer.getvalue())


def test_a_damaged_pdf_is_refused_not_a_crash() -> None:
    assert "cannot be read" in refused("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert "not a PDF" in refused("renamed.pdf", b"The statement, saved as text. " * 10)


@pytest.mark.parametrize("data", [bytes(range(256)) * 40, b"The statement in plain text. " * 20,
                                  b"PK\x03\x04" + b"\x00" * 200])
def test_a_file_named_docx_that_is_no_word_document_is_refused(data: bytes) -> None:
    assert "not a Word document" in refused("statement.docx", data)


def test_an_empty_file_is_refused() -> None:
    assert "empty" in refused("statement.txt", b"")


def test_a_file_over_the_limit_is_refused_with_its_size() -> None:
    message = refused("statement.pdf", b"%PDF-1.7" + b" " * (20 * 1024 * 1024 - 8))
    assert message.startswith("The file is 20.0 MB; upload at most 10 MB")
    assert MAX_UPLOAD_BYTES == 10 * 1024 * 1024


@pytest.mark.parametrize(("filename", "says"), [
    ("statement.odt", "save it as .docx"),
    ("statement.doc", "save it as .docx"),
    ("statement.xlsx", "a .xlsx file"),
    ("statement", "without an extension"),
])
def test_an_unknown_kind_of_file_is_refused(filename: str, says: str) -> None:
    assert says in refused(filename, b"The statement. " * 20)


def test_a_text_file_in_windows_1252_keeps_its_accents_and_quotes() -> None:
    text = "Le Ministère de l’Intérieur et “le Home Office” – coopération renforcée. " * 3
    assert read_upload("statement.txt", text.encode("cp1252")) == text.strip()


def test_a_text_file_with_a_byte_order_mark_and_windows_line_endings() -> None:
    data = "\ufeffTitle\r\n\r\nThe Participants will meet.\r\nThey agree to share data.\r\n"
    text = read_upload("statement.txt", data.encode("utf-8"))
    assert text == "Title\n\nThe Participants will meet.\nThey agree to share data."
    assert "\ufeff" not in text and "\r" not in text


def test_a_text_file_that_is_binary_or_nearly_empty_is_refused() -> None:
    assert "not a text file" in refused("statement.txt", bytes(range(32)) * 50)
    assert "Word document" in refused("statement.txt", word_document(STATEMENT))
    assert "no text" in refused("statement.txt", b"Title\n\n\n   \n")


def test_clean_text_keeps_the_words_and_drops_what_is_invisible() -> None:
    raw = "Title\r\n\r\n\r\n\r\nThe HO\x00 and MoI\u200b  agree\u00ad.  \r\n\x0cNext  page"
    assert clean_text(raw) == "Title\n\nThe HO and MoI  agree.\n\nNext  page"


# --- sections ----------------------------------------------------------------------------


def labels(text: str) -> list[tuple[str, str]]:
    return [(s.label, s.heading) for s in split_sections(text)]


def test_nothing_to_split_is_said_on_the_text_field() -> None:
    for text in ("", "  \n\n ", "* * *"):
        with pytest.raises(InvalidInput) as caught:
            split_sections(text)
        assert set(caught.value.errors) == {"text"}


def test_numbered_paragraphs_in_their_three_styles() -> None:
    for style in ("{n}.", "{n})", "({n})"):
        text = "JOINT COMMUNIQUE\n\n" + "\n\n".join(
            f"{style.format(n=n)} The Ministers met for the {n}th time." for n in (1, 2, 3))
        assert labels(text) == [("1", ""), ("2", ""), ("3", "")]
        assert split_sections(text)[0].text == "The Ministers met for the 1th time."


def test_sub_paragraphs_letters_and_bullets_stay_in_their_paragraph() -> None:
    text = """Action plan

1. Ports

1.1 The Participants will set up a platform.

1.2 It will meet twice a year:

(a) in spring;

(b) in autumn.

2. Finance

The Participants decide to screen transactions:

• of shipping companies;

• of transport providers.

3. The Participants will meet again in Rome."""
    sections = split_sections(text)
    assert [(s.label, s.heading) for s in sections] == [("1", "Ports"), ("2", "Finance"),
                                                        ("3", "")]
    assert sections[0].text.split("\n\n") == [
        "1.1 The Participants will set up a platform.", "1.2 It will meet twice a year:",
        "(a) in spring;", "(b) in autumn."]
    proposals = propose(sections)
    assert [(p.section_label, p.quote) for p in proposals] == [
        ("1", "The Participants will set up a platform."),
        ("1", "in spring;"), ("1", "in autumn."),
        ("2", "of shipping companies;"), ("2", "of transport providers."),
    ]  # "1.1 " is the paragraph's number, not the commitment's words; "meet again" is a meeting
    assert proposals[0].theme == "Ports"


def test_roman_headings_with_an_introduction_front_matter_and_signatures() -> None:
    text = """Policy paper

Statement of cooperation between A and B

Published 29 November 2023

London, November 2023

Introduction

The Ministry of A and the Office of B acknowledge their common interest.

I. Ports

They will work together on the ports.

II. Finance

They agree to screen transactions.

For the Ministry of A

Jane Doe, Minister

For the Office of B

John Roe, Secretary"""
    sections = split_sections(text)
    assert [(s.label, s.heading) for s in sections] == [
        ("Intro", "Introduction"), ("I", "Ports"), ("II", "Finance")]
    assert sections[-1].text == "They agree to screen transactions."
    assert [p.theme for p in propose(sections)] == ["Ports", "Finance"]


def test_a_heading_fits_its_column_and_a_theme_fits_a_themes_name() -> None:
    shouting = " ".join(["ORGANISED IMMIGRATION CRIME AND BORDER SECURITY"] * 4)  # 24 words
    text = f"Statement\n\nThe Participants met.\n\n{shouting}\n\nThe Participants will share data."
    section = split_sections(text)[-1]
    assert section.heading == shouting and len(shouting) > 120
    (proposal,) = propose([section])
    assert len(proposal.theme) == 120 and proposal.theme.endswith("…")


def test_plain_paragraphs_after_the_title_under_their_headings() -> None:
    text = """# Action plan against organised crime

## Ports and logistics hubs

The six countries will set up a platform for the ports.

SCREENING

The six countries will also scale up the screening of transactions.

The group will meet again next spring in Antwerp."""
    assert labels(text) == [("¶1", "Ports and logistics hubs"), ("¶2", "SCREENING"),
                            ("¶3", "SCREENING")]


def test_a_press_note_keeps_the_text_between_begin_and_end_and_not_the_delegations() -> None:
    text = """Joint Statement from A and B

On 7 February, A hosted B for the fourth meeting of the committee.

* * * Begin text * * *

We commit to developing a joint report.

Together we will work to stem the flow of firearms.

* * * End text * * *

A’s delegation was led by the Secretary of Security and included the Ambassador."""
    sections = split_sections(text)
    assert [s.label for s in sections] == ["¶1", "¶2"]
    assert sections[0].text == "We commit to developing a joint report."


def test_hard_wrapped_text_is_joined_into_its_paragraphs() -> None:
    text = (
        "Statement on cooperation\n"
        "The Participants recognise the importance of the work of the task force, which\n"
        "has been running since 2019 and has shown good results. They agree to continue\n"
        "it for three more years and to report to ministers each year.\n"
        "The Participants will publish a yearly report on the task force's results.\n"
    )
    sections = split_sections(text)
    assert [s.label for s in sections] == ["¶1", "¶2"]
    assert "which has been running since 2019" in sections[0].text


def test_a_long_statement_imports_fast() -> None:
    paragraph = ("The Participants recognise the importance of dialogue. They agree to deliver "
                 "a coordinated and joint response, including on money laundering methodologies "
                 "and professional enablers who exploit policy and legislative loopholes. Both "
                 "countries recall the Joint Communiqué (2022), which focused on cooperation.")
    text = "Title\n\n" + "\n\n".join(f"{n}. {paragraph}" for n in range(1, 1201))  # 100 pages
    started = time.perf_counter()
    proposals = propose(split_sections(text))
    assert time.perf_counter() - started < 1.0
    assert len(proposals) == 1200


# --- sentences and commitments -----------------------------------------------------------


def quotes(text: str, participants=()) -> list[str]:
    return [p.quote for p in propose(split_sections("Title\n\n" + text), participants)]


def test_sentences_do_not_break_at_abbreviations_numbers_or_inside_quotes() -> None:
    text = ("Officials of the U.S. Department of Justice met Dr. Smith and H.E. Prof. Rais, "
            "e.g. on 3.5 million in No. 5 of the reports. The Participants will share the "
            "report “on the U.S. border. And the ports.” with Europol. Nathalie G. Drouin will "
            "chair the committee.")
    assert quotes(text) == [
        "The Participants will share the report “on the U.S. border. And the ports.” with "
        "Europol.",
        "Nathalie G. Drouin will chair the committee.",
    ]


def test_the_quote_is_the_statements_own_words() -> None:
    text = "In recognition of this, the HO and MoI commit to establishing a dialogue — “yearly”."
    (proposal,) = propose(split_sections("Title\n\n" + text))
    assert proposal.quote == text
    assert proposal.title == "Establishing a dialogue — “yearly”"


def test_welcomes_notes_and_recalls_are_not_commitments() -> None:
    text = ("The two leaders welcomed the commitment of Europol to share data. They noted "
            "that the ministers had agreed to meet. Both countries recall the Communiqué which "
            "focused on enhanced cooperation. They noted the importance of the ideas, and "
            "expressed their willingness to work together.")
    assert quotes(text) == ["They noted the importance of the ideas, and expressed their "
                            "willingness to work together."]


def test_quoted_speech_predictions_and_the_next_meeting_are_not_commitments() -> None:
    text = ("'By acting as one, we will tackle these criminals', said the minister. The report "
            "will broaden our understanding. We are optimistic that our efforts will help. "
            "The group will meet again next spring in Antwerp. A platform is being set up for "
            "the ports. The coalition is being strengthened.")
    assert quotes(text) == ["A platform is being set up for the ports."]


def test_the_leads_are_the_participants_the_sentence_names() -> None:
    participants = [ParticipantName(1, ("Home Office of the United Kingdom", "UK")),
                    ParticipantName(2, ("Ministry of Interior of Albania", "AL", "Albania")),
                    ParticipantName(3, ("Europol",), is_member=False)]
    text = ("The Home Office of the United Kingdom (the ‘HO’) and Albania work together. "
            "The HO will train Albanian officers. The Participants will share data with "
            "Europol. Europol will host the meeting. A platform is being set up to enable the "
            "Participants to share data. There will be support for innovation.")
    proposals = propose(split_sections("Title\n\n" + text), participants)
    assert [(p.quote[:20], p.lead_ids) for p in proposals] == [
        ("The HO will train Al", (1,)),  # not Albania: it is trained
        ("The Participants wil", (1, 2)),  # the members, not the observer
        ("Europol will host th", (3,)),
        ("A platform is being ", (1, 2)),
        ("There will be suppor", ()),
    ]
