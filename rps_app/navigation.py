"""The main navigation, by role: a link appears only for those who may open it. Domains
add their entries with registry.add_nav; page sections of other domains are listed here too."""
from flask import current_app, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from . import batch, registry
from .permissions import can, current_role, role_can
from .reads import Reads


def nav_items():
    links = _links(current_role(), str(get_locale()), request.script_root)
    return [{"url": url, "label": label, "active": request.endpoint == endpoint}
            for endpoint, url, label in links]


def _links(role: str | None, language: str, script_root: str) -> tuple:
    """The links a role sees, in a language, built once per application (each page built
    them anew: a permission check, a URL and a translated label per entry). A label is
    markup, as the lazy string it comes from renders."""
    built = current_app.extensions.setdefault("rps_nav_links", {})
    key = (role, language, script_root)
    if key not in built:
        built[key] = tuple((entry.endpoint, url_for(entry.endpoint), Markup(entry.label.__html__()))
                           for entry in registry.nav_entries()
                           if entry.endpoint in current_app.view_functions
                           and role_can(role, entry.permission))
    return built[key]


def page_sections(page: str, **context) -> list[dict]:
    """The panels other domains add to `page` ("dashboard", "client", "stay", "exit") that the
    current user may see, each as {"template", "data"}; a collect() of None shows nothing."""
    return page_sections_with(page, {}, **context)[1]


def page_sections_with(page: str, own: dict, **context) -> tuple[dict, list[dict]]:
    """page_sections, and the page's own lists `own` (batch parts, parameters named after
    the context as for Section.reads) read in the same statement as the panels' lists:
    ({name: rows}, panels)."""
    reads = Reads()
    finish = prepare_sections(page, reads, own=own, **context)
    reads.run()
    return finish()


def prepare_sections(page: str, reads: Reads, own: dict | None = None, **context):
    """page_sections in two steps, for a page that reads its own panels in the same
    statement: the batched sections ask `reads` now; the function returned, called once
    the page has run `reads`, gives the page's own rows (`own`, batch parts) and the panels.
    The lists the page and its panels declare (`own`, Section.reads) are read all in one
    statement, with the ids of the context as parameters (`client_id` for `client`), and
    the remaining sections read on their own."""
    allowed = [section for section in registry.sections(page) if can(section.permission)]
    steps = [(section, section.collect(reads, **context) if section.batched else None)
             for section in allowed]

    def finish() -> tuple[dict, list[dict]]:
        parts = {("page", name): part for name, part in (own or {}).items()}
        parts.update({(number, name): part for number, section in enumerate(allowed)
                      if section.reads and not section.batched
                      for name, part in section.reads().items()})
        params = {f"{key}_id": value.id for key, value in context.items()
                  if hasattr(value, "id")}
        fetched = batch.fetch(parts, params)
        shown = []
        for number, (section, build) in enumerate(steps):
            if section.batched:
                data = build()
            elif section.reads:
                data = section.collect(rows={name: fetched[(number, name)]
                                             for name in section.reads()}, **context)
            else:
                data = section.collect(**context)
            if data is not None:
                shown.append({"template": section.template, "data": data})
        return {name: fetched[("page", name)] for name in own or {}}, shown
    return finish


def init_app(app) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["page_sections"] = page_sections
