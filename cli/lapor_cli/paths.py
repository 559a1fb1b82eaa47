"""File paths on the command line (imports nothing of the library: the root group uses it)."""

from __future__ import annotations

from typing import Any

import click


class FilePath(click.Path):
    """A file path as click checks it, refusing first what no file system takes (a NUL character)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if "\x00" in str(value):
            self.fail(f"{str(value)!r}: a path cannot hold a NUL character", param, ctx)
        return super().convert(value, param, ctx)
