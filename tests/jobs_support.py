"""A real `planner worker` process for the tests, on the test's database and a queue of
its own, and the app of the test switched to that queue."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from planner.jobs.engine import build
from planner.jobs.tasks import JOBS
from tests.calendar_support import free_port

PLANNER = str(Path(sys.executable).parent / "planner")


def environment(app: Flask, **settings: str) -> dict[str, str]:
    """The settings of a process that shares the test app's database and queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANNER_", "FLASK_"))}
    config = app.config
    env.update({
        "PLANNER_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "PLANNER_SECRET_KEY": "worker-test-key",
        "PLANNER_QUEUE_URL": config["QUEUE_URL"],
        "PLANNER_MAIL_FROM": config["MAIL_FROM"],
        "PLANNER_BASE_URL": config.get("BASE_URL") or "https://planner.example.org",
    })
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_TLS"):
        if config.get(name):
            env[f"PLANNER_{name}"] = str(config[name])
    env.update(settings)
    return env


def use_queue(app: Flask, url: str) -> None:
    app.config["QUEUE_URL"] = url
    app.extensions["planner_jobs"] = build(app, JOBS)


@contextmanager
def worker(app: Flask, log: Path, **settings: str) -> Iterator[subprocess.Popen]:
    """`planner worker` with the app's settings; stopped (SIGTERM) when the block ends."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [PLANNER, "worker", "--threads", "2"], env=environment(app, **settings),
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@contextmanager
def redis_server() -> Iterator[int]:
    """Debian's redis-server on a free port of 127.0.0.1 (its port), stopped after the
    block; keeps nothing on disk."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing: `make test` installs Debian's redis-server")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: _answers(port), seconds=10, what="redis-server to start")
        yield port
    finally:
        process.terminate()
        process.wait(10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(condition: Callable[[], object], seconds: float = 30.0,
               what: str = "the condition") -> object:
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)
