"""Every route x every role, checked against the contract's permission table.

The matrix is built from `app.url_map`, so a route added by any package is checked the day
it appears: it must declare its access, and each role must get exactly what the table gives.
"""
import uuid

from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, UUIDConverter

from rps_app.auth.permissions import PUBLIC, ROLE_PERMISSIONS, access_of

from .conftest import PASSWORD, csrf_token
from .factories import make_user

# Our own copy of the contract's table (shared/contract.md), as permission names. It is
# written out here on purpose: a change to the code's table must be a visible change here.
CONTRACT = {
    "admin": {"rooms_read", "institutions_read", "institutions_edit", "admin", "audit_read",
              "maintenance", "account"},
    "kepala": {"rooms_read", "clients_read", "intake", "exit", "institutions_read",
               "institutions_edit", "stock", "roster_read", "roster_edit", "operations_read",
               "rollcall", "incidents_write", "incidents_ack", "referrals", "clients_merge",
               "clients_export", "facility_use", "maintenance", "access_review", "reports",
               "audit_read", "account"},
    "petugas": {"rooms_read", "clients_read", "intake", "exit", "institutions_read", "stock",
                "roster_read", "operations_read", "rollcall", "incidents_write", "referrals",
                "facility_use", "maintenance", "reports", "account"},
    "staf": {"rooms_read", "clients_read", "exit", "institutions_read", "institutions_edit",
             "stock", "roster_read", "operations_read", "referrals", "facility_use",
             "maintenance", "reports", "account"},
}
ROLES = tuple(CONTRACT)
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def routes(app) -> list:
    """(rule, method, access) for every rule and method but HEAD/OPTIONS.

    A list, not a generator: requests made while an app context is pushed would share its
    `g` (CSRF token cache, the transaction's failure flag) and so disturb each other.
    """
    with app.app_context():
        return [(rule, method, access_of(rule.endpoint))
                for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def sample_value(converter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "1"


def url_for_rule(rule) -> str:
    return rule.build({name: sample_value(conv) for name, conv in rule._converters.items()})[1]


def test_every_route_declares_its_access(app):
    missing = [f"{method} {rule.rule} (endpoint {rule.endpoint})"
               for rule, method, access in routes(app) if access is None]
    assert not missing, ("routes without @requires(...) or @public (refused to everyone): "
                         + "; ".join(missing))


def test_the_code_grants_what_the_contract_grants():
    code = {role: {p.value for p in permissions} for role, permissions in ROLE_PERMISSIONS.items()}
    assert code == CONTRACT


class Session:
    """One role's login, through the web form (pages) or an API token (/api/)."""

    def __init__(self, app, role, username):
        self.app, self.role, self.username = app, role, username
        self.web = self.api_headers = None

    def web_client(self):
        if self.web is None:
            self.web = self.app.test_client()
            response = self.web.post("/login", data={
                "username": self.username, "password": PASSWORD,
                "csrf_token": csrf_token(self.web)})
            assert response.status_code == 303, f"{self.role} cannot log in"
            self.token = csrf_token(self.web, "/account")
        return self.web

    def headers(self):
        if self.api_headers is None:
            response = self.app.test_client().post("/api/v1/auth/token", json={
                "username": self.username, "password": PASSWORD})
            assert response.status_code == 200, f"{self.role} cannot get a token"
            self.api_headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
        return self.api_headers

    def forget_if_ended(self) -> bool:
        """A request may have ended this login (logout, token revoked): log in again next
        time. True when it had."""
        ended = False
        if self.web is not None and self.web.get("/account").status_code != 200:
            self.web, ended = None, True
        if (self.api_headers is not None and self.app.test_client().get(
                "/api/v1/auth/me", headers=self.api_headers).status_code != 200):
            self.api_headers, ended = None, True
        return ended


def send(app, session, rule, method):
    """One request as `session` (None: anonymous). Returns (status, location)."""
    url = url_for_rule(rule)
    if rule.rule.startswith("/api/"):
        client = app.test_client()
        kwargs = {"headers": session.headers() if session else {}}
        if method in MUTATING and method != "DELETE":
            kwargs["json"] = {}
    else:
        client = session.web_client() if session else app.test_client()
        token = session.token if session else csrf_token(client)
        kwargs = {"data": {"csrf_token": token}, "headers": {"X-CSRFToken": token}} \
            if method in MUTATING else {}
    with client.open(url, method=method, **kwargs) as response:
        return response.status_code, response.headers.get("Location", "")


def judge(rule, method, access, who, status, location, ended=False) -> str | None:
    """What is wrong with this answer (None: right). `ended`: the request ended the login
    it was made with (logout), so its redirect to /login is the route's own doing."""
    to_login = (status in (301, 302, 303, 307, 308) and location.startswith("/login")
                and not ended)
    api = rule.rule.startswith("/api/")
    if access == PUBLIC:
        if status in (401, 403) or to_login:
            return f"public, but {who} got {status} {location}"
        return None
    if who == "anonymous":
        if api and status != 401:
            return f"anonymous got {status}, expected 401"
        if not api and not to_login:
            return f"anonymous got {status} {location}, expected a redirect to /login"
        return None
    allowed = all(permission.value in CONTRACT[who] for permission in access)
    if not allowed and status != 403:
        return f"{who} lacks {sorted(p.value for p in access)} but got {status}"
    if allowed and (status in (401, 403) or to_login):
        return f"{who} may ({sorted(p.value for p in access)}) but got {status} {location}"
    return None


def test_route_role_matrix(app):
    with app.app_context():
        # Id 1, used for every URL parameter, names a user that no login depends on, so
        # that an admin action on "user 1" cannot end one of the sessions below.
        make_user("sasaran", "staf")
        for role in ROLES:
            make_user(f"matrix-{role}", role)
    sessions = {role: Session(app, role, f"matrix-{role}") for role in ROLES}
    problems, checked = [], 0
    for rule, method, access in routes(app):
        if access is None:
            continue  # reported by test_every_route_declares_its_access
        for who in ("anonymous",) + ROLES:
            session = sessions.get(who)
            try:
                status, location = send(app, session, rule, method)
            except Exception as error:  # a crash is a finding too; keep checking the rest
                problems.append(f"{method} {rule.rule} [{rule.endpoint}]: {who} crashed: "
                                f"{type(error).__name__}: {error}")
                continue
            checked += 1
            ended = session is not None and method in MUTATING and session.forget_if_ended()
            verdict = judge(rule, method, access, who, status, location, ended)
            if verdict:
                problems.append(f"{method} {rule.rule} [{rule.endpoint}]: {verdict}")
    assert checked > 0
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
