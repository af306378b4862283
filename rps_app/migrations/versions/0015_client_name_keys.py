"""client name keys: the duplicate check finds its candidates through an index of folded
name words (casework.duplicates stored_keys) instead of reading every client whose name
shares a first letter

Revision ID: 0015_client_name_keys
Revises: 0014_missing_nik_index
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_client_name_keys'
down_revision = '0014_missing_nik_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'client_name_keys',
        sa.Column('key', sa.String(length=130), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('word_no', sa.SmallInteger(), nullable=False),
        sa.Column('words', sa.SmallInteger(), nullable=False),
        sa.Column('sex', sa.String(length=1), nullable=False),
        sa.Column('born', sa.Integer(), nullable=True),
        sa.Column('origin', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'],
                                name=op.f('fk_client_name_keys_client_id_clients')),
        sa.PrimaryKeyConstraint('key', 'client_id', 'word_no',
                                name=op.f('pk_client_name_keys')),
        sqlite_with_rowid=False)
    op.create_index(op.f('ix_client_name_keys_client_id'), 'client_name_keys', ['client_id'],
                    unique=False)
    # The keys of the clients already on file, by the folding rules of this release.
    from rps_app.casework.duplicates import rebuild_name_keys
    rebuild_name_keys(op.get_bind())


def downgrade():
    op.drop_index(op.f('ix_client_name_keys_client_id'), table_name='client_name_keys')
    op.drop_table('client_name_keys')
