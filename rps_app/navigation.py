"""The main navigation, by role: a link appears only for those who may open it. Domains
add their entries with registry.add_nav; page sections of other domains are listed here too."""
from flask import request, url_for

from . import registry
from .permissions import can
from .reads import Reads


def nav_items():
    from flask import current_app
    items = []
    for entry in registry.nav_entries():
        if entry.endpoint in current_app.view_functions and can(entry.permission):
            items.append({"url": url_for(entry.endpoint), "label": entry.label,
                          "active": request.endpoint == entry.endpoint})
    return items


def page_sections(page: str, **context) -> list[dict]:
    """The panels other domains add to `page` ("dashboard", "client", "stay", "exit") that the
    current user may see, each as {"template", "data"}; a collect() of None shows nothing."""
    reads = Reads()
    finish = prepare_sections(page, reads, **context)
    reads.run()
    return finish()


def prepare_sections(page: str, reads: Reads, **context):
    """page_sections in two steps, for a page that reads its own panels in the same
    statement: the batched sections ask `reads` now; the function returned, called once
    the page has run `reads`, gives the panels (the other sections read then)."""
    steps = []
    for section in registry.sections(page):
        if not can(section.permission):
            continue
        if section.batched:
            steps.append((section.template, section.collect(reads, **context)))
        else:
            steps.append((section.template, lambda s=section: s.collect(**context)))

    def finish() -> list[dict]:
        shown = []
        for template, build in steps:
            data = build()
            if data is not None:
                shown.append({"template": template, "data": data})
        return shown
    return finish


def init_app(app) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["page_sections"] = page_sections
