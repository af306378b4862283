"""Login, logout, own account, and the admin's user management pages."""
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import clock
from ..errors import DomainError, is_api_request
from ..extensions import db
from ..web import current_actor, page_number, refused
from . import services
from .forms import (ConfirmForm, LanguageForm, LoginForm, PasswordChangeForm, PasswordResetForm,
                    UserCreateForm, UserEditForm)
from .permissions import PUBLIC, Permission, access_of, public, requires

bp = Blueprint("auth", __name__)

# What a user who must change the password may still open (everything else sends them to
# the password page, or answers 403 password_change_required in the API).
ALLOWED_BEFORE_PASSWORD_CHANGE = {"auth.account", "auth.account_password", "auth.logout",
                                  "auth_api.me", "auth_api.revoke_token"}


SEEN_KEY = "seen"  # the session's last request, in epoch seconds (signed with the cookie)


@bp.before_app_request
def end_idle_session():
    """A web session ends after RPS_IDLE_MINUTES without a request (contract.md); API tokens
    keep their own expiry. Registered before anything reads current_user."""
    if is_api_request() or "_user_id" not in session:
        return None
    now = int(clock.now().timestamp())
    seen = session.get(SEEN_KEY)
    if isinstance(seen, int) and now - seen > current_app.config["RPS_IDLE_MINUTES"] * 60:
        logout_user()
        session.clear()
        if request.endpoint in ("auth.login", "static") or request.method != "GET":
            return None  # the view itself answers (login form, 401 or redirect to login)
        flash(_("Sesi Anda berakhir karena tidak ada aktivitas. Silakan masuk lagi."), "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not isinstance(seen, int) or now - seen >= 30:  # not a new cookie on every request
        session[SEEN_KEY] = now
    return None


@bp.before_app_request
def require_password_change():
    # Public endpoints first: /healthz must not load the user (a database read) even when
    # a session cookie comes along.
    endpoint = request.endpoint
    if (endpoint is None or endpoint in ALLOWED_BEFORE_PASSWORD_CHANGE
            or access_of(endpoint) == PUBLIC):
        return None
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if is_api_request():
        raise DomainError("Kata sandi harus diganti terlebih dahulu (lewat halaman Akun).",
                          code="password_change_required", status=403)
    flash(_("Silakan ganti kata sandi Anda terlebih dahulu."), "warning")
    return redirect(url_for("auth.account"))


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


# --- login and logout -------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    target = safe_next(request.args.get("next")) or url_for("reporting.dashboard")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(current_actor(), form.username.data, form.password.data)
        except DomainError as error:
            status = error.status
            form.form_errors.append(
                _("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)s menit.",
                  minutes=current_app.config["RPS_LOGIN_WINDOW_MINUTES"])
                if status == 429 else _("Nama pengguna atau kata sandi salah."))
        else:
            login_user(user)
            session[SEEN_KEY] = int(clock.now().timestamp())
            if user.language:
                session["lang"] = user.language
            return redirect(target, 303)
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@requires(Permission.ACCOUNT)
def logout():
    services.logout(current_actor(), current_user._get_current_object())
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_("Anda telah keluar."), "success")
    return redirect(url_for("auth.login"), 303)


# --- own account --------------------------------------------------------------------------

def _account_page(password_form=None, language_form=None, status: int = 200):
    password_form = password_form or PasswordChangeForm()
    language_form = language_form or LanguageForm(language=current_user.language or "id")
    return render_template("auth/account.html", password_form=password_form,
                           language_form=language_form), status


@bp.get("/account")
@requires(Permission.ACCOUNT)
def account():
    return _account_page()


@bp.post("/account/password")
@requires(Permission.ACCOUNT)
def account_password():
    form = PasswordChangeForm()
    if form.validate():
        user = current_user._get_current_object()
        try:
            services.change_password(current_actor(), user, form.current_password.data,
                                     form.new_password.data, form.confirm_password.data)
        except DomainError as error:
            refused(error, form)
        else:
            login_user(user)  # this browser continues under the new session version
            flash(_("Kata sandi telah diganti. Sesi di perangkat lain telah diakhiri."), "success")
            return redirect(url_for("auth.account"), 303)
    return _account_page(password_form=form, status=422)


@bp.post("/account/language")
@requires(Permission.ACCOUNT)
def account_language():
    form = LanguageForm()
    if form.validate():
        services.set_language(current_actor(), current_user._get_current_object(),
                              form.language.data)
        session["lang"] = form.language.data
        flash(_("Bahasa tampilan disimpan."), "success")
        return redirect(url_for("auth.account"), 303)
    return _account_page(language_form=form, status=422)


# --- user administration -----------------------------------------------------------------

@bp.get("/admin/", strict_slashes=False)
@requires(Permission.ADMIN)
def admin_home():
    """/admin: the first of the administration pages."""
    return redirect(url_for("auth.users"))


@bp.get("/admin/users")
@requires(Permission.ADMIN)
def users():
    q = request.args.get("q", "").strip()
    page = db.paginate(services.users_query(q), page=page_number(),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("auth/users.html", page=page, q=q)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires(Permission.ADMIN)
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_actor(), form.username.data, form.password.data,
                                        form.role.data, full_name=form.full_name.data,
                                        nip=form.nip.data, must_change_password=True)
        except DomainError as error:
            refused(error, form)
        else:
            flash(_("Pengguna %(username)s dibuat. Kata sandi awal wajib diganti saat masuk pertama.",
                    username=user.username), "success")
            return redirect(url_for("auth.user_edit", user_id=user.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/user_new.html", form=form), status


def _user_page(user, form=None, reset_form=None, status: int = 200):
    form = form or UserEditForm(obj=user)
    return render_template("auth/user_edit.html", user=user, form=form,
                           reset_form=reset_form or PasswordResetForm(),
                           confirm_form=ConfirmForm()), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.ADMIN)
def user_edit(user_id: int):
    user = services.get_user(user_id)
    form = UserEditForm(obj=user)
    if not form.validate_on_submit():
        return _user_page(user, form, status=422 if form.is_submitted() else 200)
    try:
        services.update_user(current_actor(), user, form.full_name.data, form.nip.data,
                             form.role.data)
    except DomainError as error:
        refused(error, form)
        return _user_page(user, form, status=422)
    flash(_("Data pengguna disimpan."), "success")
    return redirect(url_for("auth.user_edit", user_id=user.id), 303)


@bp.post("/admin/users/<int:user_id>/password")
@requires(Permission.ADMIN)
def user_reset_password(user_id: int):
    user = services.get_user(user_id)
    form = PasswordResetForm()
    if form.validate():
        try:
            services.reset_password(current_actor(), user, form.password.data,
                                    form.confirm_password.data)
        except DomainError as error:
            refused(error, form)
        else:
            flash(_("Kata sandi sementara disimpan; pengguna wajib menggantinya saat masuk."),
                  "success")
            return redirect(url_for("auth.user_edit", user_id=user.id), 303)
    return _user_page(user, reset_form=form, status=422)


def _set_active(user_id: int, active: bool):
    user = services.get_user(user_id)
    services.set_active(current_actor(), user, active)  # refusals flash and go back
    flash(_("Pengguna %(username)s diaktifkan kembali.", username=user.username) if active else
          _("Pengguna %(username)s dinonaktifkan; semua sesinya berakhir.", username=user.username),
          "success")
    return redirect(url_for("auth.user_edit", user_id=user.id), 303)


@bp.post("/admin/users/<int:user_id>/deactivate")
@requires(Permission.ADMIN)
def user_deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/admin/users/<int:user_id>/reactivate")
@requires(Permission.ADMIN)
def user_reactivate(user_id: int):
    return _set_active(user_id, True)


# ------------------------------------------------------------------ access reviews

def access_grants_panel(reads):
    """Dashboard panel for the head: accounts given client access, until acknowledged
    (a batched section: read with the rest of the dashboard)."""
    grants = services.pending_access_grants(reads)

    def build() -> dict | None:
        if not grants.value:
            return None
        return {"grants": grants.value, "form": ConfirmForm()}
    return build


@bp.post("/access-grants/<int:grant_id>/acknowledge")
@requires(Permission.ACCESS_REVIEW)
def acknowledge_access_grant(grant_id: int):
    form = ConfirmForm()
    if not form.validate():
        flash(_("Permintaan tidak valid. Muat ulang halaman lalu coba lagi."), "error")
        return redirect(url_for("reporting.dashboard"), 303)
    try:
        services.acknowledge_access_grant(current_actor(), grant_id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("reporting.dashboard"), 303)
    flash(_("Pemberian akses dicatat sebagai sudah diketahui."), "success")
    return redirect(url_for("reporting.dashboard"), 303)
