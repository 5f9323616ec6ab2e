"""How well the importer reads real statements: the sections it finds, and the
commitments it proposes measured against the ones read by hand (precision and recall).

The demo's two statements must split exactly as planner/demo/statements.py splits them
and yield every commitment of planner/demo/content.py, word for word; three other public
statements of other shapes (tests/import_quality/, expectations in expected.py) keep the
importer from fitting only the demo."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from planner.demo import content, statements
from planner.documents.importer import ParticipantName, Proposal, propose, split_sections
from tests.import_quality import demo_sections
from tests.import_quality.expected import STATEMENTS, Statement

HERE = Path(__file__).parent / "import_quality"
MIN_RECALL = 0.9
MIN_PRECISION = 0.8


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    labels: tuple[str, ...]
    expected: frozenset[tuple[str, str]]
    optional: frozenset[tuple[str, str]] = frozenset()


def _demo_case(name: str, filename: str, commitments) -> Case:
    reference = (demo_sections.uk_albania_sections() if filename == statements.UK_ALBANIA
                 else demo_sections.coalition_sections())
    return Case(name, statements.read(filename), tuple(s.label for s in reference),
                frozenset((c.section, c.quote) for c in commitments))


def _statement_case(statement: Statement) -> Case:
    return Case(statement.filename.removesuffix(".txt"),
                (HERE / statement.filename).read_text("utf-8"), statement.labels,
                frozenset(statement.commitments), frozenset(statement.optional))


CASES = (
    _demo_case("demo: UK–Albania 2023", statements.UK_ALBANIA, content.UK_ALBANIA_COMMITMENTS),
    _demo_case("demo: coalition, Amsterdam", statements.COALITION,
               content.COALITION_COMMITMENTS),
    *(_statement_case(s) for s in STATEMENTS),
)


@dataclass(frozen=True)
class Score:
    found: int
    expected: int
    false: tuple[tuple[str, str], ...]
    missed: tuple[tuple[str, str], ...]

    @property
    def recall(self) -> float:
        return self.found / self.expected

    @property
    def precision(self) -> float:
        return self.found / (self.found + len(self.false)) if self.found + len(self.false) else 0


@cache
def imported(case: Case) -> tuple[list, list[Proposal]]:
    sections = split_sections(case.text)
    return sections, propose(sections)


def score(case: Case) -> Score:
    _, proposals = imported(case)
    proposed = {(p.section_label, p.quote) for p in proposals}
    return Score(
        found=len(proposed & case.expected),
        expected=len(case.expected),
        false=tuple(sorted(proposed - case.expected - case.optional)),
        missed=tuple(sorted(case.expected - proposed)),
    )


def table() -> str:
    lines = [f"{'statement':52} {'sections':>8} {'found':>9} {'false':>5} {'recall':>6} "
             f"{'precision':>9}"]
    for case in CASES:
        sections, _ = imported(case)
        s = score(case)
        lines.append(f"{case.name:52} {len(sections):>8} {s.found:>4}/{s.expected:<4} "
                     f"{len(s.false):>5} {s.recall:>6.2f} {s.precision:>9.2f}")
    return "\n".join(lines)


def test_the_quality_table(capsys: pytest.CaptureFixture[str]) -> None:
    report = table()
    with capsys.disabled():
        print("\n\nImport quality (proposals against the commitments read by hand)\n" + report)
    for case in CASES:
        s = score(case)
        assert s.recall >= MIN_RECALL, f"{case.name}: missed {s.missed}\n{report}"
        assert s.precision >= MIN_PRECISION, f"{case.name}: false {s.false}\n{report}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_sections_are_the_statements_own(case: Case) -> None:
    sections, _ = imported(case)
    assert tuple(s.label for s in sections) == case.labels


@pytest.mark.parametrize(
    ("filename", "reference"),
    [(statements.UK_ALBANIA, demo_sections.uk_albania_sections),
     (statements.COALITION, demo_sections.coalition_sections)],
)
def test_the_demo_statements_split_exactly_as_the_demo_does(filename, reference) -> None:
    got = [(s.label, s.heading, s.text) for s in split_sections(statements.read(filename))]
    assert got == [(s.label, s.heading, s.text) for s in reference()]


@pytest.mark.parametrize(
    ("filename", "commitments"),
    [(statements.UK_ALBANIA, content.UK_ALBANIA_COMMITMENTS),
     (statements.COALITION, content.COALITION_COMMITMENTS)],
)
def test_every_demo_commitment_is_proposed_word_for_word(filename, commitments) -> None:
    proposals = propose(split_sections(statements.read(filename)))
    proposed = {(p.section_label, p.quote) for p in proposals}
    for commitment in commitments:
        assert (commitment.section, commitment.quote) in proposed, commitment.reference


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_proposal_quotes_its_section_and_comes_in_document_order(case: Case) -> None:
    sections, proposals = imported(case)
    texts = {s.label: s.text for s in sections}
    order = [s.label for s in sections]
    positions = []
    for proposal in proposals:
        assert proposal.quote in texts[proposal.section_label]
        assert 0 < len(proposal.title) <= 120
        positions.append((order.index(proposal.section_label),
                          texts[proposal.section_label].index(proposal.quote)))
    assert positions == sorted(positions)


@pytest.mark.parametrize("statement", STATEMENTS, ids=lambda s: s.filename)
def test_the_expectations_quote_their_statement(statement: Statement) -> None:
    """The hand-written expectations themselves: every sentence is in the statement."""
    text = " ".join((HERE / statement.filename).read_text("utf-8").split())
    for label, quote in (*statement.commitments, *statement.optional):
        assert label in statement.labels
        assert quote in text, quote


def demo_participants(short_names: tuple[str, ...]) -> list[ParticipantName]:
    """As the caller builds them: name, short name and, for a state, its country's name."""
    countries = {"GB": "United Kingdom", "AL": "Albania", "BE": "Belgium", "DE": "Germany",
                 "FR": "France", "IT": "Italy", "ES": "Spain", "NL": "Netherlands"}
    return [
        ParticipantName(
            n, tuple(x for x in (p.name, p.short_name, countries.get(p.country_code or ""))
                     if x),
            is_member=p.short_name not in content.COALITION_OBSERVERS,
        )
        for n, p in enumerate(content.PARTICIPANTS, start=1) if p.short_name in short_names
    ]


def test_the_leads_of_the_demo_commitments() -> None:
    """"They", "the Participants" and the statement's own "HO" and "MoI" lead; the
    coalition's observers never lead what "the six countries" undertake."""
    participants = demo_participants(("UK", "AL"))
    by_id = {p.id: p.names[1] for p in participants}
    proposals = propose(split_sections(statements.read(statements.UK_ALBANIA)), participants)

    def leads(opening: str) -> tuple[str, ...]:
        proposal = next(p for p in proposals if p.quote.startswith(opening))
        return tuple(by_id[i] for i in proposal.lead_ids)

    assert leads("They agree to deliver") == ("UK", "AL")
    assert leads("In recognition of the importance") == ("UK", "AL")  # "the HO and MoI"
    assert leads("The JMTF will") == ()  # a body of theirs: who leads is for the secretariat

    coalition = demo_participants(content.COALITION_MEMBERS + content.COALITION_OBSERVERS)
    by_id = {p.id: p.names[1] for p in coalition}
    proposals = propose(split_sections(statements.read(statements.COALITION)), coalition)
    screening = next(p for p in proposals if p.quote.startswith("The six countries will"))
    assert tuple(by_id[i] for i in screening.lead_ids) == content.COALITION_MEMBERS
