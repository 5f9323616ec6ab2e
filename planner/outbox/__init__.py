"""The outbox: e-mails are queued in the `outbox_message` table in the same transaction
as the change that causes them, sent after the commit, retried with backoff while the
mail server is down, and never lost.

Other areas queue with `queue_message` (and never commit for it: their caller does).
`planner outbox send` (cron) and a short-lived thread after each commit that queued
something both send through `send_due`, which claims each row before sending it, so
that two senders never send the same message twice."""

from __future__ import annotations

from flask import Flask

from planner.outbox.operations import SendReport, queue_message, send_due

__all__ = ["SendReport", "queue_message", "register", "send_due"]


def register(app: Flask) -> None:
    from planner.outbox import after_commit
    from planner.outbox.cli import outbox_command

    app.cli.add_command(outbox_command)
    after_commit.listen()
