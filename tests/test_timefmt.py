"""Dates and times as the pages write them: in the venue's zone, in English words."""

from __future__ import annotations

from datetime import UTC, date, datetime

from planner.timefmt import format_date, format_day, format_moment, format_span


def test_a_meeting_on_one_day_shows_its_day_once_in_the_venues_zone():
    start = datetime(2027, 4, 20, 7, 30, tzinfo=UTC)
    assert format_span(start, start.replace(hour=15), "Europe/Brussels") == (
        "Tuesday 20 April 2027, 09:30–17:30 CEST")


def test_a_meeting_over_midnight_in_the_venues_zone_shows_both_days():
    start, end = (datetime(2027, 1, 5, 22, 0, tzinfo=UTC), datetime(2027, 1, 6, 2, 5, tzinfo=UTC))
    assert format_span(start, end, "Europe/London") == (
        "Tuesday 5 January 2027 22:00 GMT – Wednesday 6 January 2027 02:05 GMT")
    assert format_span(start, end, "Asia/Tokyo") == "Wednesday 6 January 2027, 07:00–11:05 JST"


def test_dates_and_moments():
    assert format_date(date(2027, 3, 4)) == "4 March 2027" and format_date(None) == ""
    assert format_day(date(2026, 12, 2)) == "Wednesday 2 December 2026"
    assert format_moment(datetime(2026, 11, 22, 14, 5, tzinfo=UTC), "America/New_York") == (
        "22 November 2026, 09:05 EST")
