"""booking staff: a session's counsellor is a member of the staff register

Bookings named their counsellor by user account until the staff register (operations)
existed; a counsellor now is a row of `staff` (a login is optional). Each booking's
counsellor becomes the staff entry of that user, or none when the user has no entry.

Revision ID: 0011_booking_staff
Revises: 0010_client_search
Create Date: 2026-11-30 17:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_booking_staff'
down_revision = '0010_client_search'
branch_labels = None
depends_on = None


def _repoint(old_fk: str, new_fk: str, table: str, mapping: str) -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(old_fk, type_='foreignkey')
    op.execute(f"UPDATE bookings SET staff_id = ({mapping}) WHERE staff_id IS NOT NULL")
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_foreign_key(new_fk, table, ['staff_id'], ['id'])


def upgrade():
    _repoint('fk_bookings_staff_id_users', 'fk_bookings_staff_id_staff', 'staff',
             "SELECT staff.id FROM staff WHERE staff.user_id = bookings.staff_id")


def downgrade():
    _repoint('fk_bookings_staff_id_staff', 'fk_bookings_staff_id_users', 'users',
             "SELECT staff.user_id FROM staff WHERE staff.id = bookings.staff_id")
