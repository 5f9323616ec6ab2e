"""`planner worker`: run the background jobs (and the periodic ones) until stopped."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from planner.jobs.engine import IMMEDIATE, jobs_of


@click.command("worker")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Jobs run at the same time in this worker.")
@click.option("--no-periodic", is_flag=True,
              help="Leave the periodic jobs (retries of e-mail, reminders) to other workers.")
@with_appcontext
def worker_command(threads: int, no_periodic: bool) -> None:
    """Run the background jobs: sending e-mail, its retries every minute, the daily
    reminders. Run one beside each app server (or more). SIGTERM (a service manager's
    stop) lets the jobs in progress finish; Ctrl-C stops at once (an e-mail caught
    mid-send is sent again once its claim expires). Every job is safe to run in two
    workers at once."""
    jobs = jobs_of()
    if jobs.url == IMMEDIATE:
        raise click.ClickException(
            "PLANNER_QUEUE_URL=immediate runs jobs where they are queued: there is nothing "
            "for a worker to do. Unset it to use the app's database."
        )
    jobs.ensure_schema()
    if logging.getLogger().level > logging.DEBUG:
        # Huey says "executing" and "executed" for every turn of every periodic job; our
        # jobs log what they did. PLANNER_LOG_LEVEL=DEBUG shows Huey's lines again.
        logging.getLogger("huey").setLevel(logging.WARNING)
    click.echo(f"Worker for {current_app.name}: {threads} thread(s), queue {shown_url(jobs.url)}, "
               f"periodic jobs {'off' if no_periodic else 'on'}.", err=True)
    consumer = jobs.huey.create_consumer(workers=threads, worker_type="thread",
                                         periodic=not no_periodic, check_worker_health=True,
                                         initial_delay=0.1, backoff=1.15, max_delay=2.0,
                                         graceful_signal="TERM")
    consumer.run()


def shown_url(url: str) -> str:
    """The queue's address without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]
