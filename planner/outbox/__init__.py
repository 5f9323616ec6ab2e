"""The outbox: e-mails are queued in the `outbox_message` table in the same transaction
as the change that causes them, sent by a background job queued when that transaction
commits, retried with backoff while the mail server is down, and never lost.

Other areas queue with `queue_message` (and never commit for it: their caller does).
The jobs (planner.jobs.tasks: right after the commit, and every minute for retries) and
`planner outbox send` all send through `send_due`, which claims each row before sending
it, so that two senders never send the same message twice."""

from __future__ import annotations

from flask import Flask

from planner.outbox.operations import SendReport, queue_message, send_due

__all__ = ["SendReport", "queue_message", "register", "send_due"]


def register(app: Flask) -> None:
    from planner.outbox.cli import outbox_command

    app.cli.add_command(outbox_command)
