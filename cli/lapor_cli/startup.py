"""What the ``lapor`` process settles before it imports the domain: pydantic loads no plugin.

The first time pydantic builds a model it looks for plugins, the entry points of the
``pydantic`` group of every installed distribution, through ``importlib.metadata``, whose
import alone (``email`` and its kin) costs 20-30 ms of every start on a small machine.
The domain's models need no plugin, and the command line loads none: before any model
exists, the process gives pydantic a plugin loader that finds none (``PLUGIN_LOADER``: the
module pydantic imports ``get_plugins`` from, and nothing else; a test holds it to the
installed pydantic). A service that embeds the library sets pydantic up as it likes.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable

PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_plugins() -> Iterable[object]:
    return ()


def without_pydantic_plugins() -> None:
    """Have pydantic find no plugin, without looking (a no-op once it has looked)."""
    if PLUGIN_LOADER in sys.modules:
        return
    loader = types.ModuleType(PLUGIN_LOADER, "pydantic's plugin loader for `lapor`: no plugin")
    loader.get_plugins = _no_plugins  # type: ignore[attr-defined]
    sys.modules[PLUGIN_LOADER] = loader
