"""Read pages served again from memory while nothing they show has changed (issue 14).

A view marked `@cached` is rendered once per key and its answer kept in this worker
process's memory. The key holds everything the answer depends on:
- the data version (rps_app/data_version.py), read with the user (auth/loaders.py): any
  committed change of the shelter's data makes every kept page stale at once;
- the minute on the app's clock: pages show ages, overdue stays and today's duty, which
  change with time alone (and a write that bypasses the session is missed for a minute at
  most);
- the address with its query, the language, the user and role, the API token, and the
  session's contents (its CSRF token, saved searches), but not its last-seen time;
so that a user is never shown a page rendered for someone else.

A page is kept only when it answered 200, left the session as it found it (no flash, no
saved search), and did not write; a page is not served from memory when a message waits
in the session. Each time a kept page is served, the audit calls it made when it was
rendered are made again for this request (`remember`): every showing of a client record is
logged, cached or not.
"""
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from . import clock
from .transaction import writing
from .web import current_actor

_ATTR = "_rps_page_cache"
# Session keys that change without changing any page: the idle timer (auth/views.py).
_VOLATILE_SESSION_KEYS = frozenset({"seen"})
_SKIPPED_HEADERS = frozenset({"set-cookie", "content-length"})


def cached(view=None, *, also=None):
    """Mark a read view (GET) whose answer may be kept between changes of the data.
    `also`: a function whose answer joins the key, for a page that shows what the data
    version leaves out (the audit log's newest entry)."""
    def mark(view):
        setattr(view, _ATTR, also or True)
        return view
    return mark if view is None else mark(view)


@dataclass
class Entry:
    body: bytes
    status: int
    headers: list[tuple[str, str]]
    calls: list[tuple]  # (function, arguments) to call again when served (remember)


class Store:
    """Least recently used entries, up to `max_bytes` of bodies; safe across threads."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes // 4:  # one huge page must not empty the rest
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._entries[key] = entry
            self.size += len(entry.body)
            while self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)


def remembering() -> bool:
    """Whether a page is being rendered to be kept (see remember)."""
    return has_request_context() and g.get("page_cache_calls") is not None


def remember(function, *arguments) -> None:
    """While a page is rendered to be kept: call `function(actor, *arguments)` again each
    time it is served (for the audit log: the reads a page records; the arguments are
    shared by every showing, so the function must not change them). Otherwise nothing."""
    if remembering():
        g.page_cache_calls.append((function, arguments))


def _digest(value) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _session_digest() -> str:
    return _digest({k: v for k, v in session.items() if k not in _VOLATILE_SESSION_KEYS})


def _key() -> tuple | None:
    """This request's key, or None when its answer must be rendered (and not kept)."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    marker = getattr(view, _ATTR, None)
    if (request.method != "GET" or not marker or writing()
            or not current_user.is_authenticated or "_flashes" in session):
        return None
    version = g.get("data_version")
    if version is None:  # no user was loaded, or no version row: nothing to key on
        return None
    minute = int(clock.now().timestamp() // 60)
    g.page_cache_session = _session_digest()
    also = marker() if callable(marker) else None
    return (version, also, minute, request.host_url, request.full_path, str(get_locale()),
            current_user.id, current_user.role, g.page_cache_session,
            _digest(request.headers.get("Authorization", "")))


def serve_kept_page():
    """before_request (after the access checks): a kept answer, or None to render."""
    store = current_app.extensions.get("rps_page_cache")
    key = _key() if store is not None else None
    if key is None:
        return None
    entry = store.get(key)
    if entry is None:
        g.page_cache_key = key
        g.page_cache_calls = []
        return None
    actor = current_actor()
    for function, arguments in entry.calls:
        function(actor, *arguments)
    return current_app.response_class(entry.body, status=entry.status, headers=entry.headers)


def keep_page(response):
    """after_request: keep the answer just rendered, when it may be kept."""
    key = g.pop("page_cache_key", None)
    if (key is None or response.status_code != 200 or response.is_streamed
            or response.direct_passthrough or g.get("write_transaction")
            or g.get("request_failed") or _session_digest() != g.page_cache_session):
        return response
    headers = [(name, value) for name, value in response.headers.items()
               if name.lower() not in _SKIPPED_HEADERS]
    current_app.extensions["rps_page_cache"].put(key, Entry(
        response.get_data(), response.status_code, headers, g.pop("page_cache_calls", [])))
    return response


def init_app(app) -> None:
    """Registered last: the access and password checks run before a kept page is served."""
    megabytes = app.config.get("RPS_PAGE_CACHE_MB", 16)
    if not megabytes:
        return
    app.extensions["rps_page_cache"] = Store(int(megabytes * 1024 * 1024))
    app.before_request(serve_kept_page)
    app.after_request(keep_page)
