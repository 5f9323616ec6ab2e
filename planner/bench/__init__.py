"""The benchmark: `planner bench-data` (a secretariat's ten years of data, made in bulk)
and the driver behind `make bench` (planner.bench.run)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from planner.bench.cli import bench_data_command

    app.cli.add_command(bench_data_command)
