"""Fuzzing the `lapor` command line: for any argv and any store, a documented exit code, no traceback.

Hypothesis walks the click command tree, picks a command and builds its options and
arguments from their declared parameters (choices, flags, integers, instants, actors,
ids, desks, paths), mixed with hostile text and unknown options, against a small
prepared SQLite database copied per example, or a store that is missing, corrupt, not
a database at all, or a PostgreSQL URL that cannot be right. A non-zero exit prints
exactly one line, ``lapor: error: ...``, on stderr (exit 5, `check` finding differences,
is a result: its one stderr line counts them). ``simulate`` and ``report`` are
left out: a valid size makes them run for minutes, which is their job, not a failure.
The example count comes from the Hypothesis profile (``fuzz``: 10,000).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_cli import session as session_module
from lapor_cli.main import cli

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 6, 1, 12, tzinfo=WIB)
LEFT_OUT = {"simulate", "report"}
SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def leaves(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            if name not in LEFT_OUT:
                yield from leaves(sub, (*path, name))
    else:
        yield path, command


COMMANDS = dict(leaves(cli))

# -- values ---------------------------------------------------------------------------------------

HOSTILE = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.characters(categories=["Cc", "Zs", "Po"]), max_size=8),
    st.sampled_from(
        ["", " ", "-", "--", "--help", "\x1b[31m", "\u202e", "x" * 5000, "-1", "0", "nan", "1e400"]
    ),
)
INSTANT_TEXT = st.one_of(
    st.dates(min_value=datetime(2026, 3, 1).date(), max_value=datetime(2026, 7, 1).date()).map(str),
    st.datetimes(min_value=datetime(2026, 3, 1), max_value=datetime(2026, 7, 1)).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "9999-12-31T23:59:59+00:00",
            "0001-01-01T00:00+14:00",
            "9999-12-31",
            "0001-01-01",
            "2026-03-13T09:00+07:00",
            "2026-02-30",
            "20260313",
            "2051-01-01",
        ]
    ),
)
ACTOR_TEXT = st.one_of(
    st.sampled_from(
        [
            "lapor-sp4n:sp4n-ayu",
            "tim-admin:kota-cirebon:dodi",
            "pejabat-penghubung:kota-cirebon/dinkes:sari",
            "pelapor:warga-1",
            "system",
            "tim-admin::x",
            "pejabat-penghubung:kota-cirebon:sari",
            "pelapor:",
        ]
    ),
)
DESK_TEXT = st.one_of(
    st.sampled_from(
        ["lapor-sp4n", "tim-admin:kota-cirebon", "unit:kota-cirebon/dinkes", "kota-cirebon", "dinkes", "nope"]
    )
)
ID_TEXT = st.one_of(st.sampled_from(["@0", "@1", "@2", "@p0", "@p1"]), st.uuids().map(str))
INTS = st.one_of(
    st.integers(-5, 50).map(str),
    st.sampled_from(["99999999999999999999", str(2**63), "-99999999999999999999"]),
)


def value_for(param: click.Parameter, out_dir: Path) -> st.SearchStrategy[str]:
    """The declared kind of value four times in five, hostile text otherwise."""
    valid = declared(param, out_dir)
    hostile = HOSTILE
    if param.name == "out" or isinstance(param.type, click.Path | click.File):
        hostile = HOSTILE.filter(lambda text: not text.strip().startswith(("/", "~")))  # stay in out_dir
    return st.integers(0, 4).flatmap(lambda pick: hostile if pick == 0 else valid)


def declared(param: click.Parameter, out_dir: Path) -> st.SearchStrategy[str]:
    name = param.name or ""
    kind = param.type
    if name == "workers":  # many processes would be slow, not wrong: only small and hostile values
        return st.sampled_from(["1", "0", "-1"])
    if isinstance(kind, click.Choice):
        return st.sampled_from([str(c) for c in kind.choices])
    if isinstance(kind, click.types.IntParamType):
        return INTS
    if name in ("at", "as_of", "since", "until", "start", "day"):
        return INSTANT_TEXT
    if name == "actor":
        return ACTOR_TEXT
    if name in ("complaint", "complaints"):
        return ID_TEXT
    if name in ("desk", "to", "unit", "institution"):
        return DESK_TEXT
    if name == "out" or isinstance(kind, click.Path | click.File):
        names = ["out.csv", "sub/none/out.csv", ".", "existing.db", "-"]
        return st.sampled_from([str(out_dir / n) if n != "-" else n for n in names])
    return st.sampled_from(["Jalan berlubang", "catatan"])


@st.composite
def argv(draw: st.DrawFn, out_dir: Path) -> list[str]:
    path = draw(st.sampled_from(sorted(COMMANDS)))
    command = COMMANDS[path]
    args = list(path)
    for param in command.params:
        if draw(st.integers(0, 3)) == 0 and not param.required:
            continue
        if isinstance(param, click.Option):
            opt = draw(st.sampled_from(param.opts))
            if param.is_flag:
                args.append(opt)
            else:
                args += [opt, draw(value_for(param, out_dir))]
        else:
            count = 1 if param.nargs == 1 else draw(st.integers(0, 3))
            args += [draw(value_for(param, out_dir)) for _ in range(count)]
    if draw(st.integers(0, 4)) == 0:  # the root's own options, before the command
        policy = draw(st.sampled_from(["policy.toml", "binary.toml", "missing.toml", "\x00", "", "."]))
        args = ["--policy", str(out_dir / policy) if policy not in ("\x00", "") else policy, *args]
    if draw(st.integers(0, 9)) == 0:
        args.insert(
            draw(st.integers(0, len(args))), draw(st.sampled_from(["--bogus", "-z", "extra", "--json"]))
        )
    return args


STORES = st.sampled_from(["good"] * 8 + ["missing", "corrupt", "not-a-database", "bad-port", "bad-schema"])

# -- the prepared database ------------------------------------------------------------------------


def run(args: list[str], cwd: Path) -> Any:
    """`lapor` in process, in ``cwd``: a hostile relative path lands there, not in the project."""
    with mock.patch.object(session_module, "wall_clock", return_value=NOW), contextlib.chdir(cwd):
        return CliRunner().invoke(cli, args, catch_exceptions=True)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """One complaint on each of three desks, and one archived, in a SQLite file."""
    db = tmp_path_factory.mktemp("prepared") / "lapor.db"
    steps = [
        ["verify", "--as", "lapor-sp4n:sp4n-ayu", "--at", "2026-03-02T10:00"],
        ["dispose", "--to", "kota-cirebon", "--as", "lapor-sp4n:sp4n-ayu", "--at", "2026-03-02T11:00"],
        ["verify", "--as", "tim-admin:kota-cirebon:dodi", "--at", "2026-03-02T12:00"],
        ["dispose", "--to", "dinkes", "--as", "tim-admin:kota-cirebon:dodi", "--at", "2026-03-02T13:00"],
    ]
    ids = []
    for walked in (0, 2, 4):
        submitted = run(["--db", str(db), "submit", "--as", "pelapor:warga-1", "--title", "Jalan",
                         "--at", "2026-03-02T09:00"], db.parent)  # fmt: skip
        assert submitted.exit_code == 0, submitted.output
        ids.append(submitted.stdout.strip())
        for step in steps[:walked]:
            done = run(["--db", str(db), step[0], ids[-1], *step[1:]], db.parent)
            assert done.exit_code == 0, done.output
    return db, ids


def store_for(kind: str, work: Path, good: Path) -> str:
    db = work / "lapor.db"
    if kind == "good":
        shutil.copy(good, db)
    elif kind == "corrupt":
        data = bytearray(good.read_bytes())
        data[100:4000] = b"\xff" * 3900
        db.write_bytes(bytes(data))
    elif kind == "not-a-database":
        db.write_bytes(b"just some text, not a database " * 50)
    elif kind == "bad-port":
        return "postgresql://postgres@127.0.0.1:abc/test"
    elif kind == "bad-schema":
        return "postgresql://postgres@127.0.0.1/test?schema=" + "s" * 64
    return str(db)


def concrete(args: list[str], ids: list[str]) -> list[str]:
    named = {f"@{i}": cid for i, cid in enumerate(ids)} | {f"@p{i}": cid[:8] for i, cid in enumerate(ids)}
    return [named.get(arg, arg) for arg in args]


def check(result: Any) -> None:
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{output}"
    )
    assert "Traceback" not in output, output
    assert result.exit_code in {0, 1, 2, 3, 4, 5, 6}, (result.exit_code, output)
    lines = result.stderr.strip().splitlines()
    if result.exit_code == 5:  # `check` found differences: a finding, listed on stdout, counted on stderr
        assert len(lines) <= 1 and all("difference(s)" in line for line in lines), (
            result.stderr
        )  # none: --json
    elif result.exit_code != 0:
        assert len(lines) == 1 and lines[0].startswith("lapor: error: "), result.stderr


@SETTINGS
@given(data=st.data(), store=STORES)
def test_any_argv_on_any_store_exits_with_a_documented_code_and_one_line(
    data: Any, store: str, prepared: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    good, ids = prepared
    work = tmp_path_factory.mktemp("example")
    (work / "existing.db").write_bytes(b"")
    (work / "policy.toml").write_text('timezone = "Asia/Makassar"\nlast_year = 2030\n')
    (work / "binary.toml").write_bytes(b"\xd0\xcf\x11\xe0\x00\xff")
    target = store_for(store, work, good)
    args = concrete(data.draw(argv(work)), ids)
    check(run(["--db", target, *args], work))
    shutil.rmtree(work, ignore_errors=True)


FINDINGS = [
    ["submit", "--as", "pelapor:w", "--title", "x", "--at", "9999-12-31T23:59:59+00:00"],
    ["submit", "--as", "pelapor:w", "--title", "x", "--at", "0001-01-01T00:00+14:00"],
    ["queue", "--at", "9999-12-31T23:59:59+00:00"],
    ["sla", "--to", "9999-12-31"],
    ["queue", "lapor-sp4n", "--limit", "99999999999999999999"],
    ["show", "@0", "--as-of", "0001-01-01T00:00+14:00"],
    ["--policy", "BINARY", "queue"],
    ["--db", "postgresql://postgres@127.0.0.1:abc/test", "queue"],
    ["--db", "CORRUPT", "check"],
    ["--db", "CORRUPT", "rebuild"],
    ["--db", "NOTADB", "history", "@0"],
    ["--bogus"],
    ["queue", "--limit"],
    ["export", "events", "--out", "x" * 5000],  # found by the fuzz profile: a name too long to create
    ["export", "events", "--out", "\x00"],  # found by the fuzz profile: a NUL in a path
    ["--policy", "\x00", "queue"],
]


@pytest.mark.parametrize("args", FINDINGS, ids=lambda a: " ".join(a)[:40])
def test_the_findings_exit_with_a_documented_code_and_one_line(
    args: list[str], prepared: tuple[Path, list[str]], tmp_path: Path
) -> None:
    good, ids = prepared
    (tmp_path / "binary.toml").write_bytes(b"\xd0\xcf\x11\xe0\x00\xff binary")
    (tmp_path / "c").mkdir()
    (tmp_path / "n").mkdir()
    files = {
        "BINARY": str(tmp_path / "binary.toml"),
        "CORRUPT": store_for("corrupt", tmp_path / "c", good),
        "NOTADB": store_for("not-a-database", tmp_path / "n", good),
    }
    shutil.copy(good, tmp_path / "lapor.db")
    argv = [files.get(arg, arg) for arg in concrete(args, ids)]
    if "--db" not in argv:
        argv = ["--db", str(tmp_path / "lapor.db"), *argv]
    result = run(argv, tmp_path)
    check(result)
    assert result.exit_code != 0, result.output
