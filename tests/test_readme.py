"""The README's walkthroughs and Python snippets run as written.

The convention (the README's "Tests" section names it too): every ```sh and ```console
block under a heading named in ``WALKTHROUGHS`` is run, the blocks of one section in one
bash session, in order, in a fresh temporary directory (``HOME`` untouched, the venv's
``bin`` first on ``PATH``, no ``LAPOR_*`` variable inherited). In a ```sh block each line
is a command; in a ```console block (a transcript) each line starting with ``$ `` is a
command and the lines after it are its output, shown to the reader and not compared. A
command must exit 0 unless its line ends with a comment ``# exits N``; a transcript that
shows ``lapor: error:`` after a command must say how it exits, and only then.

The README's first two lines are run by ``.ci/run``; the first one's ``lapor`` commands run
here too, twice, to show that it ends on queues in every SLA state, the same each time.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"

# Heading (its start) -> the fewest commands its walkthrough may have, so it cannot shrink away.
WALKTHROUGHS = {
    "Working a desk": 10,
    "An investigation": 7,
    "A calendar amendment": 13,
    "A new SLA policy": 12,
    "For an auditor": 9,
    "For an administrator": 12,
}

EXITS = re.compile(r"\s#\s*exits\s+(\d+)\b")


@dataclass(frozen=True)
class Step:
    command: str
    expected: int
    line: int  # in README.md
    shown: tuple[str, ...] = ()  # the transcript's output lines, if any


@dataclass
class Block:
    lang: str
    first_line: int
    lines: list[str] = field(default_factory=list)


def sections(text: str) -> dict[str, list[Block]]:
    """Each heading's fenced blocks, up to the next heading."""
    found: dict[str, list[Block]] = {}
    heading = ""
    block: Block | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if block is not None:
            if line.startswith("```"):
                found.setdefault(heading, []).append(block)
                block = None
            else:
                block.lines.append(line)
        elif line.startswith("```"):
            block = Block(line[3:].strip(), number + 1)
        elif re.match(r"#{1,6} ", line):
            heading = line.lstrip("#").strip()
    assert block is None, "README.md ends inside a fenced block"
    return found


def walkthrough(heading: str, text: str | None = None) -> list[Step]:
    """The commands of the section whose heading starts with ``heading``, in order."""
    found = sections(README.read_text(encoding="utf-8") if text is None else text)
    names = [name for name in found if name.startswith(heading)]
    assert len(names) == 1, f"README.md should have one section {heading!r} with blocks, found {names}"
    steps: list[Step] = []
    for block in found[names[0]]:
        if block.lang == "sh":
            steps += _script(block)
        elif block.lang == "console":
            steps += _transcript(block)
    return steps


def _expected(command: str) -> int:
    match = EXITS.search(command)
    return int(match.group(1)) if match else 0


def _script(block: Block) -> list[Step]:
    steps = []
    for offset, line in enumerate(block.lines):
        if line.strip() and not line.lstrip().startswith("#"):
            number = block.first_line + offset
            assert not line.rstrip().endswith("\\"), f"README.md:{number}: one command a line"
            steps.append(Step(line, _expected(line), number))
    return steps


def _transcript(block: Block) -> list[Step]:
    steps: list[Step] = []
    for offset, line in enumerate(block.lines):
        if line.startswith("$ "):
            command = line[2:]
            steps.append(Step(command, _expected(command), block.first_line + offset))
        elif steps:
            last = steps[-1]
            steps[-1] = Step(last.command, last.expected, last.line, (*last.shown, line))
        else:
            pytest.fail(f"README.md:{block.first_line + offset}: a transcript starts with a `$ ` command")
    return steps


# -- the walkthroughs are there and say what they expect -------------------------------------


@pytest.mark.parametrize("heading", WALKTHROUGHS)
def test_the_readme_keeps_its_walkthroughs(heading: str) -> None:
    steps = walkthrough(heading)
    assert len(steps) >= WALKTHROUGHS[heading], f"{heading!r} has only {len(steps)} commands"
    for step in steps:
        refused = any(line.startswith("lapor: error:") for line in step.shown)
        assert refused == (step.expected != 0), (
            f"README.md:{step.line}: the transcript {'shows' if refused else 'does not show'} an error "
            f"but the command is expected to exit {step.expected}: {step.command}"
        )


def test_working_a_desk_shows_a_refused_step_and_the_late_and_early_ones() -> None:
    expected = {step.expected for step in walkthrough("Working a desk")}
    assert expected == {0, 1, 2}


def test_the_conventions_are_read_as_documented() -> None:
    text = textwrap.dedent("""\
        ### A walk
        ```sh
        export A=1   # a comment is fine
        # a comment line is not a command
        false        # exits 1: refused
        ```
        ```console
        $ lapor nothing   # exits 3
        lapor: error: no complaint nothing
        $ echo ok
        ok
        ```
        ```python
        print("not run by bash")
        ```
        ### Another
    """)
    steps = walkthrough("A walk", text)
    assert [(s.command.split()[0], s.expected, s.line, s.shown) for s in steps] == [
        ("export", 0, 3, ()),
        ("false", 1, 5, ()),
        ("lapor", 3, 8, ("lapor: error: no complaint nothing",)),
        ("echo", 0, 10, ("ok",)),
    ]


# -- the walkthroughs run ----------------------------------------------------------------------


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    binaries = Path(sys.executable).parent
    assert (binaries / "lapor").exists(), f"`lapor` is not installed beside {sys.executable}"
    env["PATH"] = f"{binaries}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.slow
@pytest.mark.parametrize("heading", WALKTHROUGHS)
def test_a_walkthrough_runs_as_written(heading: str, tmp_path: Path) -> None:
    steps = walkthrough(heading)
    results = tmp_path / "exit-codes"
    record = shlex.quote(str(results))
    script = "".join(
        f"{step.command}\n"
        f"__rc=$?; echo \"{i} $__rc\" >> {record}; [ \"$__rc\" -eq {step.expected} ] || exit 100\n"
        for i, step in enumerate(steps)
    )
    (tmp_path / "walk.sh").write_text(script, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", str(tmp_path / "walk.sh")],
        cwd=work, env=_environment(), capture_output=True, text=True, timeout=300, check=False,
    )
    codes = [int(line.split()[1]) for line in results.read_text().splitlines()] if results.exists() else []
    ran = list(zip(steps, codes, strict=False))
    wrong = [(s, code) for s, code in ran if code != s.expected]
    assert not wrong and len(codes) == len(steps) and done.returncode == 0, (
        "\n".join(f"README.md:{s.line}: exited {c}, expected {s.expected}: {s.command}" for s, c in wrong)
        + f"\n{len(codes)} of {len(steps)} commands ran; bash exited {done.returncode}"
        + f"\nstdout (end):\n{done.stdout[-2000:]}\nstderr (end):\n{done.stderr[-2000:]}"
    )
    assert "Traceback" not in done.stderr, done.stderr


# -- the first command shows work ---------------------------------------------------------------


def first_commands() -> list[list[str]]:
    """The README's first line, its ``lapor`` commands split into arguments (the install left out)."""
    first_section = next(iter(sections(README.read_text(encoding="utf-8")).values()))
    first = first_section[0].lines[0]
    commands = [shlex.split(part) for part in first.split(" && ")]
    assert commands[0][:3] == ["python", "-m", "pip"], first
    assert all(c[0] == "lapor" for c in commands[1:]), first
    return commands[1:]


def _desk_counts(commands: list[list[str]], work: Path) -> list[dict[str, int | None]]:
    """Run the commands in ``work``; the last one's answer, asked for as JSON."""
    work.mkdir()
    *before, last = commands
    for command in [*before, [last[0], "--json", *last[1:]]]:
        done = subprocess.run(
            command, cwd=work, env=_environment(), capture_output=True, text=True, check=False, timeout=300
        )
        assert done.returncode == 0, f"{shlex.join(command)}: {done.stderr}"
    counts: list[dict[str, int | None]] = json.loads(done.stdout)
    return counts


@pytest.mark.slow  # a year's simulation, twice
def test_the_first_command_ends_on_queues_in_every_sla_state_the_same_each_time(tmp_path: Path) -> None:
    commands = first_commands()
    assert commands[-1][3] == "queue" and "--as-of" in commands[-1], "the first command ends on the queues"
    assert any("--seed" in c for c in commands)
    counts = _desk_counts(commands, tmp_path / "first")
    for state in ("on_track", "late", "breached"):
        assert sum(c[state] or 0 for c in counts) > 0, f"no {state} complaint in {counts}"
    assert _desk_counts(commands, tmp_path / "again") == counts, "the same seed gave another history"
    pages = [(tmp_path / run / "kinerja.html").read_bytes() for run in ("first", "again")]
    assert pages[0] == pages[1]


# -- the Python snippets run -------------------------------------------------------------------


def python_blocks(text: str | None = None) -> list[Block]:
    found = sections(README.read_text(encoding="utf-8") if text is None else text)
    return [block for blocks in found.values() for block in blocks if block.lang == "python"]


@pytest.mark.slow
def test_the_python_snippets_run_in_order(tmp_path: Path) -> None:
    blocks = python_blocks()
    assert len(blocks) >= 2, "README.md should show embedding and reading in Python"
    code = "\n\n".join("\n".join(block.lines) for block in blocks)
    # A main script guard: a rebuild may spawn worker processes, which import the main module.
    (tmp_path / "snippets.py").write_text(code, encoding="utf-8")
    runner = (
        "import runpy, sys\n"
        "if __name__ == '__main__':\n"
        "    runpy.run_path(sys.argv[1], run_name='readme')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner, str(tmp_path / "snippets.py")],
        cwd=tmp_path, env=_environment(), capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
def test_the_embedding_example_runs(tmp_path: Path) -> None:
    """The README's opening lines point at it; it walks one complaint through the library API."""
    example = README.parent / "examples" / "embed_sqlite.py"
    done = subprocess.run(
        [sys.executable, str(example), str(tmp_path / "lapor.db")],
        cwd=tmp_path, env=_environment(), capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "final outcome: auto-closed" in done.stdout
