"""The permission table of contract.md, enforced deny-by-default on every route.

Every view function declares what it needs with one of the decorators below. A request to
an endpoint that declares nothing is refused (403), so a new route cannot be open by mistake.
"""
from enum import Enum
from functools import wraps

from flask import current_app, request
from flask_login import current_user

ROLES = ("admin", "kepala", "petugas", "staf")
ROLE_LABELS = {"admin": "Administrator", "kepala": "Kepala RPS", "petugas": "Petugas Jaga",
               "staf": "Staf / Pekerja Sosial"}


class Permission(str, Enum):
    ROOMS_READ = "rooms_read"              # rooms and the bed board
    CLIENTS_READ = "clients_read"          # client records, stays, letters
    INTAKE = "intake"                      # intake, placement, transfer, roll call
    EXIT = "exit"                          # exit (discharge) and its letter
    INSTITUTIONS_READ = "institutions_read"
    INSTITUTIONS_EDIT = "institutions_edit"
    STOCK = "stock"                        # stock items and movements
    ROSTER_READ = "roster_read"
    ROSTER_EDIT = "roster_edit"
    REPORTS = "reports"                    # reports (read, generate)
    ADMIN = "admin"                        # users, rooms and beds, settings
    AUDIT_READ = "audit_read"
    ACCOUNT = "account"                    # one's own account: password, language, logout


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset({Permission.ROOMS_READ, Permission.INSTITUTIONS_READ,
                        Permission.INSTITUTIONS_EDIT, Permission.ADMIN, Permission.AUDIT_READ,
                        Permission.ACCOUNT}),
    "kepala": frozenset({Permission.ROOMS_READ, Permission.CLIENTS_READ, Permission.INTAKE,
                         Permission.EXIT, Permission.INSTITUTIONS_READ,
                         Permission.INSTITUTIONS_EDIT, Permission.STOCK, Permission.ROSTER_READ,
                         Permission.ROSTER_EDIT, Permission.REPORTS, Permission.AUDIT_READ,
                         Permission.ACCOUNT}),
    "petugas": frozenset({Permission.ROOMS_READ, Permission.CLIENTS_READ, Permission.INTAKE,
                          Permission.EXIT, Permission.INSTITUTIONS_READ, Permission.STOCK,
                          Permission.ROSTER_READ, Permission.REPORTS, Permission.ACCOUNT}),
    "staf": frozenset({Permission.ROOMS_READ, Permission.CLIENTS_READ, Permission.EXIT,
                       Permission.INSTITUTIONS_READ, Permission.INSTITUTIONS_EDIT,
                       Permission.STOCK, Permission.ROSTER_READ, Permission.REPORTS,
                       Permission.ACCOUNT}),
}

PUBLIC = "public"
_ATTR = "_rps_access"


def role_can(role: str | None, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role or "", frozenset())


def can(permission: Permission) -> bool:
    """For templates and views: may the current user do this?"""
    return bool(current_user and current_user.is_authenticated
                and role_can(current_user.role, permission))


def requires(*permissions: Permission):
    """Mark a view as needing all of `permissions` (checked before the view runs)."""
    def mark(view):
        setattr(view, _ATTR, frozenset(permissions))
        return view
    return mark


def public(view):
    """Mark a view as open without login (login page, health checks, letter verification)."""
    setattr(view, _ATTR, PUBLIC)
    return view


def access_of(endpoint: str | None):
    """What an endpoint declares: PUBLIC, a frozenset of permissions, or None (nothing)."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, _ATTR, None)


def check_access():
    """before_request: deny by default, 401 without login, 403 without the permission."""
    from ..errors import Forbidden, NotAuthenticated

    if request.endpoint is None:  # 404 / 405: let routing answer
        return None
    access = access_of(request.endpoint)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        raise NotAuthenticated("Silakan masuk terlebih dahulu.")
    if access is None or not all(role_can(current_user.role, p) for p in access):
        raise Forbidden("Anda tidak berwenang untuk tindakan ini.")
    return None


def init_app(app) -> None:
    from . import loaders  # noqa: F401  (registers the Flask-Login loaders)
    app.before_request(check_access)
    app.jinja_env.globals.update(can=can, Permission=Permission, ROLE_LABELS=ROLE_LABELS)
