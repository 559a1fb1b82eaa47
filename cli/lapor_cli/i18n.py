"""Bahasa Indonesia first: which language an operator reads, and the words in it.

The words live in gettext catalogs, ``locale/<lang>/LC_MESSAGES/lapor.po`` (English is the
source language; ``id`` and ``en`` are both complete: a test fails on a message without a
translation). A catalog is compiled with Babel once per version of its file (known by its size
and modification time, so a start reads only the compiled file), into the cache folder
(``LAPOR_CACHE_DIR``), and read from there with the standard library's ``gettext`` in about a
millisecond; a folder that cannot be written means compiling at every start.
JSON keys and values stay as they are: programs read them.

The language: ``--lang`` or ``LAPOR_LANG``, else the policy's (Cirebon: ``id``).
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("id", "en")
DOMAIN = "lapor"
LOCALE = Path(__file__).parent / "locale"

Translate = Callable[[str], str]


def choose(requested: str | None, default: str) -> str:
    """The language to use: the one asked for (``--lang``, ``LAPOR_LANG``: its first two
    letters, so ``id_ID.UTF-8`` is Indonesian), else the policy's default, else Indonesian."""
    for candidate in (requested, default):
        if candidate:
            code = candidate.strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return "id"


def catalog_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=4)
def translator(lang: str, cache: Path | None = None) -> Translate:
    """The ``gettext`` of ``lang``'s catalog (a message it lacks is shown as written)."""
    compiled = _compiled(catalog_path(lang), lang, cache)
    return gettext.GNUTranslations(io.BytesIO(compiled)).gettext


def speaking(lang: str) -> Translate:
    """``lang``'s ``gettext``, its compiled catalog kept in the cache folder."""
    from .folders import cache_folder

    return translator(lang, cache_folder())


def _compiled(catalog: Path, lang: str, cache: Path | None) -> bytes:
    """The catalog compiled, from the cache when this version of its file was compiled before
    (no hashing of its text: ``hashlib`` alone costs ``lapor --help`` 3 ms)."""
    version = catalog.stat()
    kept = cache / f"catalog-{lang}-{version.st_size:x}-{version.st_mtime_ns:x}.mo" if cache else None
    if kept is not None:
        try:
            return kept.read_bytes()
        except OSError:
            pass
    import tempfile

    from babel.messages.mofile import write_mo  # only when the catalog's text is new here
    from babel.messages.pofile import read_po

    out = io.BytesIO()
    write_mo(out, read_po(io.BytesIO(catalog.read_bytes())))
    compiled = out.getvalue()
    if kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=kept.parent, prefix=".catalog-", suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                file.write(compiled)
            os.replace(temporary, kept)
        except OSError:
            pass
    return compiled
