"""One pipeline for every output: select, apply the field rules, disclosure control, render.

``produce`` runs the steps in order for any output:

1. authorise: the actor's role and capability must be allowed by the protocol's output;
2. build (the output's own code, in one unit of work): select only what the user may see,
   pass every record through the protocol's field rules (``rules.RecordRules``) and apply
   disclosure control (``disclosure``); the result is a ``Release``'s ``data``;
3. render the ``Release`` into a private staging folder beside the destination
   (renderers see nothing else);
4. write the audit entry "export.started" (user, recipient, purpose, protocol version,
   file digests), move the set into place in one step (``safety.StagedSet``), then write
   "export": no output exists without an audit entry, and an export that did not
   complete shows as "export.started" with no "export" after it. The folders being
   written are noted in a journal beside the database, and ``recover_exports`` (run at
   every start and unlock) removes what an export killed part-way left there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core import audit, clock
from casework.core.context import Actor, Workspace
from casework.core.errors import PermissionDenied, ValidationError
from casework.core.permissions import require
from casework.sharing.protocol import OutputSpec, Protocol, current, output_spec
from casework.sharing.rules import RuleContext
from casework.sharing.safety import Journal, staged_set
from db.models import Lsoa


@dataclass(frozen=True)
class Release:
    """What a renderer receives: the output's header facts and only released data."""

    output: str
    title: str
    protocol_version: int
    marking: str
    recipient: str
    purpose: str
    lawful_basis: str
    produced_on: date
    produced_by: str
    data: Any
    # Set when the protocol version was confirmed weaker than the one before it: the
    # first line (CSV) or the top of the first page (PDF) says so.
    caveat: str = ""

    @property
    def stamp(self) -> str:
        """The line every page or file carries."""
        lead = f"{self.caveat} | " if self.caveat else ""
        return (f"{lead}{self.marking} | {self.title} | sharing protocol "
                f"v{self.protocol_version} | copy for {self.recipient} | produced "
                f"{self.produced_on.isoformat()} by {self.produced_by}")


@dataclass(frozen=True)
class Built:
    """The outcome of an output's build step: released data, the resolved recipient, and
    non-sensitive facts (counts) for the audit entry."""

    data: Any
    recipient: str
    record_id: str
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportResult:
    output: str
    files: tuple[Path, ...]
    protocol_version: int
    recipient: str
    sha256: Mapping[str, str]
    facts: Mapping[str, Any]


Build = Callable[[Session, OutputSpec, Protocol], Built]
Render = Callable[[Release, Sequence[Path]], None]


def authorise(actor: Actor, spec: OutputSpec) -> None:
    """The actor's capability and role must both allow the output."""
    require(actor, spec.capability)
    if actor.role != "system" and actor.role not in spec.roles:
        raise PermissionDenied("The sharing protocol does not allow your role this output.")


def named_recipient(spec: OutputSpec, recipient: str | None) -> str:
    """The recipient of an output sent to named recipients (the first by default)."""
    names = spec.recipients.names
    if not recipient:
        return names[0]
    for name in names:
        if name.casefold() == recipient.strip().casefold():
            return name
    raise ValidationError(f"The sharing protocol allows {spec.title} to go to: "
                          f"{'; '.join(names)}.", field="recipient")


def rule_context(session: Session) -> RuleContext:
    """Reference data for the rules: LSOA -> MSOA and the local authority."""
    rows = session.execute(select(Lsoa.code, Lsoa.msoa_code, Lsoa.local_authority)).all()
    las = sorted({r[2] for r in rows})
    return RuleContext(lsoa_msoa={r[0]: r[1] for r in rows},
                       local_authority=las[0] if len(las) == 1 else "all areas")


def produce(ws: Workspace, output: str, finals: Sequence[Path], build: Build,
            render: Render, prepare: Callable[[], None] | None = None) -> ExportResult:
    """Run the pipeline for one output and write its files atomically, audited.
    ``prepare`` (e.g. making the output folder) runs once the actor is authorised."""
    with ws.uow() as session:
        protocol = current(session)
        spec, built_in = output_spec(protocol, output)
        authorise(ws.actor, spec)
        built = build(session, spec, protocol)
    if prepare is not None:
        prepare()
    release = Release(
        output=output, title=spec.title, protocol_version=protocol.version,
        marking=spec.marking or protocol.marking, recipient=built.recipient, purpose=spec.purpose,
        lawful_basis=spec.lawful_basis, produced_on=clock.today(),
        produced_by=ws.actor.username, data=built.data, caveat=protocol.caveat,
    )
    journal = exports_journal(ws)
    parent = Path(finals[0]).parent
    journal.add([parent, parent.parent])
    try:
        return _stage_and_move(ws, output, finals, built, spec, protocol, release, render,
                               built_in)
    finally:
        journal.done()


def exports_journal(ws: Workspace) -> Journal:
    """The journal of folders being exported into, beside the database."""
    db = Path(ws.store.final_path or ws.store.path)
    return Journal(db.with_name(f"{db.name}.exports"))


def recover_exports(ws: Workspace) -> int:
    """At start or unlock: remove what exports killed part-way left in their folders (the
    audit trail already shows each as "export.started" with no "export"), and record how
    many were removed. Returns that number."""
    removed = exports_journal(ws).recover()
    if removed:
        with ws.uow() as session:
            audit.record(ws, session, "export.recovered", "export", "",
                         detail={"unfinished_exports_removed": removed})
    return removed


def _stage_and_move(ws: Workspace, output: str, finals: Sequence[Path], built: Built,
                    spec: OutputSpec, protocol: Protocol, release: Release,
                    render: Render, built_in: bool = False) -> ExportResult:
    with staged_set(finals) as staged:
        render(release, staged.paths)
        digests = staged.digests()
        detail = {
            "recipient": built.recipient, "purpose": spec.purpose,
            "protocol_version": protocol.version, "sha256": digests,
            **dict(built.facts),
        }
        if protocol.weakened:
            detail["protocol_weaker"] = True
        if built_in:  # the stored version lacks this output (protocol.BUILT_IN)
            detail["protocol_entry"] = "built-in"
        with ws.uow() as session:
            audit.record(ws, session, "export.started", output, built.record_id,
                         detail=detail)
        staged.commit()
        with ws.uow() as session:
            audit.record(ws, session, "export", output, built.record_id, detail=detail)
    return ExportResult(output, tuple(Path(p) for p in finals), protocol.version,
                        built.recipient, digests, dict(built.facts))
