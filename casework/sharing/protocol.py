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

from casework.core import audit, resources, settings
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.sharing import guardrails
from db.models import SharingProtocol

DEFAULT_FILE = "sharing_protocol.json"
# Kept in a stored definition of a version confirmed as weaker than the one before it.
WEAKENED_KEY = "confirmed_weaker"
RULES = ("keep", "drop", "pseudonymise", "generalise", "suppress")
GENERALISE_TO = ("age_band", "quarter", "month", "year", "weeks_before", "lsoa", "msoa",
                 "vocabulary")
STEP_TO = ("msoa", "local_authority", "year", "broad_age_band", "any")
RECIPIENT_RULES = ("meeting_attendees", "review_bodies", "named")
ROLES = ("case_manager", "panel_member", "panel_chair", "coordinator", "administrator",
         "information_governance")
# Outputs the law requires whatever the stored protocol holds. A subject access request
# must be answered (UK GDPR Art 15), and databases created before ``subject_access`` was
# added store a version 1 without it: rather than refuse the request, a version lacking
# the output uses the entry shipped in resources/ (``output_spec``), and the export's
# audit entry says so ("protocol_entry": "built-in"). A version that defines the output
# is used as it stands.
BUILT_IN = ("subject_access",)


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
    # What this version lets out that the version before it did not, confirmed by an
    # administrator (empty for a version no weaker): every output under it says so.
    weakened: tuple[str, ...] = ()

    @property
    def caveat(self) -> str:
        """The line an output produced under a weaker version carries first ('' if none)."""
        if not self.weakened:
            return ""
        return (f"WEAKER PROTOCOL: sharing protocol v{self.version} protects less than the "
                f"version before it ({'; '.join(self.weakened[:3])}"
                f"{'; ...' if len(self.weakened) > 3 else ''}), confirmed by an "
                "administrator")

    def output(self, name: str) -> OutputSpec:
        try:
            return self.outputs[name]
        except KeyError:
            raise ValidationError(f"Sharing protocol version {self.version} does not "
                                  f"allow the output '{name}'.") from None


def output_spec(protocol: Protocol, name: str) -> tuple[OutputSpec, bool]:
    """The output ``name`` under ``protocol``, and whether it is the built-in entry (an
    output in ``BUILT_IN`` that the stored version lacks)."""
    if name in protocol.outputs or name not in BUILT_IN:
        return protocol.output(name), False
    raw = default_definition()["outputs"].get(name)
    if raw is None:
        return protocol.output(name), False
    return _output(name, raw), True


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
        if params["to"] == "weeks_before" and not isinstance(params.get("of"), str):
            raise _bad(f"{kind}.{name} needs the field it counts weeks before (of).")
    if rule == "pseudonymise" and params.get("style", "letter") not in ("letter", "number"):
        raise _bad(f"{kind}.{name} pseudonymises with style letter or number.")
    if "roles" in params and (not isinstance(params["roles"], list)
                              or any(r not in ROLES for r in params["roles"])):
        raise _bad(f"{kind}.{name}: roles lists the roles that get the field, from "
                   f"{', '.join(ROLES)}.")
    if params.get("otherwise", "drop") not in ("drop", "pseudonymise"):
        raise _bad(f"{kind}.{name}: otherwise (for other roles) is drop or pseudonymise.")
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
    weakened = definition.get(WEAKENED_KEY) or {}
    return Protocol(version=version, name=str(definition.get("name", "")), marking=marking,
                    outputs={n: _output(n, o) for n, o in outputs_raw.items()},
                    weakened=tuple(str(w) for w in weakened.get("changes", ())))


def validate(definition: Mapping[str, Any], version: int = 0) -> Protocol:
    """Parse a definition and apply the guardrails: ValidationError names every problem."""
    proto = parse(definition, version)
    found = guardrails.problems(definition)
    if found:
        raise _bad(" ".join(found))
    return proto


def default_definition() -> dict[str, Any]:
    """The readable default protocol shipped in resources/."""
    data: dict[str, Any] = json.loads(resources.read_text(DEFAULT_FILE))
    return data


def seed_default(session: Session) -> bool:
    """Insert version 1 from resources/ if the database has no protocol (idempotent)."""
    if session.scalar(select(func.count()).select_from(SharingProtocol)):
        return False
    definition = default_definition()
    validate(definition, 1)
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


@dataclass(frozen=True)
class VersionPreview:
    """What adding a definition would change: the path-by-path difference from the current
    version, and what it would let out that the current version does not."""

    current_version: int
    changes: tuple[Mapping[str, Any], ...]
    weaker: tuple[str, ...]
    still_weaker: tuple[str, ...] = ()  # inherited from a current version confirmed weaker
    weaker_than: int = 0

    def lines(self) -> list[str]:
        """The difference as lines for a person."""
        return [guardrails.describe(c) for c in self.changes]


def _defaults(session: Session) -> dict[str, int]:
    return {"k": int(settings.get(session, settings.K_ANONYMITY)),
            "suppress_max": int(settings.get(session, settings.SUPPRESS_MAX)),
            "round_to": int(settings.get(session, settings.ROUND_TO))}


def _compare(session: Session, definition: Mapping[str, Any]) -> tuple[int, VersionPreview]:
    row = session.scalars(
        select(SharingProtocol).order_by(SharingProtocol.version.desc()).limit(1)).first()
    latest = 0 if row is None else row.version
    old: dict[str, Any] = {} if row is None else json.loads(row.definition)
    marker = old.pop(WEAKENED_KEY, None)
    new = {k: v for k, v in definition.items() if k != WEAKENED_KEY}
    validate(new, latest + 1)
    weaker = guardrails.weakenings(old, new, _defaults(session)) if old else []
    inherited: tuple[str, ...] = ()
    if not weaker and marker:
        # The current version was confirmed weaker: a successor stays marked for as long
        # as it is still weaker than the version before that one.
        base = session.scalar(select(SharingProtocol.definition).where(
            SharingProtocol.version == int(marker.get("than_version", 0))))
        if base is not None:
            inherited = tuple(guardrails.weakenings(json.loads(base), new,
                                                    _defaults(session)))
    return latest, VersionPreview(latest, tuple(guardrails.differences(old, new)),
                                  tuple(weaker), inherited,
                                  int(marker.get("than_version", 0)) if marker else latest)


def preview_version(ws: Workspace, definition: Mapping[str, Any]) -> VersionPreview:
    """Validate a definition and compare it with the current version; stores nothing."""
    require(ws.actor, "admin.protocol")
    with ws.uow() as session:
        return _compare(session, definition)[1]


def new_version(ws: Workspace, definition: Mapping[str, Any], note: str,
                confirm_weaker: bool = False) -> int:
    """Add a protocol version (administrators); older versions stay. Audited.

    The definition is validated (``validate``: the guardrails) before anything is stored.
    ``note`` is the reason, required. A version weaker than the current one is refused
    unless ``confirm_weaker``; it is then stored with what it weakens, and every output
    produced under it says so. The audit entry holds the difference and the weakenings."""
    require(ws.actor, "admin.protocol")
    if not note.strip():
        raise ValidationError("Say why the protocol changes.", field="note")
    with ws.uow() as session:
        latest, preview = _compare(session, definition)
        if preview.weaker and not confirm_weaker:
            raise ValidationError(
                f"This version is weaker than version {latest}: "
                f"{'; '.join(preview.weaker)}. Confirm that it should be added anyway "
                "(casework-cli: --confirm-weaker).", field="confirm_weaker")
        version = latest + 1
        stored = {k: v for k, v in definition.items() if k != WEAKENED_KEY}
        if preview.weaker:
            stored[WEAKENED_KEY] = {"than_version": latest, "changes": list(preview.weaker)}
        elif preview.still_weaker:
            stored[WEAKENED_KEY] = {"than_version": preview.weaker_than,
                                    "changes": list(preview.still_weaker)}
        session.add(SharingProtocol(version=version, note=note.strip(),
                                    created_by=ws.actor.user_id,
                                    definition=json.dumps(stored)))
        session.flush()
        audit.record(ws, session, "protocol.version", "sharing_protocol", version,
                     reason=note.strip(), detail={
                         "version": version, "previous_version": latest,
                         "outputs": sorted(stored["outputs"]),
                         "changes": [dict(c) for c in preview.changes],
                         "weaker": list(preview.weaker),
                         "confirmed_weaker": bool(preview.weaker),
                         "still_weaker": list(preview.still_weaker)})
    return version
