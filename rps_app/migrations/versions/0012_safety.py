"""safety: throttling per (username key, address) without usernames in clear; idempotency keys

Revision ID: 0012_safety
Revises: 0011_booking_staff
Create Date: 2026-11-30 16:40:00

"""
from alembic import op
import sqlalchemy as sa

import rps_app.types


revision = '0012_safety'
down_revision = '0011_booking_staff'
branch_labels = None
depends_on = None


def upgrade():
    # Failed logins are short-lived (15 minutes) and held usernames in clear: the rows go
    # (they only throttle the next minutes), the column stays empty (0.1's columns are all
    # kept) and the keyed hash (HMAC) of the username with a required address replace it.
    op.execute("DELETE FROM login_failures")
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_username'))
        batch_op.alter_column('username', existing_type=sa.String(length=80), nullable=True)
        batch_op.add_column(sa.Column('user_key', sa.String(length=64), nullable=False))
        batch_op.alter_column('ip', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_login_failures_user_key'), ['user_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_ip'), ['ip'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('created_at', rps_app.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('user_id', 'key', name='uq_idempotency_keys_user_id_key')
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_keys_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_keys_created_at')
    op.drop_table('idempotency_keys')

    op.execute("DELETE FROM login_failures")
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_ip'))
        batch_op.drop_index(batch_op.f('ix_login_failures_user_key'))
        batch_op.alter_column('ip', existing_type=sa.String(length=64), nullable=True)
        batch_op.drop_column('user_key')
        batch_op.alter_column('username', existing_type=sa.String(length=80), nullable=False)
        batch_op.create_index(batch_op.f('ix_login_failures_username'), ['username'], unique=False)
