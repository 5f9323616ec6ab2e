"""The full-text indexes search reads, one per database, made by the search migrations:

- SQLite: the FTS5 table `search_index` (kind, record_id, title, body), kept in step by
  triggers on the searched tables; a row's rowid is `record id * 8 + kind number`.
- PostgreSQL: a stored `search_vector` column, `to_tsvector('english', ...)` of its
  text, on each searched table, with a GIN index: ranking a match reads its vector
  instead of computing it again.

Neither is a model: `include_name` keeps them out of Alembic's comparison."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    table,
    text,
)

from planner.models import ActionItem, Commitment, Decision, Minutes, MinutesNote

SQLITE_TABLE = "search_index"
POSTGRES_INDEX_PREFIX = "ix_search_"

# SQLite: the number of each kind. An index row's rowid is `record id * 8 + number` (the
# search migration's triggers), so that a query finds a kind's rows and their ids in the
# full-text index alone, without reading each row's stored columns (a read per match:
# 20 ms for 11,000 matches).
KIND_NUMBERS = {"commitment": 1, "minutes": 2, "minutes_note": 3, "decision": 4,
                "action_item": 5}
# The kinds of record searched, with their models.
MODELS: dict[str, Any] = {
    "commitment": Commitment,
    "minutes": Minutes,
    "minutes_note": MinutesNote,
    "decision": Decision,
    "action_item": ActionItem,
}

# PostgreSQL: each searched table's text vector, a stored generated column (migration
# `search_vectors_stored`) with its GIN index; not in the models.
POSTGRES_COLUMN = "search_vector"

# Words too common to narrow a search. PostgreSQL's English configuration drops them
# itself; dropping them for SQLite too makes both find the same.
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "in", "is", "it",
    "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
})
MAX_TERMS = 12


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For Alembic (migrations/env.py and the drift test): leave the search indexes (and
    PostgreSQL's vector columns) out of the comparison between the models and the
    database."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(SQLITE_TABLE)
    if type_ == "index":
        return not name.startswith(POSTGRES_INDEX_PREFIX)
    if type_ == "column":
        return name != POSTGRES_COLUMN
    return True


def terms(query: str) -> list[str]:
    """The words searched for, lower-case, without the commonest ones."""
    words = [w.lower() for w in re.findall(r"\w+", query or "")]
    kept = [w for w in words if w not in STOP_WORDS]
    return list(dict.fromkeys(kept))[:MAX_TERMS]


def matches(dialect: str, kind: str, words: list[str]) -> tuple[Select[Any], ColumnElement[Any]]:
    """A query of the ids of `kind`'s records that hold every word, and a score to sort
    them by (higher is better). The caller adds visibility."""
    model = MODELS[kind]
    if dialect == "postgresql":
        english = literal_column("'english'::regconfig")
        vector = literal_column(f"{model.__tablename__}.{POSTGRES_COLUMN}")
        wanted = func.plainto_tsquery(english, bindparam("search_words", " ".join(words)))
        return select(model.id).where(vector.op("@@")(wanted)), func.ts_rank(vector, wanted)
    # Integer division and remainder, as SQLite does them on integers (no FLOOR()).
    ident = literal_column("search_index.rowid / 8", Integer)
    kind_number = literal_column("search_index.rowid % 8", Integer)
    # Each word quoted: whatever the reader types is a word, never FTS5 syntax.
    expression = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    found = (
        select(ident.label("id"), literal_column("bm25(search_index)").label("bm25"))
        .where(text("search_index MATCH :search_words").bindparams(search_words=expression))
        .select_from(table(SQLITE_TABLE))
        .where(kind_number == KIND_NUMBERS[kind])
        .subquery()
    )
    query = select(model.id).join(found, found.c.id == model.id)
    # bm25 is lower for better matches.
    return query, -found.c.bm25
