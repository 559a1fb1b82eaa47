"""A dossier's evidence (DOMAIN.md rule 15): what a printed copy of one complaint carries so
that anyone can check it later, with the log or without it.

``dossier_evidence`` gathers, for one complaint, the stored bytes each event's digest covers
(its topic and state, as the log holds them: identities sealed, rule 14), the chain of
digests, the checkpoint the proofs are against, and an RFC 9162 inclusion proof of every
event in that checkpoint's tree. ``verify_evidence`` checks such a document against a
checkpoint the verifier trusts: every digest recomputed from the bytes with the one digest
rule, the chain unbroken from the complaint's first event, every proof leading to the
checkpoint's root, the checkpoint's signature. It needs no database.

What a copy proves is that every event it shows is the log's, unchanged, in its complaint's
chain from the first event on, and in the checkpoint's tree. It cannot prove that nothing
came after its last event (a copy cut short still verifies, as the complaint's first events):
whether the copy is complete is a question for the log (``lapor audit``, ``lapor history``).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ..errors import InvalidInput
from ..merkle import leaf_hash, verify_inclusion
from .digest import GENESIS, event_digest
from .ledger import Ledger
from .signing import Checkpoint

EVIDENCE_FORMAT = "lapor-dossier-evidence/1"


def dossier_evidence(ledger: Ledger, complaint_id: UUID, checkpoint: Checkpoint | None) -> dict[str, Any]:
    """The evidence of one complaint, JSON-ready; the proofs are against ``checkpoint`` (the
    events it does not cover yet are listed without one), or against the log's current tree
    head when there is none (then the copy proves only what its own head says)."""
    links = ledger.chain(complaint_id)
    head = ledger.head()
    size = checkpoint.size if checkpoint is not None else head.size
    if size > head.size:
        raise InvalidInput(
            "the checkpoint covers {size} events; this log has only {head_size}",
            size=size,
            head_size=head.size,
        )
    covered = [link.leaf for link in links if link.leaf < size]
    proofs = ledger.inclusion_proofs(covered, size) if covered else {}
    root = next(iter(proofs.values())).root if proofs else (checkpoint.root if checkpoint else head.root)
    if checkpoint is not None and proofs and root != checkpoint.root:
        raise InvalidInput("this log's tree at the checkpoint's size has another root: run `lapor audit`")
    return {
        "format": EVIDENCE_FORMAT,
        "complaint_id": str(complaint_id),
        "tree": {"size": size, "root": root.hex()},
        "checkpoint": checkpoint.to_dict() if checkpoint is not None else None,
        "events": [
            {
                "version": link.version,
                "position": link.position,
                "leaf": link.leaf,
                "topic": link.topic,
                "state": base64.b64encode(link.state).decode(),
                "previous": link.previous.hex(),
                "digest": link.digest.hex(),
                "proof": [node.hex() for node in proofs[link.leaf].path] if link.leaf in proofs else None,
            }
            for link in links
        ],
    }


@dataclass(frozen=True, slots=True)
class EvidenceReport:
    """What a check of a dossier's evidence found."""

    complaint_id: str
    events: int
    covered: int  # events proved to be in the checkpoint's tree
    problems: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.problems and self.covered == self.events


def verify_evidence(evidence: Mapping[str, Any], checkpoint: Checkpoint) -> EvidenceReport:
    """Check a dossier's evidence against a checkpoint the verifier trusts (its signature is
    checked here; whose key it is, the verifier knows)."""
    problems: list[str] = []
    if not isinstance(evidence, Mapping) or evidence.get("format") != EVIDENCE_FORMAT:
        raise InvalidInput("not a dossier's evidence: expected format {expected!r}", expected=EVIDENCE_FORMAT)
    try:
        cid = UUID(str(evidence["complaint_id"]))
        events = list(evidence["events"])
        tree = evidence["tree"]
        size, root = int(tree["size"]), bytes.fromhex(tree["root"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput("the dossier's evidence is malformed: {reason}", reason=str(exc)) from None
    if not checkpoint.head.verifies():
        problems.append("the checkpoint's signature does not verify with its public key")
    if (size, root) != (checkpoint.size, checkpoint.root):
        problems.append(
            f"the dossier's proofs are against a tree of {size} events with root {root.hex()[:16]}..., "
            f"not the checkpoint's ({checkpoint.size} events, root {checkpoint.root.hex()[:16]}...)"
        )
    if not events:
        problems.append(f"complaint {cid}: the copy holds no event (a complaint starts with its submission)")
    previous, covered = GENESIS, 0
    for expected, event in enumerate(events, start=1):
        try:
            version, leaf = _count(event["version"], 1), _count(event["leaf"], 0)
            state = base64.b64decode(event["state"], validate=True)
            stated, before = bytes.fromhex(event["digest"]), bytes.fromhex(event["previous"])
            proof = None if event["proof"] is None else [bytes.fromhex(node) for node in event["proof"]]
            topic = str(event["topic"])
            if len(stated) != 32 or len(before) != 32:
                raise ValueError("a digest is 32 bytes")
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"event {expected}: malformed ({exc})")
            continue
        where = f"complaint {cid}, event {version}"
        if version != expected:
            problems.append(f"{where}: expected event {expected} of the chain here (one missing or moved)")
        if before != previous:
            problems.append(f"{where}: its previous digest is not the digest of the event before it")
        digest = event_digest(cid, version, topic, state, before)
        if digest != stated:
            problems.append(f"{where}: its stored bytes do not give its digest (changed since recorded)")
        if proof is not None:
            if verify_inclusion(leaf_hash(stated), leaf, checkpoint.size, proof, checkpoint.root):
                covered += 1
            else:
                problems.append(f"{where}: its inclusion proof does not lead to the checkpoint's root")
        previous = stated
    return EvidenceReport(str(cid), len(events), covered, problems)


def _count(value: object, least: int) -> int:
    """A whole number from ``least`` up to what the stored form holds (8 bytes), or ValueError."""
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value < 2**63:
        raise ValueError(f"expected a whole number from {least}, got {value!r}")
    return value
