"""A stored table described once: each column's name, SQL type, and how a value is encoded and decoded.

Everything else is derived from the description: the DDL, the INSERT and UPSERT
statements, the select list, and the two functions that turn a value into a row and a
row back into a value. Those two run for every complaint and every desk visit of a
rebuild, so they are generated as straight-line code (as ``collections.namedtuple``
generates its methods): a loop over per-column functions cost twice as much per row.

A column's ``source`` is a Python expression over the row builder's locals (the
table's ``unpack`` and ``prelude`` names, and ``s_<column>`` for the stored value of
a column before it); its codec's templates wrap that value (``{}``) to store it and to
read it back. Its ``field`` names the decoded value for the row reader (None: the
column is derived for queries and not read back).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, NamedTuple
from uuid import UUID

from lapor_domain import EPOCH, MICROSECOND


class Codec(NamedTuple):
    """How one kind of value is stored: its SQL type, and the expressions that store and read it."""

    sql: str
    encode: str = "{}"
    decode: str = "{}"


TEXT = Codec("TEXT")
NUMBER = Codec("INTEGER")
FLAG = Codec("INTEGER", "int({})", "bool({})")
ID = Codec("TEXT", "{}.hex", "UUID({})")
INSTANT = Codec("BIGINT", "({} - EPOCH) // MICROSECOND", "EPOCH + timedelta(microseconds={})")
MAYBE_INSTANT = Codec(
    "BIGINT",
    "None if {0} is None else ({0} - EPOCH) // MICROSECOND",
    "None if {0} is None else EPOCH + timedelta(microseconds={0})",
)
MICROS = Codec("BIGINT")  # already an integer of UTC microseconds


class Column(NamedTuple):
    name: str
    codec: Codec
    source: str  # the value to store, as an expression over the row builder's locals
    field: str | None  # what the row reader calls the decoded value; None: not read back


_NAMESPACE: dict[str, Any] = {
    "EPOCH": EPOCH,
    "MICROSECOND": MICROSECOND,
    "timedelta": timedelta,
    "UUID": UUID,
}


class Table:
    """One table: its columns in stored order, its key, and what is derived from them."""

    def __init__(
        self,
        name: str,
        columns: Sequence[Column],
        key: Sequence[str],
        *,
        unpack: str,
        prelude: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.columns = tuple(columns)
        self.names = tuple(c.name for c in columns)
        self.key = tuple(key)
        self._unpack = unpack  # how the row builder takes its argument apart, e.g. "c, visit, deadline"
        self._prelude = tuple(prelude)  # more locals for the sources, e.g. "desk = c.desk"
        if len(set(self.names)) != len(self.names) or not set(self.key) <= set(self.names):
            raise ValueError(f"table {name}: duplicate columns, or a key that is not a column")

    def create(self, table: str) -> str:
        """``CREATE TABLE IF NOT EXISTS`` under the given (possibly prefixed) name."""
        single = self.key[0] if len(self.key) == 1 else None
        columns = [f"{c.name} {c.codec.sql}{' PRIMARY KEY' * (c.name == single)}" for c in self.columns]
        if single is None:
            columns.append(f"PRIMARY KEY ({', '.join(self.key)})")
        return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})"

    def select(self) -> str:
        return ", ".join(self.names)

    def insert(self, table: str) -> str:
        marks = ", ".join("?" * len(self.names))
        return f"INSERT INTO {table} ({self.select()}) VALUES ({marks})"  # noqa: S608 (names from code)

    def upsert(self, table: str) -> str:
        updates = ", ".join(f"{c} = excluded.{c}" for c in self.names if c not in self.key)
        return f"{self.insert(table)} ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {updates}"

    def row_builder(self, **helpers: Any) -> Callable[[Any], tuple[Any, ...]]:
        """A function from a value to its row, in the columns' order (``helpers``: names the sources call)."""
        lines = ["def to_row(value):", f"    {self._unpack} = value", *(f"    {p}" for p in self._prelude)]
        for column in self.columns:
            lines.append(f"    _ = {column.source}")
            lines.append(f"    s_{column.name} = {column.codec.encode.format('_')}")
        lines.append(f"    return ({', '.join('s_' + n for n in self.names)},)")
        return self._compile(lines, "to_row", helpers)  # type: ignore[no-any-return]

    def row_reader(self, assemble: Callable[..., Any]) -> Callable[[Sequence[Any]], Any]:
        """A function from a row to ``assemble(...)`` of its decoded columns (those read back).

        ``assemble`` must take exactly those columns' fields, by name and in order, so a
        column can be neither dropped nor swapped without failing here.
        """
        read = [c for c in self.columns if c.field is not None]
        wanted = [c.field for c in read]
        params = list(inspect.signature(assemble).parameters)
        if params != wanted:
            raise ValueError(f"table {self.name}: {assemble.__name__} takes {params}, not {wanted}")
        stored = ", ".join(f"s_{c.name}" for c in self.columns)
        decoded = ", ".join(c.codec.decode.format(f"s_{c.name}") for c in read)
        lines = ["def from_row(row):", f"    {stored}, = row", f"    return assemble({decoded})"]
        return self._compile(lines, "from_row", {"assemble": assemble})  # type: ignore[no-any-return]

    def _compile(self, lines: list[str], name: str, extra: Mapping[str, Any]) -> Any:
        namespace = {**_NAMESPACE, **extra}
        exec(compile("\n".join(lines), f"<table {self.name}: {name}>", "exec"), namespace)  # noqa: S102
        return namespace[name]
