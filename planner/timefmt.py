"""Showing instants as people read them: in the venue's zone and in the reader's own."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask


def in_zone(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


# English names, as the pages are written: strftime's would follow the process's locale,
# and cost ten times as much (pages and agendas format thousands of dates).
MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def format_day(moment: datetime | date) -> str:
    """'Tuesday 20 April 2027'."""
    return f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month]} {moment.year}"


def format_clock(moment: datetime) -> str:
    """'09:30'."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_time(moment: datetime) -> str:
    """'09:30 CEST'."""
    return f"{format_clock(moment)} {moment.tzname()}"


def format_date(value: date | None) -> str:
    """'4 March 2027'."""
    return f"{value.day} {MONTHS[value.month]} {value.year}" if value else ""


def format_span(start: datetime, end: datetime, zone: str) -> str:
    """A meeting's dates and times in `zone`, without repeating what is the same."""
    start, end = in_zone(start, zone), in_zone(end, zone)
    if start.date() == end.date():
        return (f"{format_day(start)}, {format_clock(start)}–{format_clock(end)} "
                f"{end.tzname()}")
    return f"{format_day(start)} {format_time(start)} – {format_day(end)} {format_time(end)}"


def from_iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


def format_moment(moment: datetime, zone: str) -> str:
    """'22 November 2026, 14:05 GMT' in `zone`."""
    local = in_zone(moment, zone)
    return f"{format_date(local)}, {format_time(local)}"


def register(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_day, "day")
    app.add_template_global(format_span, "span")
    app.add_template_global(in_zone, "in_zone")
    app.add_template_global(format_moment, "moment")
    app.add_template_filter(from_iso, "fromiso")
