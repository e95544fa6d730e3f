"""Warnings for changes ``kubectl apply`` cannot make to a live object, or that cut clients off.

Compares each object file render is about to rewrite with the file already there
(the state the cluster was last synced to):

- ``immutable-field``: a workload's ``spec.selector`` (Deployment, StatefulSet,
  DaemonSet, ReplicaSet, Job), a StatefulSet's ``serviceName``,
  ``podManagementPolicy`` or ``volumeClaimTemplates``, a Service's ``clusterIP``.
  The API server rejects the update ("field is immutable"); the object has to be
  deleted and recreated.
- ``node-port-freed``: a Service leaves NodePort/LoadBalancer for ClusterIP (or
  ExternalName), drops a port that had a nodePort, or moves a nodePort: clients
  outside the cluster that use the old node port lose it.

Each warning points at the field's line in the existing file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml  # type: ignore[import-untyped]

from kubegen.checks import Finding
from kubegen.location import Location

SELECTOR_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})
_STATEFULSET_FIXED = ("serviceName", "podManagementPolicy", "volumeClaimTemplates")
_NODE_PORT_TYPES = ("NodePort", "LoadBalancer")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def update_warnings(
    changed: Iterable[tuple[str, str, bytes, dict[str, Any]]],
) -> list[Finding]:
    """Findings for each ``(shown_path, path, old_bytes, new_obj)`` rewrite."""
    findings: list[Finding] = []
    for shown, _path, old_bytes, new in changed:
        kind = new.get("kind")
        if kind not in SELECTOR_KINDS and kind != "Service":
            continue
        text = old_bytes.decode("utf-8", "replace")
        try:
            old = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError:
            continue  # a hand-mangled file: `kubegen check` reports it, nothing to compare
        if not isinstance(old, dict) or old.get("kind") != kind:
            continue
        found = _compare(old, new)
        for rule, path, message in found:
            findings.append(
                Finding(rule=rule, severity="warning", message=message, where=Location(shown, _line(text, path)))
            )
    return findings


def _spec(obj: Mapping[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _label(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    ns = meta.get("namespace") if isinstance(meta, dict) else None
    return f"{obj.get('kind')} {name!r}" + (f" (namespace {ns})" if ns else "")


def _recreate(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    ns = f" -n {meta['namespace']}" if meta.get("namespace") else ""
    return f"kubectl delete {str(obj.get('kind')).lower()} {meta.get('name')}{ns}"


def _compare(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Sequence[str | int], str]]:
    kind = new.get("kind")
    before, after = _spec(old), _spec(new)
    out: list[tuple[str, Sequence[str | int], str]] = []
    fix = f"the API server rejects the update (field is immutable), so `kubectl apply` fails: delete and " \
          f"recreate it ({_recreate(new)}, then apply) or keep the old value"
    if kind in SELECTOR_KINDS and before.get("selector") != after.get("selector") and (
        kind != "Job" or (before.get("selector") is not None and after.get("selector") is not None)
    ):
        out.append((
            "immutable-field", ("spec", "selector"),
            f"{_label(new)}: spec.selector changes from {_show(before.get('selector'))} to "
            f"{_show(after.get('selector'))}; {fix}",
        ))
    if kind == "StatefulSet":
        for field in _STATEFULSET_FIXED:
            if before.get(field) != after.get(field):
                out.append((
                    "immutable-field", ("spec", field),
                    f"{_label(new)}: spec.{field} changes from {_show(before.get(field))} to "
                    f"{_show(after.get(field))}; {fix}",
                ))
    if kind == "Service":
        out.extend(_service(new, before, after, fix))
    return out


def _service(
    new: Mapping[str, Any], before: dict[str, Any], after: dict[str, Any], fix: str
) -> list[tuple[str, Sequence[str | int], str]]:
    out: list[tuple[str, Sequence[str | int], str]] = []
    old_ip, new_ip = before.get("clusterIP"), after.get("clusterIP")
    if old_ip and new_ip and old_ip != new_ip and after.get("type") != "ExternalName":
        out.append((
            "immutable-field", ("spec", "clusterIP"),
            f"{_label(new)}: spec.clusterIP changes from {old_ip} to {new_ip}; {fix}",
        ))
    old_type = before.get("type") or "ClusterIP"
    new_type = after.get("type") or "ClusterIP"
    if old_type not in _NODE_PORT_TYPES:
        return out
    old_ports = [p for p in before.get("ports") or [] if isinstance(p, dict)]
    claimed = [p.get("nodePort") for p in old_ports if p.get("nodePort")]
    if new_type not in _NODE_PORT_TYPES:
        ports = ", ".join(str(n) for n in claimed) if claimed else "the node ports the cluster assigned"
        out.append((
            "node-port-freed", ("spec", "type"),
            f"{_label(new)}: type changes from {old_type} to {new_type}, freeing node port(s) {ports}: "
            "clients outside the cluster that use them lose access; keep the type, or move clients first",
        ))
        return out
    new_ports = [p for p in after.get("ports") or [] if isinstance(p, dict)]
    for index, port in enumerate(old_ports):
        node_port = port.get("nodePort")
        if not node_port:
            continue
        match = _same_port(port, new_ports)
        if match is None:
            out.append((
                "node-port-freed", ("spec", "ports", index, "nodePort"),
                f"{_label(new)}: port {_port_name(port)} is removed, freeing node port {node_port}: clients "
                "outside the cluster that use it lose access",
            ))
        elif match.get("nodePort") and match.get("nodePort") != node_port:
            out.append((
                "node-port-freed", ("spec", "ports", index, "nodePort"),
                f"{_label(new)}: port {_port_name(port)} moves from node port {node_port} to "
                f"{match.get('nodePort')}: clients outside the cluster that use {node_port} lose access",
            ))
    return out


def _same_port(port: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The port of the new Service that is the old ``port`` (same name, else same number/protocol)."""
    if port.get("name"):
        for cand in candidates:
            if cand.get("name") == port.get("name"):
                return cand
    key = (port.get("port"), port.get("protocol") or "TCP")
    for cand in candidates:
        if (cand.get("port"), cand.get("protocol") or "TCP") == key:
            return cand
    return None


def _port_name(port: Mapping[str, Any]) -> str:
    return repr(port["name"]) if port.get("name") else str(port.get("port"))


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict) and set(value) == {"matchLabels"} and isinstance(value["matchLabels"], dict):
        value = value["matchLabels"]
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _line(text: str, path: Sequence[str | int]) -> int:
    """1-based line of ``path`` in the YAML ``text`` (the deepest part of it that exists)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return 0
    if node is None:
        return 0
    line: int = node.start_mark.line + 1
    for key in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    line = k.start_mark.line + 1
                    child = v
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
