"""A new SQLite file built beside an old one and swapped in whole, or not at all.

``beside(path)`` yields the name of an empty file in the same folder; when the block
succeeds the new file replaces ``path`` with one ``os.replace`` (atomic on one file
system), and on any failure or interruption it is removed and ``path`` stays exactly
as it was. Before the rename both files are settled in rollback-journal mode, so
each is whole in its main file: no ``-wal`` of the old file is left to be replayed
onto the new one, and none of the new file's pages stay behind in a ``-wal``.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import CliError

SIDE_FILES = ("-wal", "-shm", "-journal")


@contextmanager
def beside(path: Path) -> Iterator[Path]:
    """A new file next to ``path`` that takes its place if the block succeeds."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    os.close(handle)
    fresh = Path(name)
    try:
        fresh.chmod(_mode_for(path))
        yield fresh
        _settle(fresh)
        if path.exists():
            _settle(path)
        _remove_side_files(path)
        os.replace(fresh, path)
        _sync_folder(path.parent)
    finally:
        fresh.unlink(missing_ok=True)
        _remove_side_files(fresh)


def _mode_for(path: Path) -> int:
    """The old file's permissions, or a new file's usual ones (mkstemp's are owner-only)."""
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _settle(path: Path) -> None:
    """Fold the file's WAL into it and leave it in rollback-journal mode (no -wal, no -shm)."""
    try:
        conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    except sqlite3.Error as exc:
        raise CliError("cannot open {path}: {reason}", path=path, reason=str(exc)) from exc
    try:
        conn.execute("PRAGMA journal_mode=DELETE").fetchall()
    except sqlite3.OperationalError as exc:  # another process has it open
        raise CliError(
            "{path} is in use ({reason}): close what uses it and try again", path=path, reason=str(exc)
        ) from exc
    except sqlite3.DatabaseError:
        pass  # not a database: there is no WAL of it to fold in
    finally:
        conn.close()


def _remove_side_files(path: Path) -> None:
    for suffix in SIDE_FILES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (where the platform lets a folder be synced)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
