"""``--help`` in the operator's language: every help text and click's own framing words.

The help texts are written in English in the source (docstrings, ``help=``, the command
table's summaries) and are the msgids of the ``lapor`` catalogs, one per paragraph: a
paragraph's lines joined by single spaces (click wraps it again anyway), or, for a
paragraph click keeps as written (``\\b``: the examples, the exit codes), its lines as they
are. ``HelpCommand`` and ``HelpGroup`` look each one up when the help is formatted, and
say click's framing words ("Usage:", "Options", "Commands", "default: ...") from the same
catalogs, so nothing is translated at import and a command that is not asked for help
pays nothing.

``--help`` is handled by click before any command runs, so the language is found without
a session: ``--lang`` on the command line (as the root group read it, or in its raw
arguments when ``lapor --help`` stops the reading early), else ``LAPOR_LANG``, else the
``language`` of the ``--policy`` file (``LAPOR_POLICY``), else the Cirebon policy's,
Indonesian. The database is never opened: the policy version a database records may name
another language, which its commands then speak, but its help is the policy's or Cirebon's.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Collection, Iterator, Sequence
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .i18n import Translate  # the catalogs themselves only when a help is shown

DEFAULT_LANGUAGE = "id"
"""The Cirebon policy's language (``SlaPolicy.cirebon().language``; a test keeps them equal)."""

ARGV = "lapor.argv"
"""Where the root group keeps its raw arguments in ``ctx.meta`` (shared by every context)."""

TRANSLATE = "lapor.help.translate"


# -- the language, without a session ------------------------------------------------------


def asked_on_command_line(argv: Sequence[str], option: str, taking_values: Collection[str]) -> str | None:
    """The value of a root option in the raw arguments, read up to the command's name (the
    word after an option ``taking_values`` names is that option's value, not the command)."""
    words = iter(argv)
    for word in words:
        if word == option:
            return next(words, None)
        if word.startswith(f"{option}="):
            return word.partition("=")[2]
        if word == "--" or not word.startswith("-"):
            return None  # the command's name: what follows is the command's own
        if word in taking_values:
            next(words, None)
    return None


def taking_values(command: click.Command) -> set[str]:
    """The names of ``command``'s options that take a value (not flags)."""
    return {name for p in command.params if isinstance(p, click.Option) and not p.is_flag for name in p.opts}


def policy_language(path: str | os.PathLike[str] | None) -> str:
    """The ``language`` a policy file names, read without building the policy ("" if none:
    an unreadable or invalid file is the command's to report, not the help's)."""
    if not path:
        return ""
    import tomllib  # only with a --policy file

    try:
        with open(path, "rb") as file:
            language = tomllib.load(file).get("language", "")
    except (OSError, ValueError):  # ValueError: not TOML, not UTF-8, a NUL in the path
        return ""
    return language if isinstance(language, str) else ""


def help_language(ctx: click.Context) -> str:
    """The language ``--help`` speaks in this invocation (see the module's docstring)."""
    from . import i18n

    root = ctx.find_root()
    argv: Sequence[str] = root.meta.get(ARGV, ())
    taking = taking_values(root.command)
    asked = (
        root.params.get("lang")
        or asked_on_command_line(argv, "--lang", taking)
        or os.environ.get("LAPOR_LANG")
    )
    if asked and asked.strip().lower()[:2] in i18n.LANGUAGES:
        return i18n.choose(asked, DEFAULT_LANGUAGE)
    policy = (
        root.params.get("policy")
        or asked_on_command_line(argv, "--policy", taking)
        or os.environ.get("LAPOR_POLICY")
    )
    return i18n.choose(None, policy_language(policy) or DEFAULT_LANGUAGE)


def translator_of(ctx: click.Context) -> Translate:
    """The catalog's ``gettext`` for this invocation's help, looked up once."""
    root = ctx.find_root()
    if TRANSLATE not in root.meta:
        from . import i18n

        root.meta[TRANSLATE] = i18n.speaking(help_language(ctx))
    translate: Translate = root.meta[TRANSLATE]
    return translate


# -- the help texts as msgids ---------------------------------------------------------------

VERBATIM = "\b"


def paragraphs(text: str) -> Iterator[tuple[bool, str]]:
    """A help text's paragraphs as msgids, each with whether click keeps it as written."""
    for paragraph in inspect.cleandoc(text).partition("\f")[0].split("\n\n"):
        if paragraph.startswith(f"{VERBATIM}\n"):
            yield True, paragraph[2:]
        elif paragraph.strip():
            yield False, " ".join(paragraph.split())


def messages_of(text: str | None) -> list[str]:
    """The msgids of a help text (none for no text)."""
    return [message for _, message in paragraphs(text)] if text else []


def translated(text: str | None, translate: Translate) -> str:
    """A help text in the catalog's language, paragraph by paragraph, ``\\b`` kept."""
    if not text:
        return ""
    said = [f"{VERBATIM}\n{translate(m)}" if verbatim else translate(m) for verbatim, m in paragraphs(text)]
    return "\n\n".join(said)


def short_help(command: click.Command, translate: Translate, limit: int = 45) -> str:
    """The one line a group's command list shows: the short help, else the help's first
    sentence, shortened to ``limit`` at a word as click shortens it."""
    if command.short_help:
        return translated(command.short_help, translate)
    first = translated(command.help, translate).split("\n\n")[0]
    words = [word for word in first.split() if word != VERBATIM]
    length = 0
    for i, word in enumerate(words):
        length += len(word) + (i > 0)
        if length > limit:
            break
        if word.endswith("."):
            return " ".join(words[: i + 1])
        if length == limit and i != len(words) - 1:
            break
    else:
        return " ".join(words)
    length += len("...")
    while i > 0:
        length -= len(words[i]) + 1
        if length <= limit:
            break
        i -= 1
    return " ".join(words[:i]) + "..."


FRAMING = {
    "usage": "Usage:",
    "options": "Options",
    "commands": "Commands",
    "arguments": "Positional arguments",
    "default": "default: {default}",
    "envvar": "env var: {var}",
    "required": "required",
}
"""Click's own words around the help texts; msgids of the catalogs like the help texts."""


def _extras(extra: str, translate: Translate) -> str:
    """Click's ``[default: 20; required]`` after an option's help, in the catalog's words."""
    items = []
    for item in extra.split("; "):
        if item.startswith("default: "):
            item = translate(FRAMING["default"]).format(default=item.removeprefix("default: "))
        elif item.startswith("env var: "):
            item = translate(FRAMING["envvar"]).format(var=item.removeprefix("env var: "))
        elif item == "required":
            item = translate(FRAMING["required"])
        items.append(item)
    return "; ".join(items)


def help_record(param: click.Parameter, ctx: click.Context, translate: Translate) -> tuple[str, str] | None:
    """An option's row: its names and its help translated, click's extras in the same words."""
    import copy

    help_text = getattr(param, "help", None)
    said = translated(help_text, translate)
    shown = copy.copy(param)
    shown.help = said  # a copy: the command itself stays English
    record = shown.get_help_record(ctx)
    if record is None:
        return None
    names, with_extras = record
    if with_extras.startswith(said) and with_extras != said:
        rest = with_extras[len(said) :]
        opening = rest.find("[")
        if opening >= 0 and rest.endswith("]"):
            with_extras = f"{said}{rest[: opening + 1]}{_extras(rest[opening + 1 : -1], translate)}]"
    return names, with_extras


class HelpCommand(click.Command):
    """A command whose ``--help`` speaks the operator's language (see the module)."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        translate = translator_of(ctx)
        pieces = self.collect_usage_pieces(ctx)
        own = {self.options_metavar, getattr(self, "subcommand_metavar", None)} - {None}
        pieces = [translate(piece) if piece in own else piece for piece in pieces]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=f"{translate(FRAMING['usage'])} ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = translated(self.help, translator_of(ctx))
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Arguments with help (click 8.5), under the heading in the operator's words."""
        translate = translator_of(ctx)
        arguments = [p for p in self.get_params(ctx) if isinstance(p, click.Argument)]
        if any(getattr(a, "help", None) for a in arguments):
            rows = [(a.make_metavar(ctx), translated(getattr(a, "help", None), translate)) for a in arguments]
            with formatter.section(translate(FRAMING["arguments"])):
                formatter.write_dl(rows)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        translate = translator_of(ctx)
        rows = [
            record
            for param in self.get_params(ctx)
            if not isinstance(param, click.Argument) and (record := help_record(param, ctx, translate))
        ]
        if rows:
            with formatter.section(translate(FRAMING["options"])):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.epilog:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(translated(self.epilog, translator_of(ctx)))

    def get_short_help_str(self, limit: int = 45) -> str:
        ctx = click.get_current_context(silent=True)
        if ctx is None:
            return super().get_short_help_str(limit)
        return short_help(self, translator_of(ctx), limit)


class HelpGroup(HelpCommand, click.Group):
    """A group whose ``--help`` speaks the operator's language, its commands' lines too."""

    command_class = HelpCommand
    group_class = type  # a group made by this group is of this group's class

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        translate = translator_of(ctx)
        shown = [
            (name, c)
            for name in self.list_commands(ctx)
            if (c := self.get_command(ctx, name)) and not c.hidden
        ]
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _ in shown)
            with formatter.section(translate(FRAMING["commands"])):
                formatter.write_dl([(name, short_help(c, translate, limit)) for name, c in shown])


def commands_of(group: click.Group, ctx: click.Context) -> Iterator[tuple[str, click.Command]]:
    """Every command reachable from ``group``, with its path (for the tests and the catalogs)."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        yield name, command
        if isinstance(command, click.Group):
            sub = click.Context(command, info_name=name, parent=ctx)
            yield from ((f"{name} {path}", c) for path, c in commands_of(command, sub))


def help_messages(command: click.Command, ctx: click.Context) -> list[str]:
    """The msgids of a command's help: its help, short help, epilog and every parameter's help."""
    found = [*messages_of(command.help), *messages_of(command.short_help), *messages_of(command.epilog)]
    for param in command.get_params(ctx):
        found += messages_of(getattr(param, "help", None))
    return found


def framing_messages() -> list[str]:
    """Click's framing words as msgids, with the metavars a usage line shows."""
    return [*FRAMING.values(), "[OPTIONS]", "COMMAND [ARGS]..."]
