"""From a founding statement to its sections and the commitments it makes.

Pure functions, no database: the secretariat uploads or pastes a statement, the text is
read (read_upload, clean_text), split into sections (split_sections) and the sentences in
which the participants undertake something are proposed as commitments (propose). The
secretariat then accepts, edits or drops each proposal; nothing here decides for them.

How a statement is split, by the first shape that fits:
- headings numbered in roman numerals ("I. Illicit finance"): a section per heading,
  with what comes before the first (after the title and the dates) as "Intro";
- numbered paragraphs ("1.", "1)", "(1)"): a section per number, labelled "1", "2" ...;
  sub-paragraphs ("4.1"), lettered lists and bullets stay in their paragraph's section;
- otherwise each paragraph after the title is a section "¶1", "¶2" ..., under the last
  heading (markdown or a short line of its own) where the statement has headings.
A "Begin text"/"End text" pair keeps what stands between; the signatures ("For the
Ministry ...") and the place and date after the last paragraph are left out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from planner.documents.reading import MAX_UPLOAD_BYTES, clean_text, read_upload
from planner.validation import InvalidInput

__all__ = [
    "MAX_UPLOAD_BYTES",
    "ParsedSection",
    "ParticipantName",
    "Proposal",
    "clean_text",
    "propose",
    "read_upload",
    "split_sections",
]

TITLE_LENGTH = 120
HEADING_LENGTH = 200  # DocumentSection.heading's column
THEME_LENGTH = 120  # Theme.name's column


@dataclass(frozen=True)
class ParsedSection:
    label: str
    heading: str
    text: str


@dataclass(frozen=True)
class ParticipantName:
    id: int
    names: tuple[str, ...]
    is_member: bool = True


@dataclass(frozen=True)
class Proposal:
    section_label: str
    quote: str
    title: str
    theme: str
    lead_ids: tuple[int, ...]


# --- paragraphs --------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"\n\s*\n")
# Hard-wrapped text (e-mail, a PDF's lines) is at least this wide and at most that.
WRAPPED_WIDTH = (50, 150)

_ROMAN_HEADING = re.compile(r"^(?P<mark>[IVX]{1,7})[.)]\s+(?P<rest>\S.*)$")
_NUMBERED_PARAGRAPH = re.compile(r"^(?:(?P<n>\d{1,3})[.)]|\((?P<p>\d{1,3})\))\s+(?P<rest>\S.*)$")
_SUB_PARAGRAPH = re.compile(r"^\d{1,3}(?:\.\d{1,3})+\.?\s+")  # "4.1 ", "4.1.2. "
_LIST_ITEM = re.compile(r"^(?:[•●▪◦‣∙·\-–—*]|\([a-z]{1,4}\)|[a-z]{1,4}\)|[a-z]\.)\s+")
_MARKDOWN_HEADING = re.compile(r"^(?:#{1,6}\s+(?P<hashes>.+?)\s*#*|\*\*(?P<bold>[^*]+)\*\*)$")
_BEGIN_TEXT = re.compile(r"^[*\s]*begin\s+(?:the\s+)?text[*\s:.]*$", re.IGNORECASE)
_END_TEXT = re.compile(r"^[*\s]*end\s+(?:of\s+)?(?:the\s+)?text[*\s:.]*$", re.IGNORECASE)
# Where the statement ends and its signatures or the press office's notes begin.
_SIGNATURE = re.compile(r"^(?:For|On behalf of) (?:the )?\S*[A-Z]")
_CLOSING = re.compile(
    r"^(?:Done (?:at|in)\b|Signed (?:at|in|on|by)\b|In witness whereof\b|Notes? (?:to|for) "
    r"editors\b|ENDS?\W*$|-?30-?$|#{3}$)", re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?;…][\"'”’)\]]*$")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_LEAD_IN_VERB = re.compile(r"\b(?:will|shall|agree|commit|undertake|decide|resolve)", re.I)
INTRO_HEADINGS = {"introduction", "preamble", "background", "context", "overview",
                  "foreword", "preface", "summary", "purpose", "general"}


def _paragraphs(text: str) -> list[str]:
    paragraphs = []
    for block in _BLANK_LINE.split(text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        paragraphs.extend(_unmark(" ".join(p.split())) for p in _unwrap(lines))
    return paragraphs


def _unmark(paragraph: str) -> str:
    """ "## IV. Organised immigration crime": the number says more than the markdown."""
    heading = _MARKDOWN_HEADING.match(paragraph)
    text = heading and (heading["hashes"] or heading["bold"])
    return text if text and (_ROMAN_HEADING.match(text) or _NUMBERED_PARAGRAPH.match(text)) \
        else paragraph


def _unwrap(lines: list[str]) -> list[str]:
    """Lines of one block: joined where the text was wrapped, kept apart where each line
    is a paragraph (a pasted web page, a title page) or starts a numbered or listed one."""
    if len(lines) < 2:
        return lines
    width = max(len(line) for line in lines)
    if not WRAPPED_WIDTH[0] <= width <= WRAPPED_WIDTH[1]:
        return lines
    paragraphs = [lines[0]]
    for previous, line in zip(lines, lines[1:], strict=False):
        ended_short = len(previous) < 0.6 * width
        ended_sentence = (_SENTENCE_END.search(previous) and len(previous) < 0.85 * width
                          and (line[0].isupper() or line[0].isdigit()))
        if ended_short or ended_sentence or _is_marked(line):
            paragraphs.append(line)
        else:
            paragraphs[-1] += " " + line
    return paragraphs


def _is_marked(paragraph: str) -> bool:
    return bool(_ROMAN_HEADING.match(paragraph) or _NUMBERED_PARAGRAPH.match(paragraph)
                or _SUB_PARAGRAPH.match(paragraph) or _LIST_ITEM.match(paragraph))


def _is_prose(paragraph: str) -> bool:
    return (bool(_SENTENCE_END.search(paragraph)) or len(paragraph.split()) > 25
            or _is_lead_in(paragraph))


def _is_lead_in(paragraph: str) -> bool:
    """ "The Ministers met in Brussels and agreed as follows:", not "Home affairs:"."""
    return paragraph.endswith(":") and (len(paragraph.split()) > 8
                                        or bool(_LEAD_IN_VERB.search(paragraph)))


def _is_heading(paragraph: str) -> bool:
    """A line of its own that names what follows: "Illicit finance", "PORTS", "## Ports"."""
    if _MARKDOWN_HEADING.match(paragraph):
        return True
    words = paragraph.split()
    if not words or _LIST_ITEM.match(paragraph) or not (paragraph[0].isupper()
                                                          or paragraph[0].isdigit()):
        return False
    if _SENTENCE_END.search(paragraph) or paragraph.endswith(","):
        return False
    if _is_lead_in(paragraph):
        return False
    if _YEAR.search(paragraph) and len(words) <= 6:
        return False  # "London, November 2023": a dateline
    shouting = paragraph.isupper() and len(words) <= 25
    return len(words) <= 12 or shouting


def _heading_text(paragraph: str) -> str:
    match = _MARKDOWN_HEADING.match(paragraph)
    text = (match["hashes"] or match["bold"]) if match else paragraph
    text = text.strip().rstrip(":").strip()
    return text if len(text) <= HEADING_LENGTH else text[: HEADING_LENGTH - 1] + "…"


def _statement_body(paragraphs: list[str]) -> list[str]:
    """The paragraphs of the statement itself: inside "Begin text" … "End text" where the
    press note marks it, up to the signatures, without the place and date at the end."""
    begin = next((i for i, p in enumerate(paragraphs) if _BEGIN_TEXT.match(p)), None)
    if begin is not None:
        paragraphs = paragraphs[begin + 1:]
    end = next((i for i, p in enumerate(paragraphs) if _END_TEXT.match(p)), None)
    if end is not None:
        paragraphs = paragraphs[:end]
    first_prose = next((i for i, p in enumerate(paragraphs) if _is_prose(p)), len(paragraphs))
    for i in range(first_prose + 1, len(paragraphs)):
        paragraph = paragraphs[i]
        signature = _SIGNATURE.match(paragraph) and not _is_prose(paragraph)
        if signature or _CLOSING.match(paragraph):
            paragraphs = paragraphs[:i]
            break
    while paragraphs and not _is_prose(paragraphs[-1]) and not _LIST_ITEM.match(paragraphs[-1]):
        paragraphs = paragraphs[:-1]  # "Jakarta, 13 August 2001", a name, a title
    return paragraphs


# --- sections --------------------------------------------------------------------------


def split_sections(text: str) -> list[ParsedSection]:
    """The statement's sections in order; see the module's docstring for the shapes.
    Raises InvalidInput on "text" when there is nothing to split."""
    everything = _paragraphs(clean_text(text or ""))
    if not any(ch.isalpha() for p in everything for ch in p):
        raise InvalidInput.on("text", "There is no text to split into sections: paste the "
                                      "statement, or upload it as a file.")
    paragraphs = _statement_body(everything)
    roman = _numbered(paragraphs, _ROMAN_HEADING, _roman_value)
    if len(roman) >= 2:
        sections = _numbered_sections(paragraphs, roman, _ROMAN_HEADING, headings_in_text=True)
    else:
        numbered = _numbered(paragraphs, _NUMBERED_PARAGRAPH, _arabic_value)
        if len(numbered) >= 2:
            sections = _numbered_sections(paragraphs, numbered, _NUMBERED_PARAGRAPH,
                                          headings_in_text=False)
        else:
            sections = _paragraph_sections(paragraphs)
    if not sections:  # too short to tell a title from a paragraph: keep every paragraph
        sections = [ParsedSection(f"¶{n}", "", p) for n, p in enumerate(everything, start=1)]
    return sections


def _roman_value(mark: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for ch, following in zip(mark, mark[1:] + " ", strict=False):
        value = values[ch]
        total += -value if values.get(following, 0) > value else value
    return total


def _arabic_value(match: re.Match) -> int:
    return int(match["n"] or match["p"])


def _numbered(paragraphs: list[str], pattern: re.Pattern, value) -> list[int]:
    """Indexes of the paragraphs that number the statement's sections: one, then each
    number a little above the last (a skipped number is a typo; a list inside a section
    that starts again at 1 is not the statement's numbering)."""
    found: list[int] = []
    last = 0
    for i, paragraph in enumerate(paragraphs):
        match = pattern.match(paragraph)
        if not match:
            continue
        number = value(match["mark"]) if "mark" in pattern.groupindex else value(match)
        if (not found and number == 1) or (found and last < number <= last + 2):
            found.append(i)
            last = number
    return found


def _numbered_sections(paragraphs: list[str], marks: list[int], pattern: re.Pattern, *,
                       headings_in_text: bool) -> list[ParsedSection]:
    sections = []
    intro_heading, intro, theme = _intro(paragraphs[: marks[0]],
                                         themes_between=not headings_in_text)
    if intro:
        sections.append(ParsedSection("Intro", intro_heading, "\n\n".join(intro)))
    for at, following in zip(marks, [*marks[1:], len(paragraphs)], strict=False):
        match = pattern.match(paragraphs[at])
        label = match["mark"] if "mark" in pattern.groupindex else str(_arabic_value(match))
        rest, body = match["rest"], list(paragraphs[at + 1: following])
        next_theme = None
        if not headings_in_text and body and _is_heading(body[-1]):
            next_theme = _heading_text(body.pop())  # an unnumbered heading over what follows
        if _is_heading(rest):  # "2. Finance": its own heading, not the next section's
            heading, text = _heading_text(rest), body
        else:
            heading, text = theme, [rest, *body]
        sections.append(ParsedSection(label, heading, "\n\n".join(text)))
        theme = next_theme if next_theme is not None else theme
    return sections


def _intro(lead: list[str], *, themes_between: bool) -> tuple[str, list[str], str]:
    """What stands before the first numbered section: (its heading, its paragraphs, a
    heading over the first sections). The title, "Published ..." and the dateline go."""
    first = next((i for i, p in enumerate(lead) if _is_prose(p) or _LIST_ITEM.match(p)), None)
    if first is None:
        return "", [], ""
    heading = ""
    if first > 0 and _is_intro_heading(lead[first - 1], first - 1):
        heading = _heading_text(lead[first - 1])
    body = list(lead[first:])
    theme = ""
    if themes_between and len(body) > 1 and _is_heading(body[-1]):
        theme = _heading_text(body.pop())
    return heading, body, theme


def _is_intro_heading(paragraph: str, position: int) -> bool:
    if _MARKDOWN_HEADING.match(paragraph):
        return position > 0  # the first line is the statement's title
    return _heading_text(paragraph).lower() in INTRO_HEADINGS


def _paragraph_sections(paragraphs: list[str]) -> list[ParsedSection]:
    first = next((i for i, p in enumerate(paragraphs) if _is_prose(p) or _LIST_ITEM.match(p)),
                 len(paragraphs))
    theme = ""
    if first > 0 and _is_intro_heading(paragraphs[first - 1], first - 1):
        theme = _heading_text(paragraphs[first - 1])
    sections: list[list] = []
    for paragraph in paragraphs[first:]:
        if _LIST_ITEM.match(paragraph) and sections:
            sections[-1][2].append(paragraph)  # a list belongs to the paragraph that leads in
        elif _is_heading(paragraph):
            theme = _heading_text(paragraph)
        else:
            sections.append([f"¶{len(sections) + 1}", theme, [paragraph]])
    return [ParsedSection(label, heading, "\n\n".join(text)) for label, heading, text in sections]


# --- sentences -------------------------------------------------------------------------

# A full stop, question or exclamation mark, with any closing quotes and brackets, and
# the space after; whether a sentence ends there is decided by _ends_sentence.
_STOP = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_LAST_WORD = re.compile(r"(\S+)$")
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")  # U.S, e.g, D.C, H.E
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "hon", "rt", "gen", "lt", "col", "maj", "capt",
    "sen", "rep", "gov", "amb", "jr", "sr", "messrs", "mme", "mlle", "cf", "vs", "viz",
    "approx", "inc", "ltd", "co", "corp", "dept", "univ", "est", "jan", "feb", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "pres", "min", "excl", "incl",
}
# Abbreviations that stand before a number: "No. 5", "Art. 3", "para. 12", "p. 4".
NUMBER_ABBREVIATIONS = {"no", "nos", "nr", "art", "arts", "para", "paras", "p", "pp", "vol",
                        "fig", "ch", "sec", "reg", "op"}
_QUOTE_CHARS = re.compile(r"[\"“”‘’']")
_ITEM_MARK = re.compile(
    r"^(?:[•●▪◦‣∙·\-–—*]\s+|\(?[a-z]{1,4}\)\s+|[a-z]\.\s+|\d{1,3}(?:\.\d{1,3})*[.)]\s+"
    r"|\d{1,3}(?:\.\d{1,3})+\s+|\(\d{1,3}\)\s+)"
)


def _sentences(paragraph: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph: not broken after "U.S.", "Dr.",
    "e.g.", "No. 5", an initial, nor inside quotation marks."""
    depth_at = _quote_depths(paragraph)
    start = 0
    for stop in _STOP.finditer(paragraph):
        end = stop.end()
        if end >= len(paragraph) or not _ends_sentence(paragraph, stop, depth_at):
            continue
        yield start, len(paragraph[:end].rstrip())
        start = end
    if paragraph[start:].strip():
        yield start, len(paragraph.rstrip())


def _ends_sentence(text: str, stop: re.Match, depth_at) -> bool:
    following = text[stop.end()]
    if not (following.isupper() or following.isdigit() or following in "\"“‘'(["):
        return False
    stop_marks = stop.group()
    if stop_marks.startswith(".") and not stop_marks.startswith(".."):
        word = _LAST_WORD.search(text[max(0, stop.start() - 40): stop.start()])
        word = word[1].lstrip("([\"“‘'") if word else ""
        lower = word.lower()
        if (lower in ABBREVIATIONS or _DOTTED_ACRONYM.match(word)
                or (len(word) == 1 and word.isupper())
                or (lower in NUMBER_ABBREVIATIONS and following.isdigit())):
            return False
    return depth_at(stop.end()) == 0


def _quote_depths(text: str):
    """How many quotations are open at a position. Curly quotes say which way they
    face; straight ones and ’ are read from what stands around them, so that the
    apostrophes of "Indonesia’s" and "countries’" are not taken for quotation marks."""
    positions, depths, depth = [], [], 0
    for match in _QUOTE_CHARS.finditer(text):
        at, mark = match.start(), match.group()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        opens = before.isspace() or before in "([—–-"
        if mark in "“‘" or (mark in "\"'" and opens and not after.isspace()):
            depth += 1
        elif depth and (mark == "”" or not after.isalnum()):
            depth -= 1
        else:
            continue
        positions.append(at + 1)
        depths.append(depth)

    def depth_at(position: int) -> int:
        i = bisect_right(positions, position) - 1
        return depths[i] if i >= 0 else 0

    return depth_at


# --- commitments -----------------------------------------------------------------------

# The participants undertake to do something: "agree to", "commit to", "are committed to",
# "seek to", "plan to", "express their desire to" ... The action follows "to".
_UNDERTAKE_TO = re.compile(
    r"\b(?:agree[sd]?|agreeing|commit(?:s|ted)?|undert(?:ake|akes|ook)|decide[sd]?|"
    r"resolve[sd]?|intend(?:s|ed)?|plan(?:s|ned)?|seeks?|sought|pledge[sd]?|vow(?:s|ed)?|"
    r"promise[sd]?|aim(?:s|ed)?|strive[sd]?|endeavou?r(?:s|ed)?|(?:is|are)\s+(?:also\s+)?"
    r"(?:determined|ready|willing|working)|readiness|willingness|determination)"
    r"\s+to(?:\s+(?=\w)|(?=:))",  # "agree to:" leads into a list of what they agree to do
)
# "their commitment to deepen", "the strong desire of both countries to enhance": a noun
# of intent, then an action (an -ing form or a verb of the list), not "commitment to APEC's
# goals" or "to the importance of".
ACTION_VERBS = (
    "support|enhance|strengthen|deepen|develop|build|work|combat|tackle|fight|promote|ensure|"
    "improve|increase|reduce|prevent|protect|disrupt|dismantle|address|implement|establish|"
    "expand|share|exchange|cooperate|pursue|provide|maintain|advance|continue|intensify|"
    "deliver|create|launch|set|hold|meet|review|explore|identify|bring|take|make|help|assist|"
    "contribute|coordinate|align|counter|stop|stem|end|eliminate|facilitate|foster|reinforce|"
    "uphold|respect|finalise|finalize|conclude|sign|adopt|prosecute|investigate|return|"
    "remove|confiscate|seize|recover|detect|find|hold|engage|invest|fund|train|offer"
)
_INTENT_TO = re.compile(
    r"\b(?:commitments?|desire|wish|intention|resolve)\b(?:\s+of\s+[^.;:]{1,60}?)?\s+to\s+"
    rf"(?=(?:{ACTION_VERBS})\b|\w+ing\b)",
)
_WOULD_CONTINUE = re.compile(r"\bwould\s+continue\s+to\s+(?=\w)")
# "a platform is being set up": something new being made, not "is being strengthened".
_BEING_MADE = re.compile(
    r"\b(?:is|are)\s+being\s+(?:set\s+up|established|created|launched|developed|prepared|"
    r"drawn\s+up|built|introduced|formed|put\s+in\s+place)\b",
)
_THERE_WILL_BE = re.compile(r"\bthere\s+(?:will|shall)\s+(?:\w+\s+)?be\s+(?=\w)")
_WILL = re.compile(r"\b(?:will|shall)\s+(?:(?:also|now|further|then|soon|jointly|continue"
                   r"\s+to)\s+)*")
_PASSIVE = re.compile(
    r"(?:\w+ly\s+)?be\s+(?:\w+ly\s+)?(?:\w+ed|\w+en|set|built|held|made|done|led|run|kept|met|"
    r"sent|brought|sought|drawn|shown|spent|put|paid|laid|begun|found|sold)\b",
    re.IGNORECASE,
)
# Where the clause of a "will" starts: its subject stands between there and "will" ("and"
# is not a start: "The United States and Mexico will").
_CLAUSE_START = re.compile(r"(?:^|[,;:(]\s*|\b(?:that|which|who|while|whereas)\s+)",
                           re.IGNORECASE)
# Who may undertake something, as the subject of "will": the parties, their bodies, a
# pronoun for them, or a name (a word with a capital that does not just open the clause).
PARTY_WORDS = {
    "participants", "participant", "parties", "party", "countries", "country", "states",
    "nations", "governments", "government", "sides", "side", "delegations", "leaders",
    "ministers", "ministries", "ministry", "authorities", "members", "partners",
    "signatories", "we", "they", "it", "both", "each", "all", "coalition", "group",
    "taskforce", "task", "committee", "forum", "secretariat", "platform", "centre", "center",
    "unit", "network", "dialogue", "agencies", "agency", "services", "police", "office",
    "department", "commission", "council", "institutions", "administrations", "presidency",
}
DETERMINERS = {"the", "this", "these", "those", "that", "our", "their", "its", "a", "an",
               "in", "as", "to", "for", "with", "by", "at", "on", "and", "together"}
# A view, a welcome or a recall: "They welcomed the commitment of X to ...", "recalled
# that they had agreed to ...": someone else's undertaking, or an old one.
_ATTITUDE = re.compile(
    r"\b(?:welcom\w*|not(?:e|es|ed|ing)|recall\w*|acknowledg\w*|recogni[sz]\w*|commend\w*|"
    r"appreciat\w*|congratulat\w*|thank\w*|prais\w*|applaud\w*|took\s+note)\b",
)
# The words each pattern needs, to try it only on the sentences that have them.
_WORD = re.compile(r"[a-z]+")
UNDERTAKING_WORDS = {
    "agree", "agrees", "agreed", "agreeing", "commit", "commits", "committed", "undertake",
    "undertakes", "undertook", "decide", "decides", "decided", "resolve", "resolves",
    "resolved", "intend", "intends", "intended", "plan", "plans", "planned", "seek", "seeks",
    "sought", "pledge", "pledges", "pledged", "vow", "vows", "vowed", "promise", "promises",
    "promised", "aim", "aims", "aimed", "strive", "strives", "strived", "endeavour",
    "endeavours", "endeavoured", "endeavor", "endeavors", "endeavored", "determined", "ready",
    "willing", "working", "readiness", "willingness", "determination",
}
INTENT_WORDS = {"commitment", "commitments", "desire", "wish", "intention", "resolve"}
CUES = {"to", "will", "shall", "being", "would"}
_NEXT_MEETING = re.compile(r"\bmeet\s+again\b|\bnext\s+meeting\b")
_QUOTED_SPEECH = re.compile(
    r"^[\"“‘'].*[\"”’'][,.]?$|[\"”’'],?\s+(?:(?:he|she|they)\s+)?(?:said|says|added|stated)\b",
    re.DOTALL,
)
_COLLECTIVE = re.compile(
    r"\b(?:(?:the\s+)?participants|both\s+(?:countries|sides|parties|governments|"
    r"participants|ministries|nations|leaders)|the\s+(?:two|three|four|five|six|seven|"
    r"eight|nine|ten|\d+)\s+(?:countries|sides|parties|governments|delegations|nations|"
    r"states|ministries|leaders|co-chairs)|(?:partner|participating|member)\s+"
    r"(?:countries|states)|all\s+(?:parties|participants|members)|the\s+parties|we|they|"
    r"our|their|us)\b",
)
_TITLE_CUT = re.compile(r",|;|:|\s\((?!\w+\))|\s(?:including|in order to|so as to|while|"
                        r"whilst|which|through)\s")


@dataclass(frozen=True)
class _Undertaking:
    at: int      # where the words that undertake start (the subject stands before)
    action: int  # where the thing undertaken starts, for the title


def propose(sections: list[ParsedSection],
            participants: Sequence[ParticipantName] = ()) -> list[Proposal]:
    """The sentences in which the participants undertake something, in document order;
    a sentence that leads into a list ("The Participants will:") proposes each item."""
    names = _names(sections, participants)
    members = tuple(p.id for p in participants if p.is_member)
    proposals = []
    for section in sections:
        theme = "" if section.heading.lower() in INTRO_HEADINGS else section.heading
        if len(theme) > THEME_LENGTH:
            theme = theme[: THEME_LENGTH - 1] + "…"
        lead_in: tuple[str, _Undertaking] | None = None
        for paragraph in section.text.split("\n\n"):
            item = _ITEM_MARK.match(paragraph) if _LIST_ITEM.match(paragraph) else None
            if item and lead_in:
                quote = paragraph[item.end():].strip()
                leads = _leads(lead_in[0], lead_in[1].at, names, members)
                proposals.append(Proposal(section.label, quote, _title(quote, 0), theme, leads))
                continue
            lead_in = None
            for start, end in _sentences(paragraph):
                marker = _ITEM_MARK.match(paragraph[start:end])
                sentence = paragraph[start + (marker.end() if marker else 0): end]
                undertaking = _undertaking(sentence, names)
                if undertaking is None:
                    continue
                if sentence.endswith(":"):
                    lead_in = (sentence, undertaking)
                    continue
                proposals.append(Proposal(
                    section.label, sentence, _title(sentence, undertaking.action), theme,
                    _leads(sentence, undertaking.at, names, members),
                ))
    return proposals


def _undertaking(sentence: str, names: dict[int, list[re.Pattern]]) -> _Undertaking | None:
    # The patterns read the sentence in lower case (faster than ignoring case), and each
    # runs only where the sentence has its words: a long statement is read fast.
    lower = _lower(sentence)
    words = set(_WORD.findall(lower))
    if not words & CUES:
        return None
    if (words & {"again", "next"} and _NEXT_MEETING.search(lower)
            or _QUOTE_CHARS.search(sentence) and _QUOTED_SPEECH.search(sentence)):
        return None
    found = []
    if "to" in words and words & UNDERTAKING_WORDS:
        found += [(m.start(), m.end(), True) for m in _UNDERTAKE_TO.finditer(lower)]
    if "would" in words:
        found += [(m.start(), m.end(), True) for m in _WOULD_CONTINUE.finditer(lower)]
    if "to" in words and words & INTENT_WORDS:
        found += [(m.start(), m.end(), False) for m in _INTENT_TO.finditer(lower)]
    if "being" in words:
        found += [(m.start(), _clause_start(sentence, m.start()), False)
                  for m in _BEING_MADE.finditer(lower)]
    if not words & {"will", "shall"}:
        return _first_own(lower, found)
    found += [(m.start(), m.end(), False) for m in _THERE_WILL_BE.finditer(lower)]
    for will in _WILL.finditer(lower):
        if will.start() > 0 and lower[will.start() - 6: will.start()] == "there ":
            continue
        if will.group().lower().startswith("shall") or _PASSIVE.match(sentence, will.end()):
            clause = _clause_start(sentence, will.start())
            found.append((will.start(), clause if _PASSIVE.match(sentence, will.end())
                          else will.end(), False))
        elif _party_subject(sentence, will.start(), names):
            found.append((will.start(), will.end(), True))
    return _first_own(lower, found)


def _first_own(lower: str, found: list[tuple[int, int, bool]]) -> _Undertaking | None:
    for at, action, is_verb in sorted(found):
        if not _someone_elses(lower, at, is_verb):
            return _Undertaking(at, action)
    return None


def _lower(text: str) -> str:
    """Lower case of the same length, so that positions found in it hold in the text
    ("İ" lowers to two characters: it stays as it is)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _clause_start(sentence: str, before: int) -> int:
    starts = [m.end() for m in _CLAUSE_START.finditer(sentence, 0, before)]
    return starts[-1] if starts else 0


def _party_subject(sentence: str, will: int, names: dict[int, list[re.Pattern]]) -> bool:
    """Whether the words before "will" name who undertakes it: "The six countries will",
    "they will", "The JMTF will"; not "The report will" nor "This appointment will"."""
    start = _clause_start(sentence, will)
    subject = sentence[start:will]
    if not subject.strip():  # "... partners and will contribute": the sentence's subject
        subject = " ".join(sentence.split()[:5])
        start = 0
    if any(p.search(subject) for patterns in names.values() for p in patterns):
        return True
    words = re.findall(r"[\w.’'-]+", subject)
    for position, word in enumerate(words):
        bare = word.strip(".’'-")
        if bare.lower() in PARTY_WORDS:
            return True
        # A capital opening the clause is only a name if it is an acronym ("JMTF").
        name_like = position > 0 or (len(bare) > 1 and bare.isupper())
        if bare[:1].isupper() and bare.lower() not in DETERMINERS and name_like:
            return True
    return False


def _someone_elses(lower: str, at: int, is_verb: bool) -> bool:
    """An undertaking the (lower-case) sentence only welcomes, notes or recalls."""
    before = lower[:at]
    attitudes = list(_ATTITUDE.finditer(before))
    if not attitudes:
        return False
    between = before[attitudes[-1].end():]
    if re.search(r",\s+and\b|;", between):
        return False  # "noted ..., and expressed their willingness to"
    return not is_verb or bool(re.search(r"\bthat\b", between))


def _title(sentence: str, action: int) -> str:
    words = sentence[action:].strip()
    cut = _TITLE_CUT.search(words, 20)
    title = (words[: cut.start()] if cut else words).strip().rstrip(".;:!?")
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return title[:1].upper() + title[1:]


def _names(sections: list[ParsedSection],
           participants: Sequence[ParticipantName]) -> dict[int, list[re.Pattern]]:
    """Each participant's names as patterns, with the abbreviations the statement gives
    them: "The Home Office of the United Kingdom (the ‘HO’)" makes "HO" a name."""
    text = "\n\n".join(s.text for s in sections)
    patterns: dict[int, list[re.Pattern]] = {}
    for participant in participants:
        names = [n.strip() for n in participant.names if n and n.strip()]
        for name in list(names):
            defined = re.search(
                re.escape(name) + r"\s*\((?:the\s+)?[\"“‘']?([A-Za-z][\w.&-]{0,15}?)[\"”’']?\)",
                text, re.IGNORECASE,
            )
            if defined:
                names.append(defined[1])
        patterns[participant.id] = [_name_pattern(name) for name in names]
    return patterns


def _name_pattern(name: str) -> re.Pattern:
    # "UK", "HO", "MoI" are told from ordinary words by their capitals; full names are not.
    flags = 0 if len(name) <= 4 or name.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flags)


def _leads(sentence: str, at: int, names: dict[int, list[re.Pattern]],
           members: tuple[int, ...]) -> tuple[int, ...]:
    """Who undertakes it: the participants named before the undertaking ("Australia’s
    commitment to support Indonesia" is Australia's), all members for "the Participants",
    "both countries", "they", "we"; where those words name no one ("a platform is being
    set up to enable the six countries"), whom the whole sentence names; else ()."""
    for words in (sentence[:at], sentence):
        named = {pid for pid, patterns in names.items() if any(p.search(words) for p in patterns)}
        if _COLLECTIVE.search(words.lower()):
            named |= set(members)
        if named:
            return tuple(pid for pid in names if pid in named)
    return ()
