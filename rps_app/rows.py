"""A model row as plain JSON values (dates as ISO text), for a data subject's export."""
from datetime import date, datetime

# What replaces personal text when retention anonymises a record (same words as privacy's).
REMOVED = "[dihapus: masa retensi]"


def json_row(obj, skip=()) -> dict:
    result = {}
    for column in obj.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(obj, column.key)
        result[column.key] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return result
