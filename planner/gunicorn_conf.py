"""What gunicorn does for this app, whatever its command line says:

    gunicorn -c python:planner.gunicorn_conf --workers 4 --bind 127.0.0.1:8000 \\
        'planner:create_app()'
"""

from __future__ import annotations

import gc
import sys
from typing import Any

# Gunicorn's control socket (one path per user by default) is not used here, and two
# servers on one machine would fight over it.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Check the settings once, before any worker starts: a setting the app cannot run
    with stops the server with one line that says what to set, not a traceback from
    each worker."""
    from planner.config import ConfigurationError, check_environment

    try:
        check_environment()
    except ConfigurationError as error:
        print(f"Error: {error}", file=sys.stderr)
        sys.exit(2)


def post_worker_init(worker: Any) -> None:
    """Once the worker has loaded the app, set what it loaded (some 190,000 objects:
    modules, mappings, templates, statements) aside from the garbage collector, which
    otherwise walks them all in each full collection, every few hundred requests: a
    pause of 80 to 90 ms in whichever request set it off. They live as long as the
    worker; what requests make is still collected as before."""
    gc.freeze()
    worker.log.info("Loaded objects set aside from the garbage collector: %d",
                    gc.get_freeze_count())
