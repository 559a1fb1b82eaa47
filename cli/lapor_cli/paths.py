"""File paths on the command line (imports nothing of the library: the root group uses it)."""

from __future__ import annotations

from typing import Any

import click

from .clicktext import say


class FilePath(click.Path):
    """A file path as click checks it, refusing first what no file system takes (a NUL character)."""

    @property
    def name(self) -> str:
        """ "file", "directory" or "path", in the invocation's language when an error says it
        (click names it when the option is declared, at import)."""
        return say(self._kind)

    @name.setter
    def name(self, kind: str) -> None:
        self._kind = kind

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str | None:
        return self._kind.upper()  # FILE, as the explicit metavars say it, in either language

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if "\x00" in str(value):
            self.fail(
                say("{value!r}: a path cannot hold a NUL character").format(value=str(value)), param, ctx
            )
        return super().convert(value, param, ctx)
