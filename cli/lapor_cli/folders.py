"""Where the command line keeps what it computes once per installed version."""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder() -> Path:
    """Where ``lapor`` keeps what it computes once per installed version (the holidays package's
    closing days): ``LAPOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/lapor-domain``, else
    ``~/.cache/lapor-domain``."""
    if folder := os.environ.get("LAPOR_CACHE_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lapor-domain"
