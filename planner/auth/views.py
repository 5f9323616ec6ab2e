from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from planner.auth import blueprint
from planner.auth.forms import AccountForm, LoginForm
from planner.auth.operations import authenticate, update_account

WRONG_CREDENTIALS = "The e-mail address or the password is not right."


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("main.dashboard")


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        person = authenticate(form.email.data, form.password.data)
        if person is not None:
            # A fresh session on sign-in: nothing from before carries over.
            session.clear()
            login_user(person)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(WRONG_CREDENTIALS)
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/account", methods=["GET", "POST"])
@login_required
def account():
    person = current_user._get_current_object()
    form = AccountForm(obj=person)
    if form.validate_on_submit():
        update_account(person, name=form.name.data, timezone=form.timezone.data or None)
        flash("Your settings are saved.", "success")
        return redirect(url_for("auth.account"))
    status = 400 if form.errors else 200
    return render_template("auth/account.html", form=form, person=person), status
