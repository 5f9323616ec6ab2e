"""How the demo split its two statements before the importer existed, kept as the
reference the importer must still match exactly: the demo's section labels (Intro, I–V;
¶1–¶7) are in every reference people quote (I.1, ¶5.2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from planner.demo.statements import COALITION, UK_ALBANIA, read

_ROMAN_HEADING = re.compile(r"^(?P<label>[IVX]+)\. (?P<heading>.+)$")


@dataclass(frozen=True)
class Section:
    label: str
    heading: str
    text: str


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def uk_albania_sections() -> list[Section]:
    """'Introduction', then the numbered sections I to V; the signatures are left out."""
    sections: list[Section] = []
    label = heading = None
    body: list[str] = []
    for paragraph in _paragraphs(read(UK_ALBANIA)):
        match = _ROMAN_HEADING.match(paragraph)
        if paragraph == "Introduction" or match:
            if label:
                sections.append(Section(label, heading or "", "\n\n".join(body)))
            label, heading = (match["label"], match["heading"]) if match else ("Intro", paragraph)
            body = []
        elif paragraph.startswith("For the "):
            break
        elif label:
            body.append(paragraph)
    if label:
        sections.append(Section(label, heading or "", "\n\n".join(body)))
    return sections


def coalition_sections() -> list[Section]:
    """A press statement without headings: each paragraph is a section, ¶1, ¶2, ..."""
    paragraphs = _paragraphs(read(COALITION))[1:]  # the first line is the title
    return [Section(f"¶{n}", "", text) for n, text in enumerate(paragraphs, start=1)]
