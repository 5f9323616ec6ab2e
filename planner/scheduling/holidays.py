"""Public holidays of the members' countries, from the `holidays` package by ISO code."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_calendars

# The package's common English is American; our readers write British English.
_BRITISH = {"Labor Day": "Labour Day"}


@lru_cache(maxsize=1024)
def _country_year(region: str, year: int) -> dict[date, str]:
    """`region`: an ISO 3166-1 code ("DE"), or one with its subdivision ("DE-BY")."""
    country_code, _, subdivision = region.partition("-")
    calendar = holiday_calendars.country_holidays(
        country_code, subdiv=subdivision or None, years=year, language="en_US")
    return {day: _BRITISH.get(name, name) for day, name in calendar.items()}


def holidays_on(day: date, country_codes: Iterable[str]) -> dict[str, str]:
    """{country code: holiday name} for each country that has a public holiday on `day`."""
    found = {}
    for code in sorted(set(country_codes)):
        name = _country_year(code, day.year).get(day)
        if name:
            found[code] = name
    return found


def describe_holidays(day: date, found: dict[str, str]) -> str:
    """'1 May: Labour Day in BE, DE, ES, FR, IT', one clause per holiday name."""
    by_name: dict[str, list[str]] = {}
    for code, name in sorted(found.items()):
        by_name.setdefault(name, []).append(code)
    clauses = [f"{name} in {', '.join(codes)}" for name, codes in by_name.items()]
    return f"{day.day} {day:%B}: " + "; ".join(clauses)


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def next_working_day(day: date, country_codes: Iterable[str], *, step: int = 1) -> date:
    """`day` itself, or the nearest weekday after it (before it, with step=-1) that is a
    public holiday in none of `country_codes`."""
    codes = tuple(country_codes)
    while is_weekend(day) or holidays_on(day, codes):
        day += timedelta(days=step)
    return day
