"""The permission table of contract.md, enforced deny-by-default on every route.

At the bottom of the layers (beside errors and audit) so that every domain's views may
declare what they need; `auth` ties requests to users and installs the check.

Every view function declares what it needs with one of the decorators below. A request to
an endpoint that declares nothing is refused (403), so a new route cannot be open by mistake.
"""
from enum import Enum

from flask import current_app, request
from flask_login import current_user

from .errors import Forbidden, NotAuthenticated

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
    OPERATIONS_READ = "operations_read"    # roll calls and incidents (read)
    ROLLCALL = "rollcall"                  # roll call (write)
    INCIDENTS_WRITE = "incidents_write"
    INCIDENTS_ACK = "incidents_ack"        # acknowledge a high incident
    REFERRALS = "referrals"                # ask a referral, record its answer
    CLIENTS_MERGE = "clients_merge"        # merge duplicate clients
    CLIENTS_EXPORT = "clients_export"      # a data subject's export
    FACILITY_USE = "facility_use"          # room bookings, visitors
    MAINTENANCE = "maintenance"            # maintenance requests
    ACCESS_REVIEW = "access_review"        # acknowledge accounts given client access
    REPORTS = "reports"                    # reports (read, generate)
    ADMIN = "admin"                        # users, rooms and beds, settings
    AUDIT_READ = "audit_read"
    ACCOUNT = "account"                    # one's own account: password, language, logout


P = Permission
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset({P.ROOMS_READ, P.INSTITUTIONS_READ, P.INSTITUTIONS_EDIT, P.ADMIN,
                        P.AUDIT_READ, P.MAINTENANCE, P.ACCOUNT}),
    "kepala": frozenset({P.ROOMS_READ, P.CLIENTS_READ, P.INTAKE, P.EXIT, P.INSTITUTIONS_READ,
                         P.INSTITUTIONS_EDIT, P.STOCK, P.ROSTER_READ, P.ROSTER_EDIT,
                         P.OPERATIONS_READ, P.ROLLCALL, P.INCIDENTS_WRITE, P.INCIDENTS_ACK,
                         P.REFERRALS, P.CLIENTS_MERGE, P.CLIENTS_EXPORT, P.FACILITY_USE,
                         P.MAINTENANCE, P.ACCESS_REVIEW, P.REPORTS, P.AUDIT_READ, P.ACCOUNT}),
    "petugas": frozenset({P.ROOMS_READ, P.CLIENTS_READ, P.INTAKE, P.EXIT, P.INSTITUTIONS_READ,
                          P.STOCK, P.ROSTER_READ, P.OPERATIONS_READ, P.ROLLCALL,
                          P.INCIDENTS_WRITE, P.REFERRALS, P.FACILITY_USE, P.MAINTENANCE,
                          P.REPORTS, P.ACCOUNT}),
    "staf": frozenset({P.ROOMS_READ, P.CLIENTS_READ, P.EXIT, P.INSTITUTIONS_READ,
                       P.INSTITUTIONS_EDIT, P.STOCK, P.ROSTER_READ, P.OPERATIONS_READ,
                       P.REFERRALS, P.FACILITY_USE, P.MAINTENANCE, P.REPORTS, P.ACCOUNT}),
}
del P

PUBLIC = "public"
_ATTR = "_rps_access"


def role_can(role: str | None, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role or "", frozenset())


def current_role() -> str | None:
    """The signed-in user's role, or None. The user is looked up once: each attribute read
    through the `current_user` proxy repeats Flask-Login's lookup, and a page asks `can`
    some twenty times."""
    user = current_user._get_current_object()
    return user.role if user is not None and user.is_authenticated else None


def can(permission: Permission) -> bool:
    """For templates and views: may the current user do this?"""
    return role_can(current_role(), permission)


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
