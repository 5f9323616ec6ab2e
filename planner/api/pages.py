"""The API tokens section of the account page: make a token (shown once), revoke one."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from planner.api import account
from planner.api.forms import RevokeForm, TokenForm
from planner.api.operations import create_token, revoke_token, tokens_of
from planner.extensions import db
from planner.models import ApiToken
from planner.validation import InvalidInput


def _back():
    return redirect(url_for("auth.account", _anchor="api-tokens-title"), code=303)


@account.app_template_global()
def api_tokens_section() -> dict:
    """What the account page's token section shows the signed-in person."""
    return {
        "tokens": tokens_of(current_user._get_current_object()),
        "form": TokenForm(formdata=None),
        "revoke_form": RevokeForm(formdata=None),
    }


@account.post("/account/api-tokens")
@login_required
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return _back()
    me = current_user._get_current_object()
    try:
        token, secret = create_token(me, name=form.name.data, by=me)
    except InvalidInput as error:
        db.session.rollback()
        flash(" ".join(error.errors.values()), "error")
        return _back()
    db.session.commit()
    response = make_response(render_template("api/token_created.html", token=token,
                                             secret=secret))
    response.headers["Cache-Control"] = "no-store"  # the secret is on this page
    return response


@account.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    # Only one's own tokens, and someone else's answers as if there were none.
    if token is None or token.person_id != current_user.id:
        abort(404)
    if not RevokeForm().validate_on_submit():
        flash("The form had expired; nothing was changed. Please try again.", "error")
        return _back()
    if revoke_token(token, by=current_user._get_current_object()):
        db.session.commit()
        flash(f"The API token “{token.name}” no longer works.", "success")
    return _back()
