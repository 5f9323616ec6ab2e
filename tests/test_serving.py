"""The app served by gunicorn as the README deploys it, with the settings of
planner/gunicorn_conf.py."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.calendar_support import free_port

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def test_gunicorn_serves_the_app_with_its_settings(tmp_path):
    port = free_port()
    env = {**os.environ, "PLANNER_SECRET_KEY": "x" * 32,
           "PLANNER_DATABASE_URL": f"sqlite:///{tmp_path}/served.db"}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(GUNICORN), "-c", "python:planner.gunicorn_conf", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--log-level", "info", "planner:create_app()"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        answer = None
        for _ in range(150):
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        assert answer is not None, log.read_text()
        assert answer.read() == b"ok"
        # Each worker set aside what it loaded: no full collection walks it again.
        for _ in range(50):
            if log.read_text().count("set aside from the garbage collector") == 2:
                break
            time.sleep(0.1)
        frozen = [int(line.rsplit(":", 1)[1]) for line in log.read_text().splitlines()
                  if "set aside from the garbage collector" in line]
        assert len(frozen) == 2, log.read_text()
        assert all(count > 50_000 for count in frozen), frozen
    finally:
        server.terminate()
        server.wait(timeout=30)
