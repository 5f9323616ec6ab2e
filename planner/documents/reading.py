"""The text of an uploaded statement: plain text, Word (.docx, read with python-docx) or
PDF (read with pypdf). Whatever goes wrong with a file becomes a message for the person
who uploaded it (InvalidInput on the field "file"), never a library's exception."""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings
import zipfile
from io import BytesIO
from itertools import islice
from pathlib import PurePath

from planner.validation import InvalidInput

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MEGABYTE = 1024 * 1024
# Fewer letters than this is a blank page, a stray title or a file that held no text.
MIN_LETTERS = 40

TEXT_EXTENSIONS = (".txt", ".text", ".md")
ACCEPTED = "a .txt, .docx or .pdf file"
PASTE_INSTEAD = "or paste the statement's text instead"

_LETTER = re.compile(r"[^\W\d_]")
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x85\u2028]")
_PAGE_BREAKS = re.compile(r"[\f\u2029]")
# Control characters and invisible marks that a paste or an export leaves behind; tabs
# and newlines stay (they separate cells and lines).
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff]")
_BLANK_RUNS = re.compile(r"\n{3,}")
# A PDF's running footer: "3", "- 3 -", "Page 3", "Page 3 of 7", "3/7".
_PAGE_NUMBER = re.compile(r"[\-– ]*(?:page )?\d{1,3}(?: ?(?:of|/) ?\d{1,3})?[\-– ]*",
                          re.IGNORECASE)
# Typographic ligatures that PDF text layers keep as one character.
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st",
                            "ﬆ": "st"})
# Word's symbol-font bullets (private-use characters) and its plain ones.
_WORD_BULLETS = {"\uf0b7", "\uf0a7", "\uf076", "\uf0d8", "\uf0fc", "o", "§", "·"}


def clean_text(text: str) -> str:
    """Line endings made "\\n", control characters and invisible marks removed, runs of
    blank lines made one, spaces at the ends of lines dropped. The words and punctuation
    stay exactly as they were: quotes are checked against this text character for character."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text.replace("\r\n", "\n"))
    text = _INVISIBLE.sub("", _PAGE_BREAKS.sub("\n\n", text))
    text = "\n".join(line.strip(" \t\u00a0") for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip()


def read_upload(filename: str, data: bytes) -> str:
    """The text of an uploaded statement, cleaned (see clean_text)."""
    name = PurePath(filename or "").name or "the file"
    if not data:
        raise InvalidInput.on("file", f"“{name}” is empty: upload the statement itself, "
                                      f"{PASTE_INSTEAD}.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput.on(
            "file", f"The file is {len(data) / MEGABYTE:.1f} MB; upload at most "
                    f"{MAX_UPLOAD_BYTES // MEGABYTE} MB, {PASTE_INSTEAD}."
        )
    extension = PurePath(name).suffix.lower()
    if extension in TEXT_EXTENSIONS:
        text = _text_file(name, data)
    elif extension == ".docx":
        text = _word_file(name, data)
    elif extension == ".pdf":
        text = _pdf_file(name, data)
    elif extension in (".doc", ".rtf", ".odt"):
        raise InvalidInput.on(
            "file", f"“{name}” is in a format the planner cannot read: open it in your word "
                    f"processor, save it as .docx (Word) or PDF, and upload that, "
                    f"{PASTE_INSTEAD}."
        )
    else:
        shown = f"a {extension} file" if extension else "a file without an extension"
        raise InvalidInput.on("file", f"“{name}” is {shown}: upload {ACCEPTED}, {PASTE_INSTEAD}.")
    text = clean_text(text)
    if not _has_letters(text):
        raise InvalidInput.on(
            "file", f"“{name}” holds (almost) no text: upload the statement itself, "
                    f"{PASTE_INSTEAD}."
        )
    return text


def _has_letters(text: str) -> bool:
    """At least MIN_LETTERS letters, counted only as far as needed (uploads are long)."""
    return len(list(islice(_LETTER.finditer(text), MIN_LETTERS))) == MIN_LETTERS


# --- plain text ------------------------------------------------------------------------


def _text_file(name: str, data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        raise InvalidInput.on("file", f"“{name}” is a Word document or another zipped file, "
                                      "not plain text: upload it under its own name (.docx).")
    if data.startswith(b"%PDF-"):
        raise InvalidInput.on("file", f"“{name}” is a PDF, not plain text: upload it under "
                                      "its own name (.pdf).")
    text = _decode(data)
    sample = text[:65536]  # a binary file shows itself in its first pages
    if len(_BINARY_CONTROLS.findall(sample)) > len(sample) // 20:
        raise InvalidInput.on("file", f"“{name}” is not a text file: upload {ACCEPTED}, "
                                      f"{PASTE_INSTEAD}.")
    return text


def _decode(data: bytes) -> str:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: most likely saved by a Windows editor in Western Europe (cp1252), whose
    # five unused bytes latin-1 still reads.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --- Word ------------------------------------------------------------------------------


def _word_file(name: str, data: bytes) -> str:
    not_word = (f"“{name}” is not a Word document (.docx), though its name says so: open it "
                f"and save it again as .docx or PDF, {PASTE_INSTEAD}.")
    if not zipfile.is_zipfile(BytesIO(data)):
        raise InvalidInput.on("file", not_word)
    try:
        import docx

        document = docx.Document(BytesIO(data))
        return "\n\n".join(_word_blocks(document))
    except Exception as error:  # python-docx, zipfile and lxml raise many kinds
        raise InvalidInput.on("file", not_word) from error


def _word_blocks(document) -> list[str]:
    """The body's paragraphs and tables in document order; a numbered or bulleted
    paragraph gets the number or bullet that Word shows (it is not in the text itself)."""
    from docx.table import Table

    numbering = _WordNumbering(document)
    blocks = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            blocks.extend(_table_rows(block))
        elif block.text.strip():
            blocks.append(_heading_mark(block) + numbering.label(block) + block.text)
    return blocks


def _heading_mark(paragraph) -> str:
    """Word's title and headings marked as markdown ("# ", "## "), the one way a pasted
    text can say "this line is a heading"; the splitter reads both alike."""
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name == "Title":
        return "# "
    level = re.fullmatch(r"Heading (\d)", name)
    return "#" * (int(level[1]) + 1) + " " if level else ""


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell comes back once per column it spans
                continue
            seen.add(id(cell._tc))
            text = " ".join(p.text for p in cell.paragraphs if p.text.strip())
            text += "".join(" " + nested for t in cell.tables for nested in _table_rows(t))
            if text.strip():
                cells.append(text.strip())
        if cells:
            rows.append("\t".join(cells))
    return rows


class _WordNumbering:
    """Word keeps list numbers in numbering.xml, not in the paragraph's text: count each
    list's levels as Word does, so that "1.", "II." or "(a)" come out before the text."""

    FORMATS = {
        "decimal": str,
        "upperRoman": lambda n: _roman(n),
        "lowerRoman": lambda n: _roman(n).lower(),
        "upperLetter": lambda n: chr(64 + (n - 1) % 26 + 1),
        "lowerLetter": lambda n: chr(96 + (n - 1) % 26 + 1),
    }

    def __init__(self, document):
        try:
            self.root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            self.root = None
        self.counters: dict[str, list[int]] = {}

    def label(self, paragraph) -> str:
        if self.root is None:
            return ""
        try:
            return self._label(paragraph)
        except Exception:  # an odd numbering definition costs the number, not the text
            return ""

    def _label(self, paragraph) -> str:
        num_id, level = self._num_pr(paragraph)
        if num_id is None or num_id == "0":
            return ""
        levels = self._levels(num_id)
        if level not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[level] += 1
        for deeper in range(level + 1, 9):
            counters[deeper] = 0
        fmt, text, starts = levels[level]
        if fmt == "bullet" or fmt not in self.FORMATS and fmt != "none":
            return "• "
        if fmt == "none":
            return ""

        def number(match: re.Match) -> str:
            at = int(match[1]) - 1
            at_fmt = levels.get(at, (fmt, "", 1))[0]
            value = starts.get(at, 1) - 1 + max(counters[at], 1)
            return self.FORMATS.get(at_fmt, str)(value)

        return re.sub(r"%(\d)", number, text).strip() + " "

    def _num_pr(self, paragraph) -> tuple[str | None, int]:
        for source in (paragraph._p.pPr, getattr(paragraph.style.element, "pPr", None)):
            num_pr = source.numPr if source is not None else None
            if num_pr is not None and num_pr.numId is not None:
                level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
                return str(num_pr.numId.val), int(level)
        return None, 0

    def _levels(self, num_id: str) -> dict[int, tuple[str, str, dict[int, int]]]:
        abstract = self._xpath(
            self.root, f'./w:abstractNum[@w:abstractNumId=string(../w:num[@w:numId="{num_id}"]'
                       f'/w:abstractNumId/@w:val)]'
        )
        if not abstract:
            return {}
        levels, starts = {}, {}
        for lvl in self._xpath(abstract[0], "./w:lvl"):
            at = int(self._xpath(lvl, "string(@w:ilvl)") or 0)
            starts[at] = int(self._xpath(lvl, "string(./w:start/@w:val)") or 1)
            fmt = self._xpath(lvl, "string(./w:numFmt/@w:val)") or "decimal"
            text = self._xpath(lvl, "string(./w:lvlText/@w:val)")
            if fmt == "bullet" or text in _WORD_BULLETS:
                fmt = "bullet"
            levels[at] = (fmt, text, starts)
        return levels


    @staticmethod
    def _xpath(element, path: str):
        from docx.oxml.ns import nsmap
        from lxml import etree

        return etree.XPath(path, namespaces={"w": nsmap["w"]})(element)


def _roman(number: int) -> str:
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out, number = out + numeral, number - value
    return out


# --- PDF -------------------------------------------------------------------------------


def _pdf_file(name: str, data: bytes) -> str:
    if b"%PDF-" not in data[:1024]:
        raise InvalidInput.on("file", f"“{name}” is not a PDF, though its name says so: "
                                      f"upload {ACCEPTED}, {PASTE_INSTEAD}.")
    try:
        # A damaged but readable PDF makes pypdf warn; the text is what matters here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pages = _pdf_pages(name, data)
    except InvalidInput:
        raise
    except Exception as error:  # pypdf raises many kinds on a damaged file
        raise InvalidInput.on(
            "file", f"“{name}” cannot be read as a PDF (it may be damaged): save it again "
                    f"as PDF or .docx, {PASTE_INSTEAD}."
        ) from error
    text = "\n".join(pages).translate(_LIGATURES)
    if not _has_letters(text):
        raise InvalidInput.on(
            "file", f"“{name}” has no text layer: it looks like a scan, an image of the pages. "
                    f"Paste the statement's text instead, or run the PDF through OCR (text "
                    f"recognition) first and upload the result."
        )
    # The footers go with their line, so that a paragraph running over a page stays one.
    lines = text.split("\n")
    return "\n".join(line for line in lines if not _PAGE_NUMBER.fullmatch(line.strip()))


def _pdf_pages(name: str, data: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    if reader.is_encrypted:
        # Many PDFs are encrypted only against editing, with an empty password to open.
        try:
            opened = reader.decrypt("")
        except Exception:  # an encryption pypdf cannot undo (e.g. AES without cryptography)
            opened = 0
        if not opened:
            raise InvalidInput.on(
                "file", f"“{name}” is protected by a password: save a copy without the "
                        f"password, {PASTE_INSTEAD}."
            )
    return [page.extract_text() or "" for page in reader.pages]
