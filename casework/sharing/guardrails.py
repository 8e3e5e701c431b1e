"""Guardrails on the sharing protocol: what no version may do, and what makes one weaker.

Checked on the JSON definition before a version is stored (``protocol.new_version``):

- an output classed anonymised, depersonalised or aggregate never keeps a direct
  identifier: names, aliases, address lines and postcodes, phone, e-mail (drop or
  pseudonymise only), the exact date of birth (drop, or generalise to an age band), or free
  text unless the entry is marked shareable (``only_if``) and scrubbed (``scrub``);
- floors: k-anonymity k >= ``K_FLOOR`` (3) and suppression of at least the counts 1 to
  ``SUPPRESS_FLOOR`` (2); the depersonalised record-level file must have k-anonymity, and
  every quasi-identifier it releases must be one of its quasi-identifiers.

``weakenings`` lists what a new version lets out that the current one did not (a field
kept that was dropped, a finer generalisation, a lower k or suppression limit, a new
output, role or recipient...); such a version needs an explicit confirmation, and every
output produced under it says so. ``differences`` is the change, path by path, for the
administrator to read and for the audit entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from casework.core.permissions import IDENTIFIABLE_ROLES
from casework.core.settings import K_FLOOR, SUPPRESS_FLOOR

# The outputs the code produces, and their class (a version cannot reclassify them).
CLASSES = {"meeting_pack": "anonymised", "trigger_review_pack": "anonymised",
           "quarterly_dataset": "depersonalised", "trigger_return": "aggregate",
           "kpi_report": "aggregate", "table_export": "working_list",
           "case_summary": "identifiable", "court_bundle": "identifiable",
           "subject_access": "identifiable"}
PROTECTED_CLASSES = ("anonymised", "depersonalised", "aggregate")
# A working list (a table a user exports for their own work) may carry identifiable
# values, but only to the roles that may see them: each such field names its roles.
WORKING_LIST = "working_list"
NAMES = frozenset({"given_name", "family_name", "name", "full_name", "aliases", "alias",
                   "referrer_name", "applicant_name", "complainant_name", "subject_name"})
CONTACT = frozenset({"phone", "email", "address", "address_line", "address_lines", "line1",
                     "line2", "line3", "street", "postcode"})
EXACT_DOB = "date_of_birth"
FREE_TEXT = frozenset({"summary", "description", "progress", "findings", "threshold_reasons",
                       "reason", "recommendation", "applicant_response", "notes", "note",
                       "minutes", "details", "needs_notes", "action_taken", "free_text"})
QUASI_IDENTIFIERS = ("case_type", "area", "age_band", "gender", "quarter_opened",
                     "quarter_closed")
_RANK = {"drop": 0, "suppress": 1, "generalise": 2, "pseudonymise": 2, "keep": 3}
# Coarser first: moving right within a scale is a finer (weaker) generalisation.
_SCALES = (("year", "quarter", "month", "weeks_before"), ("msoa", "lsoa"))


def _rule(raw: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(raw, str):
        return raw, {}
    if isinstance(raw, Mapping):
        return str(raw.get("rule", "drop")), {k: v for k, v in raw.items() if k != "rule"}
    return "drop", {}


def output_class(name: str, raw: Mapping[str, Any]) -> str:
    """The class of an output: fixed for the outputs the code knows, else as declared."""
    return CLASSES.get(name) or str(raw.get("class", "anonymised"))


def _field_problem(where: str, field: str, rule: str, params: Mapping[str, Any]) -> str | None:
    if field in NAMES or field in CONTACT:
        if rule not in ("drop", "pseudonymise"):
            return f"{where}.{field} is a direct identifier: drop it (or pseudonymise it)."
    elif field == EXACT_DOB:
        if rule != "drop" and not (rule == "generalise" and params.get("to") == "age_band"):
            return f"{where}.{field} is an exact date of birth: drop it or generalise it " \
                   "to an age band."
    elif field in FREE_TEXT and rule == "keep" and not (params.get("only_if")
                                                         and params.get("scrub") is True):
        return (f"{where}.{field} is free text: keep it only where the entry is marked "
                "shareable (only_if) and scrubbed (scrub: true).")
    return None


def problems(definition: Mapping[str, Any]) -> list[str]:
    """Everything a definition does that no version may do (empty: acceptable)."""
    found: list[str] = []
    for name, raw in (definition.get("outputs") or {}).items():
        if not isinstance(raw, Mapping):
            continue
        declared = raw.get("class")
        cls = output_class(name, raw)
        if declared is not None and name in CLASSES and declared != CLASSES[name]:
            found.append(f"{name} is a {CLASSES[name]} output; it cannot be classed "
                         f"{declared}.")
        if cls == WORKING_LIST:
            found += _working_list(name, raw)
        if cls not in PROTECTED_CLASSES:
            continue
        released: set[str] = set()
        for kind, fields in (raw.get("records") or {}).items():
            for field, frule in (fields or {}).items():
                rule, params = _rule(frule)
                problem = _field_problem(f"{name}.{kind}", field, rule, params)
                if problem:
                    found.append(f"{problem[:-1]} ({cls} outputs never carry it).")
                if rule != "drop":
                    released.add(str(params.get("as", field)))
        found += _floors(name, cls, raw, released)
    return found


def _working_list(name: str, raw: Mapping[str, Any]) -> list[str]:
    """A working list keeps an identifying field only for roles that may see identifiable
    data, and everyone else gets it dropped or pseudonymised."""
    found: list[str] = []
    for kind, fields in (raw.get("records") or {}).items():
        for field, frule in (fields or {}).items():
            rule, params = _rule(frule)
            identifying = (field in NAMES or field in CONTACT or field == EXACT_DOB
                           or field in FREE_TEXT or field in ("reference", "case_reference"))
            if not identifying or rule not in ("keep", "generalise"):
                continue
            roles = params.get("roles")
            if not isinstance(roles, list) or not roles or not set(roles) <= IDENTIFIABLE_ROLES:
                found.append(f"{name}.{kind}.{field} identifies a person or case: keep it "
                             "only for roles that may see identifiable data (roles: "
                             f"{', '.join(sorted(IDENTIFIABLE_ROLES))}).")
            if params.get("otherwise", "drop") not in ("drop", "pseudonymise"):
                found.append(f"{name}.{kind}.{field}: other roles get it dropped or "
                             "pseudonymised (otherwise: drop or pseudonymise).")
    return found


def _floors(name: str, cls: str, raw: Mapping[str, Any], released: set[str]) -> list[str]:
    found: list[str] = []
    kanon = raw.get("k_anonymity")
    if cls == "depersonalised" and not kanon:
        found.append(f"{name} is a record-level depersonalised file: it needs k-anonymity "
                     f"(k of at least {K_FLOOR}).")
    if isinstance(kanon, Mapping):
        k = kanon.get("k")
        if k is not None and (not isinstance(k, int) or k < K_FLOOR):
            found.append(f"{name}.k_anonymity k must be at least {K_FLOOR}.")
        qis = set(kanon.get("quasi_identifiers") or ())
        missing = sorted(q for q in QUASI_IDENTIFIERS if q in released and q not in qis)
        if missing:
            found.append(f"{name} releases {', '.join(missing)} without counting "
                         f"{'it' if len(missing) == 1 else 'them'} as quasi-identifiers.")
    sup = raw.get("suppression") or {}
    if isinstance(sup, Mapping) and "max" in sup and (
            not isinstance(sup["max"], int) or sup["max"] < SUPPRESS_FLOOR):
        found.append(f"{name} suppression max must be at least {SUPPRESS_FLOOR} (counts of "
                     f"1 to {SUPPRESS_FLOOR} are always suppressed).")
    return found


# -- comparing versions ------------------------------------------------------------------

def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping) and value:
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    else:
        out[path] = value


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every path whose value differs: {"path", "old", "new"} (None where absent)."""
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    _flatten(old, "", a)
    _flatten(new, "", b)
    return [{"path": p, "old": a.get(p), "new": b.get(p)} for p in sorted(set(a) | set(b))
            if json.dumps(a.get(p), sort_keys=True) != json.dumps(b.get(p), sort_keys=True)]


def describe(change: Mapping[str, Any]) -> str:
    """One line of a difference, for a person."""
    def show(v: Any) -> str:
        return "(absent)" if v is None else json.dumps(v, sort_keys=True)
    return f"{change['path']}: {show(change['old'])} -> {show(change['new'])}"


def _finer(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    a, b = old.get("to"), new.get("to")
    if a == b:
        if a == "vocabulary":
            return not set(new.get("values") or ()) <= set(old.get("values") or ())
        return False
    for scale in _SCALES:
        if a in scale and b in scale:
            return scale.index(b) > scale.index(a)
    return True  # a different kind of generalisation: assume it lets out more


def _field_weaker(old_raw: Any, new_raw: Any) -> str | None:
    (ro, po), (rn, pn) = _rule(old_raw), _rule(new_raw)
    if _RANK.get(rn, 3) > _RANK.get(ro, 3):
        return f"{ro} -> {rn}"
    if rn == ro and po.get("roles") and set(pn.get("roles") or ("*",)) - set(po["roles"]):
        return "released to more roles"
    if rn == ro == "keep":
        if po.get("only_if") and not pn.get("only_if"):
            return "kept whether or not marked shareable"
        if po.get("scrub") and not pn.get("scrub"):
            return "no longer scrubbed"
    if rn == ro == "generalise" and _finer(po, pn):
        return f"generalised to {pn.get('to')} instead of {po.get('to')}"
    return None


def weakenings(old: Mapping[str, Any], new: Mapping[str, Any],
               defaults: Mapping[str, int]) -> list[str]:
    """What ``new`` lets out that ``old`` did not. ``defaults`` are the settings an output
    falls back on (keys ``k``, ``suppress_max``, ``round_to``)."""
    found: list[str] = []
    olds = old.get("outputs") or {}
    for name, n in (new.get("outputs") or {}).items():
        o = olds.get(name)
        if o is None:
            found.append(f"{name}: a new output")
            continue
        for what in ("roles",):
            added = sorted(set(n.get(what) or ()) - set(o.get(what) or ()))
            if added:
                found.append(f"{name}: {what} added ({', '.join(map(str, added))})")
        orc, nrc = o.get("recipients") or {}, n.get("recipients") or {}
        for what in ("agencies", "names"):
            added = sorted(set(nrc.get(what) or ()) - set(orc.get(what) or ()))
            if added:
                found.append(f"{name}: recipients added ({', '.join(map(str, added))})")
        if orc.get("rule") != nrc.get("rule"):
            found.append(f"{name}: recipients rule {orc.get('rule')} -> {nrc.get('rule')}")
        for kind, fields in (n.get("records") or {}).items():
            ofields = (o.get("records") or {}).get(kind) or {}
            for field, raw in (fields or {}).items():
                why = _field_weaker(ofields.get(field, "drop"), raw)
                if why:
                    found.append(f"{name}.{kind}.{field}: {why}")
        found += _control_weaker(name, o, n, defaults)
    return found


def _control_weaker(name: str, o: Mapping[str, Any], n: Mapping[str, Any],
                    defaults: Mapping[str, int]) -> list[str]:
    found: list[str] = []
    ok, nk = o.get("k_anonymity"), n.get("k_anonymity")
    if ok and not nk:
        found.append(f"{name}: k-anonymity removed")
    elif ok and nk:
        k_old, k_new = (int(x.get("k", defaults["k"])) for x in (ok, nk))
        if k_new < k_old:
            found.append(f"{name}: k-anonymity k {k_old} -> {k_new}")
        gone = sorted(set(ok.get("quasi_identifiers") or ())
                      - set(nk.get("quasi_identifiers") or ()))
        if gone:
            found.append(f"{name}: quasi-identifiers no longer checked ({', '.join(gone)})")
    os_, ns = o.get("suppression"), n.get("suppression")
    if os_ is not None:
        ns = ns or {}
        for key, label in (("max", "suppression of counts up to"), ("round_to", "rounding to")):
            a = int(os_.get(key, defaults["suppress_max" if key == "max" else "round_to"]))
            b = int(ns.get(key, defaults["suppress_max" if key == "max" else "round_to"]))
            if b < a:
                found.append(f"{name}: {label} {a} -> {b}")
        if ns.get("statutory_counts_exempt") and not os_.get("statutory_counts_exempt"):
            found.append(f"{name}: statutory counts exempted from suppression")
    return found
