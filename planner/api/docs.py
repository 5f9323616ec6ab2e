"""/api/v1/openapi.json, made from the routes, and the documentation page that
browses it (Swagger UI, served from our own static files: no CDN).

The page runs under the app-wide Content-Security-Policy (script-src 'self',
style-src 'self'): its start-up code is a static file, and Swagger UI sets its styles
through the DOM, which that policy allows (checked in headless Chromium: no violation)."""

from __future__ import annotations

from flask import current_app, jsonify, render_template

from planner.api import v1
from planner.api.spec import openapi_document


@v1.get("/openapi.json")
def openapi():
    document = current_app.extensions.get("planner_openapi")
    if document is None:  # made once: the routes do not change while the app runs
        document = current_app.extensions["planner_openapi"] = openapi_document()
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@v1.get("/docs")
def docs():
    return render_template("api/docs.html")
