"""The `holidays` package's closing days kept in a folder, one JSON file per key.

A process that builds Indonesia's calendar asks the package once (about 0.1 s); with a
``ClosingDaysFile`` the next process reads the answer back in about a millisecond. The
key names the package's version and the years, so an upgraded package is asked again.
A file that cannot be read or does not hold what it should is ignored (and rewritten);
a folder that cannot be written leaves every process asking the package, nothing worse.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

from ..model.calendar import ClosingDays

_SAFE_KEY = re.compile(r"[A-Za-z0-9._-]+")


class ClosingDaysFile:
    """A ``ClosingDaysCache`` in ``folder`` (created when first written)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        if not _SAFE_KEY.fullmatch(key):
            raise ValueError(f"a closing-days key is letters, digits, '.', '_' and '-', not {key!r}")
        return self.folder / f"{key}.json"

    def get(self, key: str) -> ClosingDays | None:
        try:
            kept = json.loads(self._path(key).read_text(encoding="utf-8"))
            days = tuple((date.fromisoformat(day), name) for day, name in kept["days"])
            if kept["key"] != key or not all(isinstance(name, str) for _, name in days):
                return None
            return days
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, days: ClosingDays) -> None:
        document = json.dumps({"key": key, "days": [[day.isoformat(), name] for day, name in days]})
        import tempfile  # only when writing: reading back is every command's path

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".closing-days-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(document)
            os.replace(temporary, self._path(key))  # readers see the old file or the new, never half
        except OSError:
            return
