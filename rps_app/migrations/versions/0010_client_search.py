"""client search through indexes: names by trigrams, NIK and registration number by prefix

PostgreSQL: a GIN trigram index (pg_trgm) on clients.name serves ILIKE '%q%' and 'q%'.
SQLite: an FTS5 table with the trigram tokenizer, kept in step with clients.name by
triggers (external content: the names are not stored twice), serves LIKE '%q%'; the
B-tree on name stays for prefixes. NIK and registration number keep their B-trees (prefix
searches are ranges on them).

Revision ID: 0010_client_search
Revises: 0009_operations
"""
from alembic import op

revision = "0010_client_search"
down_revision = "0009_operations"
branch_labels = None
depends_on = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE clients_fts USING fts5(name, content='clients', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER clients_fts_insert AFTER INSERT ON clients BEGIN "
    "INSERT INTO clients_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER clients_fts_delete AFTER DELETE ON clients BEGIN "
    "INSERT INTO clients_fts(clients_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER clients_fts_update AFTER UPDATE OF name ON clients BEGIN "
    "INSERT INTO clients_fts(clients_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO clients_fts(rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO clients_fts(clients_fts) VALUES ('rebuild')",
)
SQLITE_DOWN = ("DROP TRIGGER IF EXISTS clients_fts_update", "DROP TRIGGER IF EXISTS clients_fts_delete",
               "DROP TRIGGER IF EXISTS clients_fts_insert", "DROP TABLE IF EXISTS clients_fts")


def upgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.drop_index("ix_clients_name", table_name="clients")
        op.create_index("ix_clients_name", "clients", ["name"], postgresql_using="gin",
                        postgresql_ops={"name": "gin_trgm_ops"})
        return
    for statement in SQLITE_UP:
        op.execute(statement)


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        op.drop_index("ix_clients_name", table_name="clients")
        op.create_index("ix_clients_name", "clients", ["name"])
        return
    for statement in SQLITE_DOWN:
        op.execute(statement)
