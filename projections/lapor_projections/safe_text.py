"""Rendering text from the public (titles, descriptions, names, messages) where people read it.

A reporter types what they like; an officer's terminal, a spreadsheet or a browser
must show it, never obey it. Each renderer here returns text that is safe in one place:

- ``for_terminal``: every *control* character is shown as a Python-style escape
  (``\\x1b``, ``\\x9b``, ``\\u202e``, ``\\ud800``, ``\\n`` ...), so an escape sequence cannot
  retitle the window, recolour or clear the screen, a backspace or carriage return
  cannot overwrite what is shown, and a bidi override cannot reverse it. Control here
  means: C0 (U+0000-U+001F; newline kept only with ``multiline=True``), DEL, C1
  (U+0080-U+009F), lone surrogates, the line and paragraph separators, and the Unicode
  format controls (category Cf: bidi marks, embeddings, overrides and isolates,
  zero-width spaces, the byte-order mark ...), except the joiners U+200C/U+200D and the
  tag characters U+E0020-U+E007F that compose emoji. Everything else, Indonesian
  text, accents, emoji, is unchanged. The result holds no control character, so
  rendering it again changes nothing; a literal backslash in the input stays as it
  is, so ``\\x1b`` typed as four characters reads the same as the escaped ESC.
- ``for_spreadsheet``: a CSV cell. Text a spreadsheet would read as a formula
  (starting, perhaps after spaces, with ``=``, ``+``, ``-`` or ``@``, or starting with a
  tab or carriage return) gets a leading single quote, as OWASP's CSV-injection
  guidance says, and control characters are shown as on the terminal, so an audit
  export still tells that they were there. Numbers stay numbers, negative ones too.
- ``for_html``: markup escaped (``html.escape``, quotes included) after the controls
  are made visible as on the terminal (newlines kept).
- ``json_for_terminal``: a JSON document with those same control characters written
  as ``\\uXXXX`` escapes: ``json.loads`` gives exactly the same value back.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_EMOJI_PARTS = {0x200C, 0x200D, *range(0xE0020, 0xE0080)}  # joiners, emoji tag characters
_FORMULA_TRIGGERS = ("=", "+", "-", "@")
_CELL_TRIGGERS = ("\t", "\r")  # dangerous as the very first character of a cell


@lru_cache(maxsize=4096)
def is_control(char: str) -> bool:
    """Whether a terminal, spreadsheet or browser might obey ``char`` rather than show it."""
    category = unicodedata.category(char)
    if category in ("Cc", "Cs", "Zl", "Zp"):
        return True
    return category == "Cf" and ord(char) not in _EMOJI_PARTS


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def for_terminal(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control character shown as an escape (newlines kept if ``multiline``)."""
    if text.isascii() and text.isprintable():
        return text  # the common case, quickly
    return "".join(
        _escape(char) if is_control(char) and not (multiline and char == "\n") else char for char in text
    )


def for_spreadsheet(value: Any) -> Any:
    """A CSV cell no spreadsheet reads as a formula; ints, floats and booleans pass unchanged."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = str(value)
    formula = text.startswith(_CELL_TRIGGERS) or text.lstrip().startswith(_FORMULA_TRIGGERS)
    shown = for_terminal(text)
    return "'" + shown if formula else shown


def for_html(text: str) -> str:
    """``text`` for an HTML page: markup and quotes escaped, control characters visible."""
    import html  # here: only the report page and the dossier need it

    return html.escape(for_terminal(text, multiline=True), quote=True)


_JSON_CONTROL = re.compile(r"[^\x20-\x7e\n]")  # candidates; only controls are rewritten


def json_for_terminal(document: str) -> str:
    """A JSON document (as ``json.dumps`` wrote it) with control characters as ``\\uXXXX`` escapes.

    Outside strings a JSON document is ASCII, so only string contents change, and
    only in how they are spelled: the decoded value is the same.
    """
    return _JSON_CONTROL.sub(_json_escape, document)


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if not is_control(char):
        return char
    point = ord(char)
    if point < 0x10000:
        return f"\\u{point:04x}"
    high, low = divmod(point - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
