"""Service changes a live Service rejects (``clusterIP``) or that free a node port clients use.

- ``clusterIP`` is fixed once set: an explicit address that changes, a headless
  Service (``clusterIP: None``) that gets an address, or one that becomes headless,
  cannot be applied (``spec.clusterIPs[0]: Invalid value: ... may not change once
  set``); a Service that leaves for ``ExternalName`` gives up its address and may.
  Leaving ``clusterIP`` out of the new manifest keeps the allocated address, except
  for a headless Service, which stays headless. A LoadBalancer's ``loadBalancerClass``
  may not change either.
- ``node-port-freed``: a NodePort/LoadBalancer Service that becomes ClusterIP (or
  ExternalName), drops a port that had a nodePort, or moves a nodePort.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_NODE_PORT_TYPES = ("NodePort", "LoadBalancer")

Change = tuple[str, Sequence[str | int], str]


def service_changes(label: str, before: dict[str, Any], after: dict[str, Any], fix: str) -> list[Change]:
    """The ``immutable-field`` and ``node-port-freed`` changes from spec ``before`` to ``after``."""
    out: list[Change] = []
    old_ip, new_ip = before.get("clusterIP"), after.get("clusterIP")
    moving = "ExternalName" not in (before.get("type"), after.get("type"))
    change = None
    if moving and old_ip and new_ip and old_ip != new_ip:
        change = f"changes from {old_ip} to {new_ip}"
    elif moving and old_ip == "None" and not new_ip:
        change = "leaves out clusterIP, but the Service is headless (None): it would stay headless"
    elif moving and not old_ip and new_ip:
        change = f"becomes {new_ip}, but the live Service already has the address the cluster gave it"
    if change is not None:
        out.append(("immutable-field", ("spec", "clusterIP"), f"{label}: spec.clusterIP {change}; {fix}"))
    if before.get("type") == after.get("type") == "LoadBalancer" and \
            before.get("loadBalancerClass") != after.get("loadBalancerClass"):
        out.append(("immutable-field", ("spec", "loadBalancerClass"),
                    f"{label}: spec.loadBalancerClass changes from {before.get('loadBalancerClass') or '(none)'} to "
                    f"{after.get('loadBalancerClass') or '(none)'}; {fix}"))
    return out + _node_ports(label, before, after)


def _node_ports(label: str, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
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
            f"{label}: type changes from {old_type} to {new_type}, freeing node port(s) {ports}: "
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
                f"{label}: port {_port_name(port)} is removed, freeing node port {node_port}: clients "
                "outside the cluster that use it lose access",
            ))
        elif match.get("nodePort") and match.get("nodePort") != node_port:
            out.append((
                "node-port-freed", ("spec", "ports", index, "nodePort"),
                f"{label}: port {_port_name(port)} moves from node port {node_port} to "
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
