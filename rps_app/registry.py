"""What the domains add to the application, collected in one place per app.

Each domain package has `register(app)`; `rps_app.domains.DOMAINS` lists them and the app
factory walks that list. A domain adds its blueprints, navigation entries, page sections
(panels on the dashboard, the client page and the stay page), command-line commands and
scheduled jobs through the functions below, so that adding a domain touches its own
folder, the list of domains and the permission table, nothing else.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app

KEY = "rps_registry"


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: Any            # a lazy_gettext string
    permission: Any       # auth.permissions.Permission
    order: int


@dataclass(frozen=True)
class Section:
    """A panel one domain shows on another's page. `page` is "dashboard", "client",
    "stay" or "facility_admin" (the rooms admin page); `collect(**context)` returns the
    template's variables, or None to show nothing (context: nothing for the dashboard and
    the rooms admin page, `client` or `stay` for those pages).

    `reads()`, when given, names the lists the panel shows as batch.Part selects (built
    once, so a cached function; their values as bind parameters named after the context,
    `client_id` for `client`): the page reads every panel's lists in one statement and
    hands each panel its rows, `collect(rows={name: [row, ...]}, **context)`.

    A `batched` section reads with the rest of its page, in one statement (rps_app.reads):
    `collect(reads, **context)` only asks `reads` for what it needs and returns a function
    that, once the page has run the reads, returns the template's variables (or None).
    (Two ways to one end, from two pieces of work done side by side: the dashboard's
    reads and the client page's lists; to be made one.)"""
    page: str
    template: str
    collect: Callable[..., Any]
    permission: Any
    order: int
    reads: Callable[[], dict] | None = None
    batched: bool = False


@dataclass
class Registry:
    nav: list[NavEntry] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    jobs: list[Any] = field(default_factory=list)          # scheduling.Job
    domains: list[str] = field(default_factory=list)


def of(app: Flask | None = None) -> Registry:
    app = app or current_app
    return app.extensions.setdefault(KEY, Registry())


def add_blueprint(app: Flask, blueprint: Blueprint, api: bool = False) -> None:
    """A page blueprint is named after its package; an API blueprint ends in "_api", lives
    under /api/v1 and authenticates by bearer token only (so CSRF does not apply)."""
    if api:
        from .extensions import csrf
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint, url_prefix="/api/v1")
    else:
        app.register_blueprint(blueprint)


def add_nav(app: Flask, endpoint: str, label, permission, order: int) -> None:
    of(app).nav.append(NavEntry(endpoint, label, permission, order))


def add_section(app: Flask, page: str, template: str, collect: Callable[..., Any],
                permission, order: int = 100, reads: Callable[[], dict] | None = None,
                batched: bool = False) -> None:
    of(app).sections.append(Section(page, template, collect, permission, order, reads,
                                    batched))


def add_job(app: Flask, job) -> None:
    """A scheduled job (scheduling.Job): the scheduler claims each occurrence once."""
    of(app).jobs.append(job)


def add_command(command) -> None:
    """A command of the `rps` group (commands exist before any app, for `rps --help`)."""
    from .commandline import rps
    if command.name not in rps.commands:
        rps.add_command(command)


def nav_entries(app: Flask | None = None) -> list[NavEntry]:
    return sorted(of(app).nav, key=lambda e: e.order)


def sections(page: str, app: Flask | None = None) -> list[Section]:
    return sorted((s for s in of(app).sections if s.page == page), key=lambda s: s.order)
