"""The audit log page (admin, kepala): who did what to which record, with filters."""
from flask import Blueprint, current_app, render_template, request

from ..permissions import Permission, can, requires
from ..extensions import db
from ..page_cache import cached
from ..web import page_number
from . import services
from .forms import AuditFilterForm
from .labels import ACTION_LABELS, action_label, detail_text, entity_label
from .models import AuditEntry

bp = Blueprint("audit", __name__)
COUNT_CAP = 10_000


@bp.get("/audit")
@requires(Permission.AUDIT_READ)
@cached(also=services.newest_id)  # the log's writes leave the data version as it is
def index():
    form = AuditFilterForm(formdata=request.args)
    start, end = form.period()
    stmt = services.query(entity=form.entity.data, entity_id=(form.entity_id.data or "").strip(),
                          since=start, username=(form.username.data or "").strip(),
                          action=(form.action.data or "").strip())
    if end is not None:
        stmt = stmt.where(AuditEntry.at < end)
    # The log grows by every read of a client record: the pages are counted up to a cap
    # (counting the whole log cost more than the page itself at 600k entries).
    page = db.paginate(stmt, page=page_number(), per_page=current_app.config["PER_PAGE"],
                       error_out=False, count=False)
    page.total = services.counted(stmt, COUNT_CAP)
    return render_template("audit/index.html", form=form, page=page,
                           entities=services.entity_names(), count_cap=COUNT_CAP,
                           actions=sorted(ACTION_LABELS, key=action_label),
                           action_label=action_label, entity_label=entity_label,
                           detail_text=_detail_text_for_viewer(),
                           filters=form.query_args())


def _detail_text_for_viewer():
    """detail_text(entry) for the page: client values masked for roles that do not read
    client records (admin)."""
    if can(Permission.CLIENTS_READ):
        return lambda entry: detail_text(entry.detail)
    return lambda entry: detail_text(services.masked_detail(entry.entity, entry.detail))
