"""click's own messages in the operator's language: a malformed command line ("No such option
'--x'.", "Missing argument 'COMPLAINT'.") and the ``--version`` line.

click says them through the ``gettext`` functions its modules import (``_`` and
``ngettext``); ``speak_in`` points those at lapor's catalogs for one invocation. Only the
messages below are looked up there, so an invocation that goes well never loads a catalog
for click; its help's framing words are ``helptext``'s. The language is asked for each time
click says one of them: the one the invocation's own errors are said in, the policy's once the
session knows it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

CLICK_MESSAGES = (
    "Did you mean {possibility}?",
    "(Did you mean one of: {possibilities}?)",
    "Missing argument",
    "Missing option",
    "Missing parameter",
    "Missing {param_type}",
    "Missing parameter: {param_name}",
    "Missing command.",
    "No such option {name!r}.",
    "No such command {name!r}.",
    "Invalid value: {message}",
    "Invalid value for {param_hint}: {message}",
    "Could not open file {filename!r}: {message}",
    "unknown error",
    "Invalid start character for option ({option})",
    "Option {name!r} does not take a value.",
    "Option {name!r} requires an argument.",
    "Option {name!r} requires {nargs} arguments.",
    "Argument {name!r} takes {nargs} values.",
    "Got unexpected extra argument ({args})",
    "Got unexpected extra arguments ({args})",
    "Value must be an iterable.",
    "Takes {nargs} values but 1 was given.",
    "Takes {nargs} values but {len} were given.",
    "Choose from:\n\t{choices}",
    "{value!r} is not {choice}.",
    "{value!r} is not one of {choices}.",
    "{value!r} does not match the format {format}.",
    "{value!r} does not match the formats {formats}.",
    "{value} is not in the range {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}",
    "{len_type} values are required, but {len_value} was given.",
    "{len_type} values are required, but {len_value} were given.",
    "{value!r} is not a valid {number_type}.",
    "{value!r} is not a valid UUID.",
    "{name} {filename!r} is a file.",
    "{name} {filename!r} is a directory.",
    "{name} {filename!r} is not readable.",
    "{name} {filename!r} is not writable.",
    "{name} {filename!r} is not executable.",
    "{name} {filename!r} does not exist.",
    "%(prog)s, version %(version)s",
)
"""What click says to the operator, as click 8 spells it (a test reads them from click's source)."""

PATH_KINDS = ("file", "directory", "path")
"""The names click gives a path in its messages ("File '/x' does not exist."). click looks them
up when a path option is declared, at import: they are looked up again when said (``FilePath``),
so that importing a command loads no catalog."""

LAPOR_MESSAGES = ("{value!r}: a path cannot hold a NUL character",)
"""lapor's own words in click's checks of a command line."""

_CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.parser", "click.types")
_SAID = frozenset(CLICK_MESSAGES + LAPOR_MESSAGES)


class _Speaker:
    def __init__(self, language: Callable[[], str]) -> None:
        self._language = language  # asked at each message: the session may know it by then

    def gettext(self, message: str) -> str:
        return self.say(message) if message in _SAID else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)

    def say(self, message: str) -> str:
        from . import i18n

        return i18n.speaking(self._language())(message)


_speaker = _Speaker(lambda: "en")


def say(message: str) -> str:
    """``message`` in the invocation's language (when click reports an error)."""
    return _speaker.say(message)


def speak_in(language: Callable[[], str]) -> None:
    """From now on click says its messages in ``language()`` (asked when it says one)."""
    global _speaker
    _speaker = _Speaker(language)
    for name in _CLICK_MODULES:
        module: Any = sys.modules.get(name)
        if module is None:
            continue
        if callable(getattr(module, "_", None)):
            module._ = _speaker.gettext
        if callable(getattr(module, "ngettext", None)):
            module.ngettext = _speaker.ngettext


class Said(str):
    """A click message template said in the invocation's language when click fills it in
    (``message % values``): for the ``--version`` line, whose template click keeps from import."""

    def __mod__(self, values: Any) -> str:
        said: str = _speaker.gettext(str(self)) % values
        return said


VERSION_LINE = Said("%(prog)s, version %(version)s")
