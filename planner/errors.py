"""Error pages: a clear page for people, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from planner.extensions import db


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template(
            "errors/error.html",
            code=400,
            title="This form has expired",
            message="The page was open too long or was sent from elsewhere. "
            "Go back, reload the page and try again.",
        ), 400

    @app.errorhandler(429)
    def too_many_requests(error: HTTPException):
        from flask import request

        from planner.auth.views import too_many_sign_ins

        if request.endpoint == "auth.login":
            return too_many_sign_ins(error)
        return render_template(
            "errors/error.html", code=429, title="Too many attempts",
            message="Please wait a few minutes and try again.",
        ), 429

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        titles = {
            404: "Page not found",
            403: "You cannot do this",
            405: "Not allowed",
            413: "Too large to upload",
        }
        messages = {
            404: "There is no page here, or it is not one you can see. "
                 "Check the address, or go back to your dashboard.",
            413: "What you sent is far larger than the planner accepts: a founding "
                 "document may be at most 10 MB. Nothing was saved; go back and choose a "
                 "smaller file, or paste the document's text.",
        }
        return render_template(
            "errors/error.html",
            code=error.code,
            title=titles.get(error.code or 500, error.name),
            message=messages.get(error.code or 500, error.description),
        ), error.code

    @app.errorhandler(500)
    def server_error(error: Exception):
        db.session.rollback()
        return render_template(
            "errors/error.html",
            code=500,
            title="Something went wrong",
            message="Nothing you saved before this was lost. Please try again; "
            "if it happens again, tell the secretariat.",
        ), 500
