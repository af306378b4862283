"""Security headers on every response, and no caching of pages with personal data."""
from flask import request
from flask.sessions import SecureCookieSessionInterface

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

# Paths whose answers never carry personal data and may be cached.
_CACHEABLE_PREFIXES = ("/static/",)


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith(_CACHEABLE_PREFIXES):
        # Pages, API answers and PDFs may hold personal data: keep them out of caches.
        headers["Cache-Control"] = "no-store"
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Secure cookies whenever the request came over HTTPS (directly or through a proxy
    that says so), so that plain http://127.0.0.1 on the shelter's own machine still works."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def init_app(app) -> None:
    app.session_interface = SessionInterface()
    app.after_request(set_security_headers)
