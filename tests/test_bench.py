"""The benchmark's data set has the shape its targets speak of, and its report says
which targets a run met."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from planner.bench.run import spread, targets
from planner.extensions import db
from planner.models import (
    ActionItem,
    ActionItemStatus,
    Commitment,
    CommitmentStatus,
    Dialogue,
    Meeting,
    Person,
)


def test_bench_data_is_a_busy_secretariat_with_one_very_busy_dialogue(app, tmp_path):
    out = tmp_path / "bench.json"
    result = app.test_cli_runner().invoke(args=["bench-data", "--json-out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    assert count(Dialogue) == 200 and count(Person) == 2000
    assert 19_000 <= count(Commitment) <= 20_000 and 99_000 <= count(ActionItem) <= 100_000
    first, last = db.session.execute(
        select(func.min(Meeting.starts_at), func.max(Meeting.starts_at))).one()
    assert (last - first).days > 9 * 365
    big = summary["big_dialogue_id"]
    assert count(Commitment, Commitment.dialogue_id == big,
                 Commitment.status.in_(CommitmentStatus.still_open())) == 2000
    assert count(ActionItem, ActionItem.dialogue_id == big,
                 ActionItem.status.in_(ActionItemStatus.still_open())) == 5000

    # The benchmark's person and links work: its feed holds the meetings it counts.
    feed = app.test_client().get(f"/calendar/{summary['feed_token']}.ics")
    assert feed.status_code == 200
    assert feed.get_data(as_text=True).count("BEGIN:VEVENT") == summary["feed_meetings"] >= 400
    api = app.test_client().get("/api/v1/dialogues",
                                headers={"Authorization": f"Bearer {summary['api_token']}"})
    assert api.status_code == 200


def test_the_report_gives_percentiles_and_names_each_target_missed():
    timings = spread([float(n) for n in range(1, 21)])  # 1..20 ms
    assert (timings["p50_ms"], timings["p95_ms"], timings["max_ms"]) == (11.0, 19.0, 20.0)

    def endpoint(rps: float, p95: float) -> dict:
        return {"rps": rps, "p95_ms": p95, "ratio_to_ceiling": rps / 1000}

    names = ["healthz (ceiling)", "dashboard", "dialogue page", "meeting page",
             "meeting page, big draft", "draft agenda, big", "agenda build (POST)",
             "feed, fresh", "feed, 304", "dialogue .ics", "API dialogues", "API commitments",
             "API meetings", "API action items", "API participants"]
    report = {"feed_meetings": 480, "endpoints": {name: endpoint(900, 40) for name in names},
              "feed_after_change": spread([50.0] * 40),
              "agenda_builds": {"first_ms": 420.0, **spread([400.0] * 12)}}
    report["endpoints"]["feed, 304"] = endpoint(400, 3)        # 0.4 of the ceiling
    report["endpoints"]["dialogue page"] = endpoint(60, 180)  # p95 over 150 ms
    missed = [check["target"] for check in targets(report) if not check["met"]]
    assert missed == ["feed answered 304 at >= 0.5 x the ceiling's throughput",
                      "dialogue page: p95 < 150 ms"]
