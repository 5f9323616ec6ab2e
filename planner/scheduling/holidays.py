"""Public holidays of the members' countries, from the `holidays` package by ISO code."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_calendars


@lru_cache(maxsize=512)
def _country_year(country_code: str, year: int) -> dict[date, str]:
    return dict(holiday_calendars.country_holidays(country_code, years=year, language="en_US"))


def holidays_on(day: date, country_codes: Iterable[str]) -> dict[str, str]:
    """{country code: holiday name} for each country that has a public holiday on `day`."""
    found = {}
    for code in sorted(set(country_codes)):
        name = _country_year(code, day.year).get(day)
        if name:
            found[code] = name
    return found


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def next_working_day(day: date, country_codes: Iterable[str], *, step: int = 1) -> date:
    """`day` itself, or the nearest weekday after it (before it, with step=-1) that is a
    public holiday in none of `country_codes`."""
    codes = tuple(country_codes)
    while is_weekend(day) or holidays_on(day, codes):
        day += timedelta(days=step)
    return day
