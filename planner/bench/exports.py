"""`python -m planner.bench.exports [ITEMS]`: both exports of a synthetic agenda version
of ITEMS items (7,000 by default, the size of the bench's big agenda), timed in process.

No database and no server: the exports read only a version's content, so this measures
the rendering alone, which `make bench` measures behind gunicorn."""

from __future__ import annotations

import sys
import time
from typing import Any

TOPICS = ("maritime security", "cyber resilience", "customs cooperation",
          "port state control", "drug trafficking – the Rotterdam route", "data sharing")
PEOPLE = ("Dilan Yeşilgöz-Zegerius", "Annelies Verlinden", "Gérald Darmanin",
          "Nancy Faeser", "Fernando Grande-Marlaska", "Matteo Piantedosi")


def big_content(items: int = 7000) -> dict[str, Any]:
    """A version's content in the shape `freeze` makes: themes (level 1, no time of their
    own) each with nine sub-items (level 2) carrying reasons, notes and presenters."""
    entries = []
    minute = 9 * 60
    theme = 0
    for index in range(items):
        heading = index % 10 == 0
        if heading:
            theme += 1
        length = 0 if heading else 5 + index % 4 * 5
        start, minute = minute, minute + length
        entries.append({
            "item_id": index + 1,
            "number": f"{theme}" if heading else f"{theme}.{index % 10}",
            "level": 1 if heading else 2,
            "kind": "theme" if heading else "commitment",
            "title": (TOPICS[theme % len(TOPICS)].capitalize() if heading else
                      f"Review progress on {TOPICS[index % len(TOPICS)]}, commitment "
                      f"{index} of the action plan agreed at the last ministerial"),
            "reason": "" if heading else f"open since {1 + index % 28} March 2025",
            "notes": "" if index % 3 else "Slides in Dutch and French",
            "starts": f"{start // 60 % 24:02d}:{start % 60:02d}",
            "ends": f"{minute // 60 % 24:02d}:{minute % 60:02d}",
            "minutes": length,
            "presenter": "" if heading else PEOPLE[index % len(PEOPLE)],
        })
    return {
        "format": 1, "number": 1, "classification": "OFFICIAL-SENSITIVE",
        "circulated_at": "2026-03-02T08:00:00+00:00", "circulated_on": "2 March 2026",
        "circulated_by": "Annelies Verlinden",
        "meeting": {
            "id": 1, "title": "Coalition ministerial meeting, Antwerp",
            "dialogue": "European Ports Alliance", "date": "2026-03-10", "day": "Tuesday",
            "when": "Tuesday 10 March 2026, 09:30–17:00", "starts": "09:30", "ends": "17:00",
            "timezone": "Europe/Brussels", "zone_abbreviation": "CET",
            "place": "Antwerp", "host": "Belgium (justice and interior ministries)",
        },
        "items": entries, "ends": entries[-1]["ends"], "overrun_minutes": 45,
    }


def main(argv: list[str]) -> int:
    from planner.agendas import exports

    items = int(argv[0]) if argv else 7000
    content = big_content(items)
    for name, export in (("docx", exports.agenda_docx), ("pdf", exports.agenda_pdf)):
        started, cpu = time.perf_counter(), time.process_time()
        data = export(content)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU time too: on a shared machine the wall clock also counts the neighbours.
        print(f"agenda .{name}, {items:,} items: {seconds:6.2f} s ({cpu:.2f} s CPU), "
              f"{len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
