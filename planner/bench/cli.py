"""`planner bench-data --scale N`."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


@click.command("bench-data")
@click.option("--scale", type=click.IntRange(1, 50), default=1, show_default=True,
              help="1: 200 dialogues, 2,000 people, 20,000 commitments, 100,000 action items.")
@click.option("--seed", type=int, default=10, show_default=True)
@click.option("--password", default="bench-password-not-secret", show_default=True,
              help="The benchmark person's password.")
@click.option("--json-out", type=click.Path(dir_okay=False), default=None,
              help="Also write the ids and tokens the benchmark needs to this file.")
@with_appcontext
def bench_data_command(scale: int, seed: int, password: str, json_out: str | None) -> None:
    """Load a synthetic, deterministic data set at the scale of a busy secretariat."""
    from planner.bench.data import generate

    with click.progressbar(length=100, label="Generating", show_percent=True) as bar:
        done = 0

        def progress(fraction: float) -> None:
            nonlocal done
            step = int(fraction * 100) - done
            if step > 0:
                bar.update(step)
                done += step

        result = generate(scale=scale, seed=seed, password=password, progress=progress)
    click.echo(f"{result.rows:,} rows in {result.seconds:.1f} s.")
    for key, value in result.summary().items():
        click.echo(f"  {key:<22} {value}")
    if json_out:
        with open(json_out, "w", encoding="utf-8") as handle:
            json.dump(result.summary(), handle, indent=2)
