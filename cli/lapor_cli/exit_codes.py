"""The exit codes a script can branch on, and how ``--help`` explains them.

Apart from the errors (``errors.py``) so that ``lapor --help`` and ``--version`` import
nothing of the library.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REFUSED = 1  # the rules refused the command: nothing was recorded
    USAGE = 2  # the command line or its input is malformed
    NOT_FOUND = 3  # no such complaint
    UNAVAILABLE = 4  # the database cannot be reached or opened, or is damaged
    DIFFERENCES = 5  # `lapor check` found views that differ from the events
    DAMAGED = 6  # `lapor audit` found the record not holding; `rebuild` refused a damaged log


EXIT_CODES_HELP = """\b
Exit codes:
  0  done
  1  refused by the rules (not allowed for this actor, not possible in this
     state, dated before the complaint's last event, entered too late after
     a deadline became final, concurrent update); nothing was recorded
  2  usage or invalid input (unknown option, malformed date or id, a date
     in the future, unknown institution or unit, bad policy file)
  3  no such complaint
  4  database unavailable (cannot open the file, cannot reach PostgreSQL) or
     damaged (not a database, malformed pages, a stored event that cannot be
     read: the message names the complaint and the event's version)
  5  `lapor check` found a difference between the views and the events
  6  `lapor audit` found something that does not hold (a digest chain, the
     tree head, a signature, the checkpoint, the deadline index, the views),
     or `lapor rebuild` refused a log that fails verification
"""


EXIT_CODES_BRIEF = (
    "Exit codes: 0 done, 1 refused by the rules, 2 invalid input, 3 no such complaint, "
    "4 database unavailable or damaged, 5 differences found (check), 6 the record fails verification "
    "(audit); see `lapor --help`."
)
