"""click's own messages in the operator's language: a malformed command line ("No such option
'--x'.", "Missing argument 'COMPLAINT'.") and the ``--version`` line.

click says them through the ``gettext`` functions its modules import (``_`` and
``ngettext``); ``speak_in`` points those at lapor's catalogs for one invocation. Only the
messages below are looked up there, so an invocation that goes well never loads a catalog
for click; its help's framing words are ``helptext``'s. The language is asked for when
click first says one of them: the one the invocation's own errors are said in.
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
    "file",
    "directory",
    "path",
    "{name} {filename!r} is a file.",
    "{name} {filename!r} is a directory.",
    "{name} {filename!r} is not readable.",
    "{name} {filename!r} is not writable.",
    "{name} {filename!r} is not executable.",
    "{name} {filename!r} does not exist.",
    "%(prog)s, version %(version)s",
)
"""What click says to the operator, as click 8 spells it (a test reads them from click's source)."""

_CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.parser", "click.types")
_SAID = frozenset(CLICK_MESSAGES)


class _Speaker:
    def __init__(self, language: Callable[[], str]) -> None:
        self._language = language
        self._translate: Callable[[str], str] | None = None

    def gettext(self, message: str) -> str:
        if message not in _SAID:
            return message
        if self._translate is None:
            from . import i18n
            from .folders import cache_folder

            self._translate = i18n.translator(self._language(), cache_folder())
        return self._translate(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


_speaker = _Speaker(lambda: "en")


def speak_in(language: Callable[[], str]) -> None:
    """From now on click says its messages in ``language()`` (asked once, when first needed)."""
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
