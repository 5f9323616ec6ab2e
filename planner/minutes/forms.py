"""Reading the minutes' forms. The forms are plain HTML (their fields follow the agenda
and the delegations, so they vary); CSRFProtect checks every POST. Each editing form
carries the record's version and, as JSON, the values it showed (its base), which the
operations need to merge with a change saved in the meantime."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict


def version_from(form: MultiDict[str, str]) -> int | None:
    value = form.get("version", "")
    return int(value) if value.isdigit() else None


def base_from(form: MultiDict[str, str]) -> dict[str, str] | None:
    try:
        base = json.loads(form.get("base") or "null")
    except ValueError:
        return None
    if not isinstance(base, dict):
        return None
    return {str(k): "" if v is None else str(v) for k, v in base.items()}


def encode_base(values: Mapping[str, Any]) -> str:
    return json.dumps(dict(values), ensure_ascii=False, sort_keys=True)


def fields_from(form: MultiDict[str, str], names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The named fields as sent (absent ones as empty, as a browser sends an empty box)."""
    return {name: form.get(name, "") for name in names}


def prefixed(form: MultiDict[str, str], *prefixes: str) -> dict[str, str]:
    return {name: value for name, value in form.items()
            if any(name.startswith(prefix) for prefix in prefixes)}
