"""A reporter's identity as the log keeps it: sealed (DOMAIN.md rule 14).

The model knows only the values: ``ReporterIdentity`` is the plaintext a sealer turns into
a ``SealedIdentity`` (ciphertext, nonce and the scheme that made them) and back. How it is
sealed (AES-GCM under a data key of the complaint's own, the data key wrapped for the
readers rule 10 entitles, kept in a key store apart from the log) lives in
``lapor_domain.sealing``; nothing here holds a key.

``PLAINTEXT`` marks an identity recorded before sealing existed: the upcast of an old
``Submitted`` carries its plaintext under that scheme until ``LaporApp.seal_plaintext_identities``
rewrites the stored event sealed.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from .reporter import Reporter

Scheme = Literal["aes-256-gcm/1", "plaintext/0"]
AES_GCM: Scheme = "aes-256-gcm/1"
PLAINTEXT: Scheme = "plaintext/0"


class ReporterIdentity(BaseModel):
    """Everything rule 14 calls the reporter's identity: name, contact, ID number, account id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reporter: Reporter
    account: str = Field(min_length=1, max_length=200)

    def to_bytes(self) -> bytes:
        r = self.reporter
        plain = {"name": r.name, "contact": r.contact, "id_number": r.id_number, "account": self.account}
        return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> ReporterIdentity:
        plain = json.loads(data)
        account = plain.pop("account")
        return cls(reporter=Reporter(**plain), account=account)


class SealedIdentity(BaseModel):
    """The identity as the event log stores it: ciphertext (base64) and its nonce."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scheme: Scheme = AES_GCM
    nonce: str = Field(default="", max_length=64)
    ciphertext: str = Field(max_length=4096)

    @property
    def is_plaintext(self) -> bool:
        """Recorded before sealing: the identity is still readable from the log alone."""
        return self.scheme == PLAINTEXT

    @classmethod
    def plaintext(cls, identity: ReporterIdentity) -> SealedIdentity:
        """An old, unsealed identity in this shape (what the upcast of an old event gives)."""
        return cls(scheme=PLAINTEXT, ciphertext=base64.b64encode(identity.to_bytes()).decode())

    def plaintext_identity(self) -> ReporterIdentity:
        assert self.is_plaintext
        return ReporterIdentity.from_bytes(base64.b64decode(self.ciphertext))


class IdentityState(StrEnum):
    """What a viewer gets when asking for a reporter's identity (``LaporApp.identity``)."""

    SHOWN = "shown"  # the viewer may see it (rule 10) and a key at hand opened it
    WITHHELD = "withheld"  # rule 10 forbids this viewer (dirahasiakan)
    SEALED = "sealed"  # the viewer may see it, but no key at hand opens it (tersegel)
    ERASED = "erased"  # its data key was destroyed (rule 14; dihapus)


LABELS = {
    IdentityState.WITHHELD: "(dirahasiakan)",
    IdentityState.SEALED: "(tersegel)",
    IdentityState.ERASED: "(dihapus)",
}


@dataclass(frozen=True)
class IdentityView:
    """A reporter's identity as one viewer may have it; ``reader`` and ``key_id`` name the
    key that opened it (``plaintext`` for an identity recorded before sealing)."""

    complaint_id: UUID
    state: IdentityState
    identity: ReporterIdentity | None = None
    reader: str | None = None
    key_id: str | None = None

    @property
    def shown(self) -> bool:
        return self.identity is not None

    @property
    def account(self) -> str | None:
        return self.identity.account if self.identity else None

    @property
    def label(self) -> str:
        """One line for a screen: ``name <contact> [ID number] (account)``, or the state's word."""
        if self.identity is None:
            return LABELS[self.state]
        r = self.identity.reporter
        contact = f" <{r.contact}>" if r.contact else ""
        number = f" [{r.id_number}]" if r.id_number else ""
        return f"{r.name}{contact}{number} ({self.identity.account})"
