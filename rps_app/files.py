"""Files and folders the application creates hold personal data: owner-only, always.

Files are created 0600 and folders 0700 from the start (os.open with the mode, not a chmod
afterwards that leaves a moment of 0644), whatever the process umask is. The SQLite
database, its -wal and -shm are created with the database file's mode by SQLite itself;
`private_sqlite` makes sure that file is 0600 before and whenever a connection opens.
"""
import os

FILE_MODE, DIR_MODE = 0o600, 0o700


def private_dir(path: str) -> str:
    """Create `path` (and missing parents) as 0700; an existing folder of ours is set 0700."""
    path = os.path.abspath(path)
    missing = []
    head = path
    while head and not os.path.isdir(head):
        missing.append(head)
        head = os.path.dirname(head)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            pass
    _restrict(path, DIR_MODE)
    return path


def write_private(path: str, data: bytes, exclusive: bool = False) -> None:
    """Write `data` to a file readable by its owner only (exclusive: the file must be new)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)  # an existing file keeps no wider mode
        handle.write(data)


def private_sqlite(database: str) -> None:
    """The SQLite file (created empty when missing: SQLite opens an empty file as a new
    database) and its -wal and -shm, owner-only. A missing folder is not made: a database
    path into nowhere is a configuration mistake that must fail (and /readyz say so)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    if not os.path.exists(database) and os.path.isdir(os.path.dirname(os.path.abspath(database))):
        try:
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        except FileExistsError:
            pass
    for path in (database, database + "-wal", database + "-shm"):
        _restrict(path, FILE_MODE)


def _restrict(path: str, mode: int) -> None:
    try:
        if os.stat(path).st_uid == os.getuid() and os.stat(path).st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass
