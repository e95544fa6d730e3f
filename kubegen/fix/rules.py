"""Fixes decided by one object and the API's schema: apiVersion and kind, enum casing,
YAML 1.1 values that should be strings, wrong shapes, quoted numbers, misspelt field
names, a missing port name or workload selector.
"""

from __future__ import annotations

import re
from typing import Any

from kubegen import facts
from kubegen.checks.k8sdata import REMOVED, Definition, ListOf, group_of
from kubegen.checks.yamlvalues import dotted
from kubegen.finding import Finding
from kubegen.fix.match import same_word, unique_match
from kubegen.fix.ops import Insert, Op, Rename, Set, Unwrap, Wrap
from kubegen.fix.plan import Context, Fix, P, planner
from kubegen.fix.yamltext import flow_value
from kubegen.manifest import Manifest, pod_template, value_at
from kubegen.writer import double_quoted
from kubegen.writer import scalar as yaml_scalar

# What an old API version filled in when a field was left out, where apps/v1 fills in
# something else: kept explicit, so converting the apiVersion keeps the rollout behaviour
# (pkg/apis/extensions/v1beta1 and pkg/apis/apps/v1beta1 defaults.go).
OLD_DEFAULTS: dict[tuple[str, str], tuple[str, Any]] = {
    ("extensions/v1beta1", "DaemonSet"): ("updateStrategy", {"type": "OnDelete"}),
    ("apps/v1beta1", "StatefulSet"): ("updateStrategy", {"type": "OnDelete"}),
}


def _fix(f: Finding, ops: list[Op] | tuple[Op, ...], summary: str, *, first: bool = False) -> Fix:
    assert f.manifest is not None
    return Fix(finding=f, manifest=f.manifest, ops=tuple(ops), summary=summary, first=first)


# --- apiVersion and kind ---------------------------------------------------------


@planner("api-version")
def api_version(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    kind, version, data = m.kind, m.api_version, ctx.data
    if f.path == ("kind",):
        correct = data.kinds_by_lower.get(kind.lower())
        if correct is None or correct == kind or (version, correct) not in data.served:
            return None
        return _fix(f, [Set(("kind",), correct)], f"kind {kind} -> {correct}")
    if f.path != ("apiVersion",):
        return None
    removed = REMOVED.get((version, kind))
    if removed is not None:
        replacement = removed[1]
        if replacement is None or kind == "Ingress":
            return None  # no successor (PodSecurityPolicy); Ingress: see kubegen.fix.ingress
        if kind == "PodDisruptionBudget" and not value_at(m.obj, ("spec", "selector")):
            return None  # an empty selector selected no pods in policy/v1beta1, every pod in policy/v1
        ops: list[Op] = [Set(("apiVersion",), replacement)]
        notes = []
        if replacement == "apps/v1" and value_at(m.obj, ("spec", "selector")) is None:
            op = selector_op(m)
            if op is None:
                return None
            ops.append(op)
            notes.append("selector from the template labels")
        old = OLD_DEFAULTS.get((version, kind))
        if old is not None and isinstance(m.obj.get("spec"), dict) and old[0] not in m.obj["spec"]:
            ops.append(Insert(("spec",), old[0], old[1], first=True))
            notes.append(f"{old[0]}: {flow_value(old[1], False)} kept ({version}'s default)")
        extra = f" ({'; '.join(notes)})" if notes else ""
        return _fix(f, ops, f"apiVersion {version} -> {replacement}{extra}")
    served = data.kinds.get(kind)
    if not served:
        return None
    same_group = [v for v in served if group_of(v) == group_of(version)]
    candidates = same_group or served
    if len(candidates) != 1:
        return None
    return _fix(f, [Set(("apiVersion",), candidates[0])], f"apiVersion {version} -> {candidates[0]}")


def selector_op(m: Manifest) -> Op | None:
    """``spec.selector: {matchLabels: <the pod template's labels>}`` (what old API versions
    defaulted an absent selector to), or None when the template has no labels."""
    template = pod_template(m)
    meta = template.get("metadata") if template is not None else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    if not isinstance(labels, dict) or not labels or not all(isinstance(v, str) for v in labels.values()):
        return None
    if not isinstance(m.obj.get("spec"), dict):
        return None
    return Insert(("spec",), "selector", {"matchLabels": dict(labels)}, first=True)


@planner("workload-selector")
def workload_selector(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    if f.path not in (("spec",), ("spec", "selector")) or value_at(m.obj, ("spec", "selector")) is not None:
        return None  # the finding names spec.selector, the field that is missing
    op = selector_op(m)
    return None if op is None else _fix(f, [op], "selector: matchLabels from the pod template labels")


# --- enumerations ------------------------------------------------------------------


def enum_values(ctx: Context, m: Manifest, path: P) -> tuple[str, ...] | None:
    """The values the API accepts at ``path`` (a field, or an item of a list field), from
    the API data (the Service ``type`` included)."""
    field_path = path[:-1] if path and isinstance(path[-1], int) else path
    if not field_path:
        return None
    owner = ctx.type_at(m, field_path[:-1])
    if not isinstance(owner, Definition):
        return None
    enums: dict[str, tuple[str, ...]] = getattr(owner, "enums", {})
    return enums.get(str(field_path[-1]))


@planner("service-type", "invalid-value")
def enum_casing(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    value = value_at(m.obj, f.path)
    if not isinstance(value, str) or not f.path:
        return None
    allowed = enum_values(ctx, m, f.path)
    if not allowed or value in allowed:
        return None
    same = [v for v in allowed if same_word(value, v)]
    if len(same) != 1:
        return None
    return _fix(f, [Set(f.path, same[0])], f"{dotted(f.path)} {value} -> {same[0]}")


# --- values YAML 1.1 read as booleans or numbers ----------------------------------------


@planner("yaml-boolean")
def quote_value(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    value = value_at(m.obj, f.path)
    if not isinstance(value, (bool, int, float)):
        return None
    scalar_text = getattr(m.origin, "scalar_text", None)
    written = scalar_text(f.path) if callable(scalar_text) else None
    if not isinstance(written, str) or not written or "\n" in written:
        return None
    return _fix(f, [Set(f.path, written, double_quoted(written))], f"{dotted(f.path)}: {written} -> \"{written}\"")


# --- shapes, quoted numbers, field names (schema) ----------------------------------------

_INTEGER = re.compile(r"[-+]?[0-9]+\Z")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")


def unquoted(text: str, t: str) -> Any:
    """The number or boolean a quoted ``text`` stands for where the API wants type ``t``
    (None when it stands for none)."""
    if t in ("integer", "int-or-string") and _INTEGER.match(text):
        return int(text)
    if t == "number" and _NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if t == "boolean" and text in ("true", "false"):
        return text == "true"
    return None


@planner("schema")
def schema_shape(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    path = f.path
    if path == ():
        return _missing_api_version(f, ctx)
    value = value_at(m.obj, path)
    t = ctx.type_at(m, path)
    if isinstance(t, ListOf) and isinstance(t.item, Definition) and _fields_of(value, t.item):
        return _fix(f, [Wrap(path)], f"{dotted(path)}: the mapping made a list of one item")
    if (
        isinstance(t, Definition) and isinstance(value, list) and len(value) == 1
        and _fields_of(value[0], t)
    ):
        return _fix(f, [Unwrap(path)], f"{dotted(path)}: the one list item made the mapping")
    if isinstance(t, str) and isinstance(value, str):
        number = unquoted(value, t)
        if number is None or t == "int-or-string":
            return None
        return _fix(f, [Set(path, number)], f"{dotted(path)}: {double_quoted(value)} -> {yaml_scalar(number)}")
    if t is None and isinstance(path[-1], str):
        return _field_name(f, ctx, m, path)
    return None


def _fields_of(value: Any, d: Definition) -> bool:
    return isinstance(value, dict) and bool(value) and all(k in d.props for k in value)


def _field_name(f: Finding, ctx: Context, m: Manifest, path: P) -> Fix | None:
    owner = ctx.type_at(m, path[:-1])
    parent = value_at(m.obj, path[:-1])
    name = str(path[-1])
    if not isinstance(owner, Definition) or not isinstance(parent, dict) or name in owner.props:
        return None
    meant = unique_match(name, owner.props)
    if meant is None or meant in parent:
        return None
    return _fix(f, [Rename(path, meant)], f"{dotted(path)} -> {meant}", first=True)


def _missing_api_version(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    if m.obj.get("apiVersion") not in (None, "") or "apiVersion" in m.obj or not m.kind:
        return None
    served = ctx.data.kinds.get(m.kind)
    if not served or len(served) != 1 or not isinstance(m.obj.get("kind"), str):
        return None
    return _fix(f, [Insert((), "apiVersion", served[0], first=True)], f"apiVersion: {served[0]} added")


# --- names -----------------------------------------------------------------------


@planner("name")
def quoted_port_number(f: Finding, ctx: Context) -> Fix | None:
    """``targetPort: "8080"`` is an (invalid) port *name*; the number was meant."""
    m = f.manifest
    assert m is not None
    value = value_at(m.obj, f.path)
    if not f.path or f.path[-1] != "targetPort" or not isinstance(value, str) or not value.isdigit():
        return None
    if ctx.type_at(m, f.path) != "int-or-string" or facts.port_number_problems(int(value)):
        return None
    return _fix(f, [Set(f.path, int(value))], f"{dotted(f.path)}: {double_quoted(value)} -> {int(value)}")


@planner("service-ports")
def port_name(f: Finding, ctx: Context) -> Fix | None:
    """A multi-port Service port without a name gets the name the finding suggests."""
    from kubegen.checks.validation.services import suggest_port_name

    m = f.manifest
    assert m is not None
    ports = value_at(m.obj, ("spec", "ports"))
    path = f.path[:-1] if f.path[-1:] == ("name",) else f.path  # the finding names the missing field
    if len(path) != 3 or path[:2] != ("spec", "ports") or not isinstance(ports, list) or len(ports) < 2:
        return None
    port = value_at(m.obj, path)
    if not isinstance(port, dict) or "name" in port:
        return None
    taken = {p.get("name") for p in ports if isinstance(p, dict)}
    name = f.suggestion or suggest_port_name(port)
    protocol = port.get("protocol", "TCP")
    for candidate in (name, f"{name}-{str(protocol).lower()}"):
        if candidate not in taken and not facts.dns1123_label_problems(candidate):
            summary = f"{dotted(path)}: name: {candidate} added"
            return _fix(f, [Insert(path, "name", candidate, first=True)], summary)
    return None
