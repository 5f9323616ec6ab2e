"""ETags and If-Match: a change made from an older version is refused (412), never a
silent overwrite."""

from __future__ import annotations

from flask import request

from planner.api.problems import Problem, field_error


def etag(kind: str, version: int) -> str:
    return f'"{kind}-{version}"'


def check_if_match(current: str, *, required: bool = False) -> None:
    """Compare If-Match with the current ETag: 412 when it names another version, 428
    when it is required and missing."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        if required:
            raise Problem(428, "Send If-Match with the ETag of the version you read, so "
                               "that a change made meanwhile is not overwritten.",
                          errors=[field_error("If-Match", "This header is required.",
                                              "header")])
        return
    offered = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in offered and current not in offered:
        raise Problem(412, "This was changed after you read it (it is now at "
                           f"{current}). Read it again, and apply your change to that.",
                      errors=[field_error("If-Match", f"Stale: the current ETag is {current}.",
                                          "header")],
                      headers={"ETag": current})
