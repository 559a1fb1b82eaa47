"""The one way every command prints: a rich table for people, or ``--json`` for programs.

``Output.rows`` renders a list of pydantic models or dicts; ``Output.record`` one of
them, field by field. In JSON every key of the value is kept (stable keys), ids are
strings and instants ISO-8601 with their offset, in the policy's zone. Progress bars
go to stderr, and only when it is a terminal and the output is not JSON.

Stored text comes from the public: every cell, title, caption and line is rendered
with ``for_terminal`` and handed to rich as a ``Text``, never as markup; JSON keeps
every value exact, with control characters spelled as ``\\u`` escapes.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from enum import Enum
from typing import Any, Literal
from uuid import UUID

import click
from pydantic import BaseModel
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lapor_domain import WorkingCalendar
from lapor_projections import for_terminal, json_for_terminal, readable

from . import i18n
from .timeparse import local_text

Kind = Literal["text", "term", "id", "instant", "deadline", "sla", "percent", "number", "flag"]
"""``term``: a word of the domain's fixed vocabulary (a status, a clock, an event), shown in the
operator's language."""
Row = BaseModel | Mapping[str, Any]
ProgressCallback = Callable[[int, int], None]

SLA_STYLES = {"on-track": "green", "late": "yellow", "breached": "bold red"}
OUTCOME_STYLES = {"met": "green", "late": "yellow", "breached": "bold red", "open": "cyan"}
_UNBROKEN = ("id", "instant", "sla", "number", "percent")  # short values read whole
_TIMED = ("instant", "deadline")
_PIPED_WIDTH = 240  # piped: wide enough that nothing wraps; tables take only what they need


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: which key, its header, and how a cell reads."""

    key: str
    header: str
    kind: Kind = "text"
    max_width: int | None = None
    whole: bool = False  # keep unbroken (an actor, a desk): other columns make room
    optional: bool = False  # left out when the terminal is too narrow for every column


def plain(value: Any, zone: tzinfo) -> Any:
    """A JSON-ready value: string ids, ISO-8601 instants in ``zone``, enum values."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, Mapping):
        return {str(key): plain(item, zone) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item, zone) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


class Output:
    """Where and how a command's result is written."""

    def __init__(
        self,
        *,
        as_json: bool,
        zone: Callable[[], tzinfo],
        calendar: Callable[[], WorkingCalendar] | None = None,
        lang: Callable[[], str] = lambda: "id",
    ) -> None:
        self.as_json = as_json
        self._zone = zone
        self._calendar = calendar
        self._lang = lang
        self._translate: i18n.Translate | None = None
        self.judged_at: datetime | None = None
        """The instant the shown deadlines are judged at: a deadline cell then says how many
        working days are left (a command that judges, such as ``queue``, sets it)."""

    # -- results ----------------------------------------------------------------------

    def rows(
        self,
        rows: Sequence[Row],
        columns: Sequence[Column],
        *,
        title: str | None = None,
        caption: str | None = None,
        empty: str | None = None,
    ) -> None:
        if self.as_json:
            self.json(list(rows))
            return
        if not rows:
            click.echo(for_terminal(self._("nothing to show") if empty is None else empty))
            return
        console = self.console()
        essential = [c for c in columns if not c.optional]
        hidden = self._("{count} more columns with a wider terminal or --json").format(
            count=len(columns) - len(essential)
        )
        for shown, whole, note in (
            (columns, True, None),
            (essential, True, hidden),
            (essential, False, hidden),
        ):
            cells = [[self.cell(_as_mapping(row).get(c.key), c.kind) for c in shown] for row in rows]
            shown = [replace(c, header=self._(c.header)) for c in shown]
            zone = self.zone_caption() if any(c.kind in _TIMED for c in shown) else None
            footer = "\n".join(part for part in (caption, zone, note) if part) or None
            table = _table(shown, cells, title, footer, keep_whole=whole)
            if not whole or _narrowest(shown, cells) <= console.width:
                break
        console.print(table)

    def record(self, row: Row, fields: Sequence[Column], *, title: str | None = None) -> None:
        """One value, a field a line."""
        if self.as_json:
            self.json(row)
            return
        values = _as_mapping(row)
        zone = self.zone_caption() if any(f.kind in _TIMED for f in fields) else None
        table = Table(
            title=_text(title, "table.title"),
            caption=_text(zone, "table.caption"),
            caption_justify="left",
            show_header=False,
            title_justify="left",
            box=None,
            padding=(0, 2, 0, 0),
        )
        table.add_column(style="bold")
        table.add_column()
        for field in fields:
            table.add_row(Text(self._(field.header)), self.cell(values.get(field.key), field.kind))
        self.console().print(table)

    def json(self, value: Any) -> None:
        click.echo(json_for_terminal(json.dumps(plain(value, self._zone()), ensure_ascii=False, indent=2)))

    def line(self, text: str, *, style: str | None = None) -> None:
        """A sentence for people; nothing in JSON mode."""
        if not self.as_json:
            self.console().print(Text(for_terminal(text, multiline=True), style=style or ""))

    def cell(self, value: Any, kind: Kind) -> Text:
        """A value as a table cell: stored text with its control characters shown, not obeyed."""
        if value is None or value == "":
            return Text("-", style="dim")
        if isinstance(value, Enum):
            value = value.value
        if kind == "id":
            return Text(for_terminal(str(value)[:8]))
        if kind == "instant" and isinstance(value, datetime):
            return Text(local_text(value, self._zone()))
        if kind == "deadline" and isinstance(value, datetime):
            return Text(self.deadline(value))
        if kind == "sla":
            style = SLA_STYLES.get(str(value), OUTCOME_STYLES.get(str(value), ""))
            return Text(for_terminal(self._(str(value))), style=style)
        if kind == "percent" and isinstance(value, int | float):
            return Text(f"{value:.0%}")
        if kind == "term":
            return Text(for_terminal(self._(str(value))))
        if kind == "flag":
            return Text(self._("yes") if value else "", style="bold")
        if isinstance(value, float):
            return Text(f"{value:g}")
        if isinstance(value, Mapping):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
        elif isinstance(value, list | tuple):
            value = ", ".join(map(str, value))
        return Text(for_terminal(str(value)))

    @property
    def lang(self) -> str:
        return self._lang()

    def _(self, message: str) -> str:
        """A word of the operator's language (``i18n``): headers, states, flags."""
        if self._translate is None:  # the language is known once the policy is: look it up once
            self._translate = i18n.speaking(self.lang)
        return self._translate(message)

    def deadline(
        self,
        deadline: datetime,
        *,
        at: datetime | None = None,
        calendar: WorkingCalendar | None = None,
        sep: str = "\n",
    ) -> str:
        """A deadline as the last working day it includes, with the working days left at ``at``
        on ``calendar`` (by default: the instant a table judges at, ``judged_at``, on the
        output's calendar), after ``sep``."""
        text = readable.deadline_text(deadline, self._zone(), self.lang)
        at = self.judged_at if at is None else at
        if calendar is None and self._calendar is not None:
            calendar = self._calendar()
        if at is None or calendar is None:
            return text
        left = readable.left_at(deadline, at, calendar, self.lang)
        return text if left is None else f"{text}{sep}({left})"

    def zone_caption(self) -> str:
        return readable.zone_caption(self._zone(), self.judged_at, self.lang)

    # -- the terminal -----------------------------------------------------------------

    @staticmethod
    def console(*, stderr: bool = False) -> Console:
        # Everything printed is a Text already (stored text is shown as written): no markup,
        # no :emoji: codes, nothing highlighted, and rich need not load its emoji table.
        console = Console(stderr=stderr, highlight=False, markup=False, emoji=False)
        if not console.is_terminal and "COLUMNS" not in os.environ:
            console.width = _PIPED_WIDTH
        return console

    def shows_progress(self) -> bool:
        return not self.as_json and sys.stderr.isatty()

    @contextmanager
    def progress(self, description: str) -> Iterator[ProgressCallback | None]:
        """A bar on stderr fed by ``(done, total)`` calls; None when nobody watches."""
        if not self.shows_progress():
            yield None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.console(stderr=True),
            transient=True,
        )
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, done))

        with bar:
            yield advance


def _table(
    columns: Sequence[Column],
    cells: list[list[Text]],
    title: str | None,
    caption: str | None,
    *,
    keep_whole: bool,
) -> Table:
    table = Table(
        title=_text(title, "table.title"),
        caption=_text(caption, "table.caption"),
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for index, column in enumerate(columns):
        table.add_column(
            Text(column.header),
            justify="right" if column.kind in ("number", "percent") else "left",
            max_width=column.max_width,
            width=_whole_width(column, cells, index) if keep_whole and _is_unbroken(column) else None,
            overflow="fold",  # wrap, never cut
        )
    for line in cells:
        table.add_row(*line)
    return table


def _text(sentence: str | None, style: str) -> Text | None:
    """A title or caption as rich text: shown as written, never read as markup."""
    return None if sentence is None else Text(for_terminal(sentence, multiline=True), style=style)


def _is_unbroken(column: Column) -> bool:
    return column.whole or column.kind in _UNBROKEN


def _whole_width(column: Column, cells: list[list[Text]], index: int) -> int:
    return max(len(column.header), *(line[index].cell_len for line in cells))


_SQUEEZED = 12  # how narrow a wrapping column may become


def _narrowest(columns: Sequence[Column], cells: list[list[Text]]) -> int:
    """The width a table needs with its unbroken columns whole and the others squeezed."""
    needed = 0
    for index, column in enumerate(columns):
        if _is_unbroken(column):
            needed += _whole_width(column, cells, index)
        else:
            widest = max(line[index].cell_len for line in cells)
            needed += min(widest, max(_SQUEEZED, *(len(word) for word in column.header.split())))
    return needed + 3 * len(columns)


def _as_mapping(row: Row) -> Mapping[str, Any]:
    return row.model_dump() if isinstance(row, BaseModel) else row
