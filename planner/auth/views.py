from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from planner.auth import blueprint
from planner.auth.forms import AccountForm, LoginForm, PasswordChangeForm, SetPasswordForm
from planner.auth.operations import (
    authenticate,
    change_password,
    set_password_with_link,
    sign_out_everywhere,
    update_account,
)
from planner.extensions import limiter
from planner.models.people import normalise_email
from planner.validation import InvalidInput, attach_to_form

WRONG_CREDENTIALS = "The e-mail address or the password is not right."
# Failed sign-ins allowed per account, and per address, before a pause.
PER_ACCOUNT = "5 per 15 minutes"
PER_ADDRESS = "30 per 15 minutes"


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("main.dashboard")


def _account_key() -> str:
    return "login-account:" + normalise_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    return response.status_code != 302


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], deduct_when=_failed)
@limiter.limit(PER_ACCOUNT, methods=["POST"], key_func=_account_key, deduct_when=_failed)
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


def too_many_sign_ins(error):
    """The limiter's answer on the sign-in page: the form, with the reason on it."""
    form = LoginForm(formdata=None)
    form.form_errors.append(
        "Too many failed sign-ins for this account or from this address. "
        "Wait 15 minutes and try again, or ask the secretariat for a new password link."
    )
    return render_template("auth/login.html", form=form), 429


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
    return render_template(
        "auth/account.html", form=form, person=person,
        password_form=PasswordChangeForm(formdata=None),
    ), status


@blueprint.route("/account/password", methods=["POST"])
@login_required
def account_password():
    person = current_user._get_current_object()
    password_form = PasswordChangeForm()
    if password_form.validate_on_submit():
        try:
            change_password(person, current=password_form.current_password.data,
                            new=password_form.new_password.data)
        except InvalidInput as error:
            attach_to_form(password_form, error)
        else:
            # The epoch moved on: sign in again here, every other session is over.
            login_user(person)
            flash("Your password is changed. Every other session is signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html", form=AccountForm(formdata=None, obj=person), person=person,
        password_form=password_form,
    ), 400


@blueprint.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_all():
    from planner.scheduling.forms import ConfirmForm

    if ConfirmForm().validate_on_submit():
        sign_out_everywhere(current_user._get_current_object())
        logout_user()
        session.clear()
        flash("You are signed out on every device.", "info")
        return redirect(url_for("auth.login"))
    flash("The form had expired; nothing was changed. Please try again.", "error")
    return redirect(url_for("auth.account"))


@blueprint.route("/password/<token>", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
def set_password(token: str):
    """The one-time link a new person (or one who forgot) receives by e-mail."""
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            person = set_password_with_link(token, form.new_password.data)
        except InvalidInput as error:
            if "token" in error.errors:
                return render_template("auth/link_invalid.html",
                                       message=error.errors["token"]), 404
            attach_to_form(form, error)
        else:
            flash(f"Your password is set. Sign in with {person.email}.", "success")
            return redirect(url_for("auth.login"))
    elif request.method == "GET":
        from planner.auth.operations import check_password_link

        try:
            check_password_link(token)
        except InvalidInput as error:
            return render_template("auth/link_invalid.html",
                                   message=error.errors["token"]), 404
    status = 400 if form.errors else 200
    return render_template("auth/set_password.html", form=form), status
