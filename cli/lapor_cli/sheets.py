"""Exports for spreadsheets: one column per field, instants a spreadsheet reads as dates.

An export's rows may nest (an event's data, a reporter inside it); here they are flat:
``data.title``, ``data.reporter.name``. The columns are known before the first row
(``columns``), so a long export streams in constant memory and every row has the same
header whatever its event.

* CSV, plain: ISO-8601 instants with their offset, ``,`` between cells, UTF-8, rates
  rounded to three decimals.
* CSV for Excel (``--excel``): a byte-order mark and ``;`` between cells, as Excel in an
  Indonesian locale opens them; instants as local ``YYYY-MM-DD HH:MM:SS`` in the policy's
  zone (named in the header), decimal commas.
* XLSX (XlsxWriter): real date cells in the policy's zone, numbers as numbers, rates as
  percentages, a frozen header with filters, sensible widths.

Text comes from the public: in CSV every cell is ``for_spreadsheet`` (no formula runs); in
XLSX text is always written as a string (never a formula, a link or a number) with its
control characters shown, not obeyed.
"""

from __future__ import annotations

import csv
import json
import types
import typing
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from lapor_projections import for_spreadsheet, for_terminal, json_for_terminal

RATE_DECIMALS = 3
RATES = ("on_time_rate",)
_WIDEST = 60


def flatten(values: Mapping[str, Any], prefix: str = "", *, whole: Collection[str] = ()) -> dict[str, Any]:
    """Nested mappings (a model's fields) as dotted keys; a list, or a mapping named in ``whole``
    (a field that is a dict, such as the closing days by date), as one JSON text."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and name not in whole:
            flat.update(flatten(value, f"{name}.", whole=whole))
        elif isinstance(value, list | tuple | Mapping):
            flat[name] = json_for_terminal(json.dumps(_keyed(value), ensure_ascii=False, default=str))
        else:
            flat[name] = value
    return flat


def _keyed(value: Any) -> Any:
    """A mapping's keys as text (dates as ISO days), for JSON."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return value


def zone_name(zone: tzinfo) -> str:
    """``WIB`` for Asia/Jakarta (the abbreviation people read), else the zone's key."""
    name = getattr(zone, "key", None) or str(zone)
    return datetime(2025, 1, 1, 12, tzinfo=zone).tzname() or name


def _rounded(key: str, value: Any) -> Any:
    if key.rsplit(".", 1)[-1] in RATES and isinstance(value, float):
        return round(value, RATE_DECIMALS)
    return value


class Columns:
    """An export's columns, in order, and which of them hold instants (their header names the zone)."""

    def __init__(self, names: Sequence[str], instants: Iterable[str] = ()) -> None:
        self.names = list(dict.fromkeys(names))
        self.instants = frozenset(instants)

    def header(self, name: str, zone: tzinfo) -> str:
        return f"{name} ({zone_name(zone)})" if name in self.instants else name

    @classmethod
    def of_model(cls, model: type[BaseModel], *, prefix: str = "", exclude: Iterable[str] = ()) -> Columns:
        """A pydantic model's fields, a nested model's as dotted names, in declaration order."""
        names: list[str] = []
        instants: list[str] = []
        left_out = set(exclude)
        for field, info in model.model_fields.items():
            if field in left_out:
                continue
            name = f"{prefix}{field}"
            kinds = _kinds(info.annotation)
            nested = [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)]
            if nested:
                inner = cls.of_model(nested[0], prefix=f"{name}.")
                names += inner.names
                instants += inner.instants
                continue
            names.append(name)
            if any(isinstance(k, type) and issubclass(k, datetime) for k in kinds):
                instants.append(name)
        return cls(names, instants)

    def __add__(self, other: Columns) -> Columns:
        return Columns([*self.names, *other.names], self.instants | other.instants)


def _kinds(annotation: Any) -> list[Any]:
    """The types an annotation admits (``X | None`` is X and None; Annotated[X, ...] is X)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return _kinds(args[0])
    if args and typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [kind for arg in args for kind in _kinds(arg)]
    return [annotation]


def write_csv(
    rows: Iterable[Mapping[str, Any]], columns: Columns, stream: IO[str], zone: tzinfo, *, excel: bool
) -> int:
    """Flat rows under a fixed header; returns how many. ``rows`` hold datetimes, not text."""
    if excel:
        stream.write("\ufeff")
    header = [columns.header(c, zone) if excel else c for c in columns.names]
    writer = csv.writer(stream, delimiter=";" if excel else ",", lineterminator="\r\n" if excel else "\n")
    writer.writerow(header)
    whole = frozenset(columns.names)
    count = 0
    for row in rows:
        flat = flatten(row, whole=whole)
        _no_strays(flat, columns.names)
        writer.writerow([_csv_cell(_rounded(c, flat.get(c)), zone, excel) for c in columns.names])
        count += 1
    return count


def _csv_cell(value: Any, zone: tzinfo, excel: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(zone)
        return local.strftime("%Y-%m-%d %H:%M:%S") if excel else local.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and excel:
        return f"{value:g}".replace(".", ",")
    if isinstance(value, bool):
        return "true" if value else "false"
    return for_spreadsheet(_plain(value))


def _plain(value: Any) -> Any:
    value = getattr(value, "value", value)  # an enum: its value
    return str(value) if not isinstance(value, int | float | str) else value


def write_xlsx(
    rows: Iterable[Mapping[str, Any]], columns: Columns, path: Path, zone: tzinfo, *, sheet: str
) -> int:
    """Flat rows as one worksheet of a new XLSX file; returns how many."""
    import xlsxwriter  # only an XLSX export needs it

    options = {
        "constant_memory": True,  # rows go to disk as written: any length of export
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "remove_timezone": True,
    }
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        bold = workbook.add_format({"bold": True, "bg_color": "#EEEEEE", "bottom": 1})
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        percent = workbook.add_format({"num_format": "0.0%"})
        worksheet = workbook.add_worksheet(sheet[:31])
        names = columns.names
        whole = frozenset(names)
        widths = [min(_WIDEST, max(8, len(columns.header(c, zone)) + 2)) for c in names]
        for index, column in enumerate(names):
            worksheet.write_string(0, index, columns.header(column, zone), bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            flat = flatten(row, whole=whole)
            _no_strays(flat, names)
            for index, column in enumerate(names):
                value = flat.get(column)
                width = _write_cell(worksheet, count, index, column, value, zone, when, day, percent)
                widths[index] = min(_WIDEST, max(widths[index], width + 2))
        for index, width in enumerate(widths):
            worksheet.set_column(index, index, width)
        worksheet.freeze_panes(1, 0)
        worksheet.autofilter(0, 0, max(count, 1), max(len(names) - 1, 0))
    finally:
        workbook.close()
    return count


def _write_cell(
    worksheet: Any, row: int, col: int, column: str, value: Any, zone: tzinfo, *formats: Any
) -> int:
    """Write one cell (``formats``: an instant's, a day's, a rate's); returns how wide it reads."""
    when, day, percent = formats
    if value is None:
        return 0
    if isinstance(value, datetime):
        worksheet.write_datetime(row, col, value.astimezone(zone).replace(tzinfo=None), when)
        return 16
    if isinstance(value, date):
        worksheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), day)
        return 10
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
        return 5
    if isinstance(value, int | float):
        if column.rsplit(".", 1)[-1] in RATES:
            worksheet.write_number(row, col, value, percent)
            return 6
        worksheet.write_number(row, col, value)
        return len(f"{value:g}")
    text = _within_a_cell(for_terminal(str(_plain(value)), multiline=True))
    worksheet.write_string(row, col, text)  # shown as a string, never a formula
    return max((len(line) for line in text.splitlines()), default=0)


CELL_LIMIT = 32_767
"""The most characters a spreadsheet cell holds (Excel's limit)."""


def _within_a_cell(text: str) -> str:
    """``text``, or as much of it as a cell holds with a note of what is left out (the base
    calendar's closing days run to about 35,000): never cut without saying so."""
    if len(text) <= CELL_LIMIT:
        return text
    left = " ... [{n:,} more characters: export as json for the whole value]"
    cut = CELL_LIMIT - len(left.format(n=len(text)))
    return text[:cut] + left.format(n=len(text) - cut)


def _no_strays(flat: Mapping[str, Any], columns: Sequence[str]) -> None:
    strays = set(flat) - set(columns)
    if strays:  # the columns come from the event classes: a field outside them is a bug
        raise AssertionError(f"export fields without a column: {sorted(strays)}")
