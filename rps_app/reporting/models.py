"""ReportRun: one generated report (or scheduled check) per kind and period, exactly once.

The unique constraint on (kind, period_from, period_to) is what makes a scheduled
occurrence run once however many schedulers race for it: the row is inserted (claimed)
first, in its own committed transaction, and only the winner builds the report.
"""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime

# Report kinds with a PDF, and the nightly check of stays past the limit (no file).
REPORT_KINDS = ("daily", "monthly", "occupancy", "length-of-stay")
CHECK_KIND = "overdue-check"
RUN_KINDS = REPORT_KINDS + (CHECK_KIND,)
STATUSES = ("running", "done", "failed")


class ReportRun(db.Model):
    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="running")
    # "scheduler" for a scheduled occurrence, else the username who asked for it.
    requested_by: Mapped[str | None] = mapped_column(String(80))
    file_path: Mapped[str | None] = mapped_column(String(300))  # relative to RPS_REPORTS_DIR
    sha256: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict | None] = mapped_column(JSON)  # a few figures for the archive page
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        UniqueConstraint("kind", "period_from", "period_to",
                         name="uq_report_runs_kind_period"),
        CheckConstraint("status IN ('running', 'done', 'failed')", name="status"),
        CheckConstraint("kind IN ('daily', 'monthly', 'occupancy', 'length-of-stay', "
                        "'overdue-check')", name="kind"),
        CheckConstraint("period_from <= period_to", name="period"),
        Index("ix_report_runs_created_at", "created_at"),
    )

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "period_from": self.period_from.isoformat(),
                "period_to": self.period_to.isoformat(), "status": self.status,
                "sha256": self.sha256, "created_at": self.created_at.isoformat()}
