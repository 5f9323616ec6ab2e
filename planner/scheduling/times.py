"""Wall-clock times in a venue's zone, turned into instants, refusing the times that a
daylight-saving change skips."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from planner.models.participants import check_timezone
from planner.validation import InvalidInput


def local_to_utc(day: date, clock: time, zone: str, *, field: str) -> datetime:
    try:
        tz = ZoneInfo(check_timezone(zone))
    except ValueError as exc:
        raise InvalidInput.on("timezone", f"“{zone}” is not a time zone we know.") from exc
    local = datetime.combine(day, clock, tz)
    # A skipped wall time (e.g. 02:30 on the night clocks go forward) does not round-trip.
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise InvalidInput.on(
            field, f"{clock:%H:%M} does not exist on {day:%d %B %Y} in {zone}: the clocks "
                   "change that night. Choose another time."
        )
    return local.astimezone(UTC)
