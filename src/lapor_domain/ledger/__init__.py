"""Tamper evidence (DOMAIN.md rule 15): digest chains, the tree head, signatures, checkpoints.

* ``digest``: the one digest rule, for the log and for any verifier outside it;
* ``signing``: Ed25519 signing keys kept in files outside any database, signed tree heads and
  the checkpoint an auditor keeps (JSON);
* ``audit``: verification of a log against its tree head, signatures and a checkpoint, and the
  report it gives;
* ``ledger``: ``Ledger``, the typed surface ``LaporApp.ledger`` gives an embedding service, the
  command line and a printed dossier.

This package's ``__init__`` imports nothing, so the recorders may use ``digest`` alone.
"""
