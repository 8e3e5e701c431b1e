"""The sharing protocol as versioned data.

A version is a JSON definition in ``sharing_protocols``; versions are never edited: an
administrator changes the protocol by adding a version, and every output names the version
it applied. A new database starts with version 1 from ``resources/sharing_protocol.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.core import audit, resources
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from db.models import SharingProtocol

DEFAULT_FILE = "sharing_protocol.json"
RULES = ("keep", "drop", "pseudonymise", "generalise", "suppress")
GENERALISE_TO = ("age_band", "quarter", "month", "year", "lsoa", "msoa", "vocabulary")
STEP_TO = ("msoa", "local_authority", "year", "broad_age_band", "any")
RECIPIENT_RULES = ("meeting_attendees", "review_bodies", "named")
ROLES = ("case_manager", "panel_member", "panel_chair", "coordinator", "administrator")


@dataclass(frozen=True)
class FieldRule:
    """What happens to one field of one record kind."""

    field: str
    rule: str
    params: Mapping[str, Any] = _field(default_factory=dict)

    @property
    def out_name(self) -> str:
        """The name the field has in the output (``as``), or its own name."""
        return str(self.params.get("as", self.field))


@dataclass(frozen=True)
class Recipients:
    """Who may receive an output: attendees, review bodies, or a list of named recipients."""

    rule: str
    agencies: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def allows_agency(self, agency: str) -> bool:
        return "*" in self.agencies or agency.casefold() in {a.casefold() for a in self.agencies}


@dataclass(frozen=True)
class OutputSpec:
    """One output of the protocol: its purpose, basis, recipients and field rules."""

    name: str
    title: str
    purpose: str
    lawful_basis: str
    roles: tuple[str, ...]
    capability: str
    recipients: Recipients
    records: Mapping[str, tuple[FieldRule, ...]]
    k_anonymity: Mapping[str, Any] | None = None
    suppression: Mapping[str, Any] = _field(default_factory=dict)
    tables: tuple[str, ...] = ()
    marking: str | None = None  # this output's own protective marking (a public statistic)

    def rules_for(self, kind: str) -> tuple[FieldRule, ...]:
        try:
            return self.records[kind]
        except KeyError:
            raise ValidationError(f"The sharing protocol has no '{kind}' records for "
                                  f"{self.title}.") from None


@dataclass(frozen=True)
class Protocol:
    """A parsed protocol version."""

    version: int
    name: str
    marking: str
    outputs: Mapping[str, OutputSpec]

    def output(self, name: str) -> OutputSpec:
        try:
            return self.outputs[name]
        except KeyError:
            raise ValidationError(f"Sharing protocol version {self.version} does not "
                                  f"allow the output '{name}'.") from None


@dataclass(frozen=True)
class ProtocolVersionView:
    version: int
    created_at: datetime
    note: str
    outputs: tuple[str, ...]


def _bad(msg: str) -> ValidationError:
    return ValidationError(f"Sharing protocol: {msg}", field="definition")


def _field_rule(kind: str, name: str, raw: Any) -> FieldRule:
    if isinstance(raw, str):
        raw = {"rule": raw}
    if not isinstance(raw, dict) or raw.get("rule") not in RULES:
        raise _bad(f"{kind}.{name} needs a rule, one of {', '.join(RULES)}.")
    params = {k: v for k, v in raw.items() if k != "rule"}
    rule = str(raw["rule"])
    if rule == "generalise":
        if params.get("to") not in GENERALISE_TO:
            raise _bad(f"{kind}.{name} generalises to one of {', '.join(GENERALISE_TO)}.")
        if params["to"] == "vocabulary" and not isinstance(params.get("values"), list):
            raise _bad(f"{kind}.{name} needs the list of values it may keep.")
    if rule == "pseudonymise" and params.get("style", "letter") not in ("letter", "number"):
        raise _bad(f"{kind}.{name} pseudonymises with style letter or number.")
    if "only_if" in params and not isinstance(params["only_if"], str):
        raise _bad(f"{kind}.{name}: only_if names a yes/no field.")
    return FieldRule(name, rule, params)


def _recipients(name: str, raw: Any) -> Recipients:
    if not isinstance(raw, dict) or raw.get("rule") not in RECIPIENT_RULES:
        raise _bad(f"{name} needs recipients with a rule, one of {', '.join(RECIPIENT_RULES)}.")
    agencies = tuple(str(a) for a in raw.get("agencies", ()))
    names = tuple(str(n) for n in raw.get("names", ()))
    if raw["rule"] == "named" and not names:
        raise _bad(f"{name} names no recipient.")
    return Recipients(str(raw["rule"]), agencies, names)


def _k_anonymity(name: str, raw: Any) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    qis = raw.get("quasi_identifiers")
    if not isinstance(qis, list) or not qis:
        raise _bad(f"{name}.k_anonymity needs its quasi-identifiers.")
    for step in raw.get("steps", []):
        if step.get("field") not in qis or step.get("to") not in STEP_TO:
            raise _bad(f"{name}.k_anonymity steps generalise a quasi-identifier to one of "
                       f"{', '.join(STEP_TO)}.")
    k = raw.get("k")
    if k is not None and (not isinstance(k, int) or k < 2):
        raise _bad(f"{name}.k_anonymity k is a whole number of at least 2.")
    return dict(raw)


def _output(name: str, raw: Any) -> OutputSpec:
    if not isinstance(raw, dict):
        raise _bad(f"output {name} is not an object.")
    for key in ("title", "purpose", "lawful_basis", "capability"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _bad(f"output {name} needs a {key.replace('_', ' ')}.")
    roles = tuple(raw.get("roles", ()))
    if not roles or any(r not in ROLES for r in roles):
        raise _bad(f"output {name} lists the roles that may produce it.")
    records_raw = raw.get("records")
    if not isinstance(records_raw, dict) or not records_raw:
        raise _bad(f"output {name} lists its records and their fields.")
    records = {
        kind: tuple(_field_rule(kind, f, r) for f, r in fields.items())
        for kind, fields in records_raw.items()
    }
    suppression = dict(raw.get("suppression", {}))
    for key in ("max", "round_to"):
        if key in suppression and (not isinstance(suppression[key], int) or suppression[key] < 0):
            raise _bad(f"output {name} suppression {key} is a whole number.")
    return OutputSpec(
        name=name, title=raw["title"], purpose=raw["purpose"],
        lawful_basis=raw["lawful_basis"], roles=roles, capability=raw["capability"],
        recipients=_recipients(name, raw.get("recipients")), records=records,
        k_anonymity=_k_anonymity(name, raw.get("k_anonymity")), suppression=suppression,
        tables=tuple(raw.get("tables", ())),
        marking=_marking(name, raw.get("marking")),
    )


def _marking(name: str, raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise _bad(f"output {name} marking is a protective marking such as OFFICIAL.")
    return raw.strip()


def parse(definition: Mapping[str, Any], version: int) -> Protocol:
    """Check a definition and build the protocol; ValidationError names what is wrong."""
    if not isinstance(definition, Mapping):
        raise _bad("the definition is not an object.")
    outputs_raw = definition.get("outputs")
    if not isinstance(outputs_raw, dict) or not outputs_raw:
        raise _bad("no outputs are defined.")
    marking = definition.get("marking")
    if not isinstance(marking, str) or not marking.strip():
        raise _bad("a protective marking is required.")
    return Protocol(version=version, name=str(definition.get("name", "")), marking=marking,
                    outputs={n: _output(n, o) for n, o in outputs_raw.items()})


def default_definition() -> dict[str, Any]:
    """The readable default protocol shipped in resources/."""
    data: dict[str, Any] = json.loads(resources.read_text(DEFAULT_FILE))
    return data


def seed_default(session: Session) -> bool:
    """Insert version 1 from resources/ if the database has no protocol (idempotent)."""
    if session.scalar(select(func.count()).select_from(SharingProtocol)):
        return False
    definition = default_definition()
    parse(definition, 1)
    session.add(SharingProtocol(version=1, note=f"Default protocol (resources/{DEFAULT_FILE})",
                                definition=json.dumps(definition)))
    session.flush()
    return True


def current(session: Session) -> Protocol:
    """The latest protocol version (the default is seeded if a database has none)."""
    row = session.scalars(
        select(SharingProtocol).order_by(SharingProtocol.version.desc()).limit(1)
    ).first()
    if row is None:
        seed_default(session)
        return current(session)
    return parse(json.loads(row.definition), row.version)


def get_version(session: Session, version: int) -> Protocol:
    """One stored version; NotFound if there is none."""
    row = session.scalar(select(SharingProtocol).where(SharingProtocol.version == version))
    if row is None:
        raise NotFound(f"There is no sharing protocol version {version}.")
    return parse(json.loads(row.definition), row.version)


def definition_of(ws: Workspace, version: int | None = None) -> tuple[int, dict[str, Any]]:
    """The JSON definition of a version (the latest by default), for review or editing."""
    with ws.uow() as session:
        stmt = select(SharingProtocol)
        stmt = (stmt.where(SharingProtocol.version == version) if version is not None
                else stmt.order_by(SharingProtocol.version.desc()).limit(1))
        row = session.scalars(stmt).first()
        if row is None:
            raise NotFound("There is no such sharing protocol version.")
        return row.version, json.loads(row.definition)


def versions(ws: Workspace) -> list[ProtocolVersionView]:
    """Every version, oldest first (the protocol holds no personal data)."""
    with ws.uow() as session:
        rows = session.scalars(select(SharingProtocol).order_by(SharingProtocol.version)).all()
        return [ProtocolVersionView(r.version, r.created_at, r.note,
                                    tuple(sorted(json.loads(r.definition).get("outputs", {}))))
                for r in rows]


def new_version(ws: Workspace, definition: Mapping[str, Any], note: str) -> int:
    """Add a protocol version (administrators); older versions stay. Audited."""
    require(ws.actor, "admin.protocol")
    if not note.strip():
        raise ValidationError("Say why the protocol changes.", field="note")
    with ws.uow() as session:
        latest = session.scalar(select(func.max(SharingProtocol.version))) or 0
        version = int(latest) + 1
        parse(definition, version)
        session.add(SharingProtocol(version=version, note=note.strip(),
                                    created_by=ws.actor.user_id,
                                    definition=json.dumps(definition)))
        session.flush()
        audit.record(ws, session, "protocol.version", "sharing_protocol", version,
                     reason=note.strip(), detail={"version": version,
                                                  "outputs": sorted(definition["outputs"])})
    return version
