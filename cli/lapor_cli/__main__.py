"""``python -m lapor_cli``: the same as the ``lapor`` command."""

from .main import main

main()
