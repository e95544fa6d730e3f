"""Fixes decided by the rest of the stack: a dangling Service selector, a targetPort no
container serves, an Ingress backend naming a Service or port that is not there.

Each is fixed only when exactly one close match exists (:mod:`kubegen.fix.match`),
and never with ``--partial``: when the files are not the whole stack, the pods or
Services a reference means may live elsewhere.
"""

from __future__ import annotations

from typing import Any

from kubegen.checks.wiring import DEFAULT_NAMESPACE
from kubegen.checks.yamlvalues import dotted
from kubegen.finding import Finding
from kubegen.fix.match import MIN_PORT_NAME_TYPO_LENGTH, near_miss, unique_match
from kubegen.fix.ops import Insert, Op, Rename, Set
from kubegen.fix.plan import Context, Fix, planner
from kubegen.manifest import Manifest, value_at


def _fix(f: Finding, ops: list[Op], summary: str) -> Fix:
    assert f.manifest is not None
    return Fix(finding=f, manifest=f.manifest, ops=tuple(ops), summary=summary, cross_object=True)


def _namespace(m: Manifest) -> str:
    return m.namespace or DEFAULT_NAMESPACE


@planner("selector-dangling")
def selector(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    chosen = value_at(m.obj, ("spec", "selector"))
    if ctx.options.partial or f.path != ("spec", "selector") or not isinstance(chosen, dict) or not chosen:
        return None
    candidates: set[tuple[tuple[str, str, str], ...]] = set()
    for podset in ctx.index.podsets:
        if podset.namespace == _namespace(m):
            changes = _relabel(chosen, podset.labels)
            if changes:
                candidates.add(changes)
    if len(candidates) != 1:
        return None
    (changes,) = candidates
    ops: list[Op] = []
    said = []
    for what, old, new in changes:
        if what == "value":
            key, _, value = old.partition("=")
            ops.append(Set(("spec", "selector", key), new))
            said.append(f"{key}={value} -> {key}={new}")
        else:
            ops.append(Rename(("spec", "selector", old), new))
            said.append(f"{old}= -> {new}=")
    return _fix(f, ops, f"spec.selector {', '.join(said)}")


def _relabel(chosen: dict[str, Any], labels: dict[str, Any]) -> tuple[tuple[str, str, str], ...] | None:
    """The slips to mend so that ``chosen`` selects pods labelled ``labels``: each a value or
    a key one slip off; None when it would take more than that."""
    changes: list[tuple[str, str, str]] = []
    for key, value in chosen.items():
        if not isinstance(key, str) or not isinstance(value, str):
            return None
        have = labels.get(key)
        if have == value:
            continue
        if isinstance(have, str) and near_miss(value, have):
            changes.append(("value", f"{key}={value}", have))
            continue
        keys = [
            k for k, v in labels.items()
            if v == value and k not in chosen and isinstance(k, str) and near_miss(key, k)
        ]
        if len(keys) != 1:
            return None
        changes.append(("key", key, keys[0]))
    return tuple(changes) or None


@planner("target-port")
def target_port(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    if ctx.options.partial or len(f.path) != 4 or f.path[:2] != ("spec", "ports"):
        return None
    port = value_at(m.obj, f.path[:3])
    chosen = value_at(m.obj, ("spec", "selector"))
    if not isinstance(port, dict) or not isinstance(chosen, dict):
        return None
    selected = ctx.index.serving(_namespace(m), chosen)
    if not selected:
        return None
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, str):
        common = set.intersection(*(
            {p["name"] for p in ps.declared_ports() if isinstance(p.get("name"), str)} for ps in selected
        ))
        meant = unique_match(target, common, MIN_PORT_NAME_TYPO_LENGTH)
        if meant is None or f.path[3] != "targetPort":
            return None
        return _fix(f, [Set(f.path, meant)], f"{dotted(f.path)} {target} -> {meant}")
    if not isinstance(target, int) or isinstance(target, bool):
        return None
    declared = [p for ps in selected for p in ps.declared_ports()]
    if any(p.get("containerPort") == target for p in declared):
        return None
    mapped = {p.get("containerPort") for p in declared if p.get("hostPort") == target}
    if len(mapped) != 1:
        return None
    (number,) = mapped
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    summary = f"targetPort {target} (a hostPort) -> {number} (its containerPort)"
    if f.path[3] == "targetPort":
        return _fix(f, [Set(f.path, number)], f"spec.ports[{f.path[2]}].{summary}")
    return _fix(f, [Insert(f.path[:3], "targetPort", number, after="port")], f"spec.ports[{f.path[2]}].{summary}")


@planner("ingress-backend")
def ingress_backend(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    if ctx.options.partial or len(f.path) < 2 or f.path[-2] != "service":
        return None
    namespace = _namespace(m)
    services: dict[tuple[str, str], Manifest] = ctx.index.services
    if f.path[-1] == "name":
        name = value_at(m.obj, f.path)
        if not isinstance(name, str):
            return None
        meant = unique_match(name, [n for (ns, n) in services if ns == namespace])
        if meant is None:
            return None
        return _fix(f, [Set(f.path, meant)], f"{dotted(f.path)} {name} -> {meant}")
    if f.path[-1] != "port":
        return None
    ref = value_at(m.obj, f.path)
    name = value_at(m.obj, (*f.path[:-1], "name"))
    service = services.get((namespace, name)) if isinstance(name, str) else None
    ports = value_at(service.obj, ("spec", "ports")) if service is not None else None
    if not isinstance(ref, dict) or not isinstance(ports, list):
        return None
    ports = [p for p in ports if isinstance(p, dict)]
    number, port_name = ref.get("number"), ref.get("name")
    if isinstance(number, int) and not isinstance(number, bool):
        # the container's port given where the Service's port belongs
        assert service is not None
        by_target = [p.get("port") for p in ports if number in _container_ports(ctx, service, p)]
        if len(by_target) != 1 or not isinstance(by_target[0], int):
            return None
        return _fix(f, [Set((*f.path, "number"), by_target[0])],
                    f"{dotted((*f.path, 'number'))} {number} (the targetPort) -> {by_target[0]} (the Service port)")
    if isinstance(port_name, str):
        names = [p["name"] for p in ports if isinstance(p.get("name"), str)]
        meant = unique_match(port_name, names, MIN_PORT_NAME_TYPO_LENGTH)
        if meant is None:
            return None
        return _fix(f, [Set((*f.path, "name"), meant)], f"{dotted((*f.path, 'name'))} {port_name} -> {meant}")
    return None


def _container_ports(ctx: Context, service: Manifest, port: dict[str, Any]) -> set[Any]:
    """The container port numbers a Service port sends traffic to: its targetPort, by
    number or by the name the selected pods declare (default: the port itself)."""
    target = port.get("targetPort", port.get("port"))
    if not isinstance(target, str):
        return {target}
    selector = value_at(service.obj, ("spec", "selector"))
    if not isinstance(selector, dict) or not selector:
        return set()
    return {
        declared.get("containerPort")
        for podset in ctx.index.serving(_namespace(service), selector)
        for declared in podset.declared_ports() if declared.get("name") == target
    }
