"""job runs: any scheduled job's occurrence is claimed once, not only report runs

Revision ID: 0008_job_runs
Revises: 0007_stock
Create Date: 2026-11-30 17:00:00

The scheduler used to claim an occurrence by inserting its ReportRun. It now claims every
registered job's occurrence in job_runs (unique kind + period); the reporting jobs still
archive their ReportRun. The scheduled runs already made are copied over, so that an
upgraded installation does not run them again.
"""
from alembic import op
import sqlalchemy as sa

import rps_app.types


revision = '0008_job_runs'
down_revision = '0007_stock'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', rps_app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', rps_app.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running', 'done', 'failed')", name=op.f('ck_job_runs_status')),
    sa.CheckConstraint('period_from <= period_to', name=op.f('ck_job_runs_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('kind', 'period_from', 'period_to', name='uq_job_runs_kind_period')
    )
    op.execute(
        "INSERT INTO job_runs (kind, period_from, period_to, status, attempts, error, "
        "started_at, finished_at) "
        "SELECT kind, period_from, period_to, status, attempts, error, started_at, finished_at "
        "FROM report_runs WHERE requested_by = 'scheduler' "
        "AND kind IN ('daily', 'monthly', 'overdue-check')")


def downgrade():
    op.drop_table('job_runs')
