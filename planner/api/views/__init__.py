"""The API's resources, one module per area. Each view parses (the route decorator
does), checks access with planner.access, calls the area's operation, and answers."""

from planner.api.views import (  # noqa: F401
    action_items,
    agendas,
    commitments,
    dialogues,
    documents,
    me,
    meetings,
    minutes,
    setup,
)
