"""The job queue: Huey, on the storage the deployment already has.

- SQLite (the embedded default): a queue file beside the database in the instance folder;
- PostgreSQL: the app's own database (Huey's tables, prefixed `job_queue_`, woken by
  LISTEN/NOTIFY), so a deployment backs up and watches one database;
- Redis, when PLANNER_QUEUE_URL names one;
- `immediate`: jobs run in the process that queues them, at once (the tests' default).

Jobs are declared in planner.jobs.tasks; each app gets its own Huey with every job bound
to it, so a job always runs inside that app's context, with the request id of whoever
queued it in its log lines."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask, current_app
from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.exceptions import TaskLockedException
from huey.storage import PostgresStorage
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from planner import logs
from planner.config import ConfigurationError

log = logging.getLogger(__name__)

QUEUE_NAME = "planner"
TABLE_PREFIX = "job_queue"
IMMEDIATE = "immediate"
PERIODIC = "@periodic"  # the periodic turn's task name: the job's name and this


@dataclass(frozen=True)
class Job:
    """A kind of background work. `every` makes it periodic (a huey crontab)."""

    name: str
    function: Callable[..., Any]
    retries: int = 5  # each waits twice as long as the one before (JOB_RETRY_SECONDS first)
    every: Callable[..., bool] | None = None
    summary: str = ""


@dataclass
class Jobs:
    huey: Huey
    url: str
    tasks: dict[str, TaskWrapper] = field(default_factory=dict)
    periodic: dict[str, Job] = field(default_factory=dict)

    def enqueue(self, name: str, /, **arguments: Any) -> None:
        """Queue a job, carrying the current request's id into its log lines."""
        if name not in self.tasks:
            raise KeyError(f"No background job is called {name!r}.")
        self._with_schema(lambda: self.tasks[name](request_id=logs.current_request_id(),
                                                   **arguments))

    @contextmanager
    def exclusive(self, name: str, seconds: float) -> Iterator[None]:
        """Run the block in one worker at a time, across servers: a lease in the queue's
        store, taken over once it has expired (its holder died). Another worker that
        finds it held gets TaskLockedException: not a failure, its turn is simply skipped."""
        key = f"lease:{name}"
        now = time.time()
        if not self.huey.put_if_empty(key, now + seconds):
            held_until = self.huey.get(key, peek=True)
            if held_until is not None and held_until > now:
                raise TaskLockedException(f"{name} is running in another worker")
            self.huey.put(key, now + seconds)
        try:
            yield
        finally:
            self.huey.delete(key)

    def ping(self) -> None:
        """Raise if the queue cannot be reached (readiness checks)."""
        self._with_schema(self.huey.pending_count)

    def ensure_schema(self) -> None:
        """Make the queue's tables in PostgreSQL if they are missing. Several processes
        may start at once: one that finds another making them meanwhile is done too."""
        storage = self.huey.storage
        if not isinstance(storage, PostgresStorage):
            return
        try:
            storage.initialize_schema()
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
            storage.initialize_schema()  # the other process's tables are there now

    def _with_schema(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except psycopg.errors.UndefinedTable:
            self.ensure_schema()
            return action()


def build(app: Flask, definitions: list[Job]) -> Jobs:
    url = app.config.get("QUEUE_URL") or default_url(app)
    huey = storage_for(url, app.instance_path)
    jobs = Jobs(huey=huey, url=url)
    for job in definitions:
        runner = _runner(app, job)
        options = dict(retries=job.retries, retry_delay=app.config["JOB_RETRY_SECONDS"],
                       retry_backoff=2, name=job.name)
        jobs.tasks[job.name] = huey.task(**options)(runner)
        if job.every is not None:
            # The periodic turn takes no arguments and is not retried: the next turn is.
            huey.periodic_task(job.every, name=job.name + PERIODIC)(runner)
            jobs.periodic[job.name] = job
    huey.pre_execute(name="request_id")(_take_request_id)
    huey.post_execute(name="dead_letter")(lambda task, value, error: _after(app, task, error))
    return jobs


def default_url(app: Flask) -> str:
    if app.testing:
        return IMMEDIATE
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if database.startswith("sqlite"):
        return "sqlite:///" + str(Path(app.instance_path) / "queue.db")
    return database


def storage_for(url: str, instance_path: str) -> Huey:
    if url == IMMEDIATE:
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    try:
        parsed = make_url(url)
    except ArgumentError:
        parsed = None
    scheme = parsed.get_backend_name() if parsed is not None else url.partition(":")[0]
    if scheme == "sqlite":
        filename = parsed.database if parsed is not None else None
        if not filename or filename == ":memory:":
            raise ConfigurationError(
                f"PLANNER_QUEUE_URL={url!r} names no file: give one, e.g. "
                f"sqlite:///{Path(instance_path) / 'queue.db'}."
            )
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=filename, results=False, timeout=10)
    if scheme in {"postgresql", "postgres"}:
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        # Its tables are made on first use (Jobs.ensure_schema), not by every process
        # that starts: two servers starting together would race to make them.
        return PostgresHuey(QUEUE_NAME, dsn=dsn, table_prefix=TABLE_PREFIX, results=False,
                            create_tables=False)
    if scheme in {"redis", "rediss", "unix"}:
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    raise ConfigurationError(
        f"PLANNER_QUEUE_URL={url!r} is not a queue this app knows: use sqlite:///path, "
        "postgresql://..., redis://host:6379/0, or leave it unset for the app's database."
    )


def every_minute() -> Callable[..., bool]:
    return crontab(minute="*")


def every_minutes(minutes: int) -> Callable[..., bool]:
    return crontab(minute=f"*/{minutes}")


def every_hour(minute: int = 5) -> Callable[..., bool]:
    return crontab(minute=str(minute))


def _runner(app: Flask, job: Job) -> Callable[..., Any]:
    def run(request_id: str | None = None, **arguments: Any) -> Any:
        with app.app_context():
            return job.function(**arguments)

    run.__name__ = job.name.replace(".", "_")
    run.__qualname__ = run.__name__
    run.__module__ = __name__
    return run


def _take_request_id(task: Any) -> None:
    logs.set_request_id((task.kwargs or {}).get("request_id") or f"job-{task.id[:12]}")


def _after(app: Flask, task: Any, error: BaseException | None) -> None:
    try:
        if error is not None and not task.retries and not isinstance(error,
                                                                     TaskLockedException):
            _dead_letter(app, task, error)  # else done, or tried again, or another has it
    finally:
        logs.set_request_id(None)


def _dead_letter(app: Flask, task: Any, error: BaseException) -> None:
    from planner.jobs.operations import record_failure

    arguments = {k: v for k, v in (task.kwargs or {}).items() if k != "request_id"}
    try:
        with app.app_context():
            record_failure(
                name=task.name.removesuffix(PERIODIC),
                arguments=json.dumps(arguments, default=str),
                error=f"{type(error).__name__}: {error}",
                attempts=(task.default_retries or 0) + 1,
                request_id=(task.kwargs or {}).get("request_id"),
            )
    except Exception:  # the database may be what failed: the log keeps it
        log.exception("Could not record the failure of job %s (%s)", task.name, error)


def jobs_of(app: Flask | None = None) -> Jobs:
    return (app or current_app).extensions["planner_jobs"]
