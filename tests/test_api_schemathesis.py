"""Schemathesis against /api/v1/openapi.json, in-process through the WSGI app, as the
secretariat's token: every operation, with examples made from the schema and examples
broken on purpose, must answer without a 5xx and exactly as the description says.

Each operation runs twice: with every path id generated (mostly unknown ids), and with
its ids pinned to real demo records, so that the generated queries and bodies reach
the operations behind the ids. Examples are few and derandomized, so the run is short
and the same on every machine."""

from __future__ import annotations

import contextvars
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from sqlalchemy import select

from planner.agendas import operations as agendas
from planner.extensions import db
from planner.models import (
    ActionItem,
    Commitment,
    CommitmentCandidate,
    Membership,
    SourceDocument,
    Theme,
)
from tests.api_support import COALITION, dialogue_id, meeting_in, token_for
from tests.conftest import SECRETARIAT

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    ignored_auth,
]
EXAMPLES = settings(max_examples=5, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def _real_ids(path: str) -> dict[str, int]:
    """Demo records for the ids of `path`: the coalition, its upcoming Antwerp meeting
    with a built agenda, and for minutes the held Amsterdam meeting, which has them."""
    antwerp = meeting_in("Antwerp")
    agenda = agendas.load_agenda(antwerp.id) or agendas.build_agenda(antwerp).agenda
    amsterdam = meeting_in("Amsterdam")
    return {
        "dialogue_id": dialogue_id(COALITION),
        "meeting_id": amsterdam.id if "/minutes" in path else antwerp.id,
        "item_id": agenda.items[0].id,
        "number": 1,
        "action_item_id": db.session.scalar(
            select(ActionItem.id).where(ActionItem.meeting_id == amsterdam.id).limit(1)
        ),
        "commitment_id": db.session.scalar(
            select(Commitment.id).where(Commitment.dialogue_id == dialogue_id(COALITION))
            .limit(1)
        ),
        # Set-up: a coalition member, its observer seat (Eurojust) and one of its themes.
        "participant_id": db.session.scalar(
            select(Membership.participant_id).where(
                Membership.dialogue_id == dialogue_id(COALITION)).limit(1)
        ),
        "membership_id": db.session.scalar(
            select(Membership.id).where(Membership.dialogue_id == dialogue_id(COALITION))
            .order_by(Membership.id.desc()).limit(1)
        ),
        "theme_id": db.session.scalar(
            select(Theme.id).where(Theme.dialogue_id == dialogue_id(COALITION)).limit(1)
        ),
        # Its founding document and one of the sentences the import proposed.
        "document_id": db.session.scalar(
            select(SourceDocument.id).where(SourceDocument.dialogue_id == dialogue_id(COALITION))
        ),
        "candidate_id": db.session.scalar(
            select(CommitmentCandidate.id).join(SourceDocument).where(
                SourceDocument.dialogue_id == dialogue_id(COALITION)).limit(1)
        ),
    }


def test_every_operation_answers_as_described(app, demo):
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # this is a test of answers, not limits
    token = token_for(SECRETARIAT, name="schemathesis")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        ids = _real_ids(operation.path)
        pinned = {name: ids[name] for name in names}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_parameters in ({}, pinned) if names else ({},):
                strategy = operation.as_strategy(generation_mode=mode,
                                                 path_parameters=path_parameters or None)

                @EXAMPLES
                @given(case=strategy)
                def run(case):
                    # Each request in a context of its own, as a server runs it (see
                    # IsolatedClient in conftest): nothing left in `g` by one reaches the next.
                    response = contextvars.Context().run(
                        case.call_and_validate, headers=headers, checks=CHECKS
                    )
                    statuses[response.status_code] += 1

                run()

    # The run reached the operations, not only their refusals.
    assert sum(n for status, n in statuses.items() if status < 300) >= 40, statuses
    assert not [status for status in statuses if status >= 500]
    print(f"\nschemathesis: {len(operations)} operations, {sum(statuses.values())} calls, "
          f"statuses {dict(sorted(statuses.items()))}")
