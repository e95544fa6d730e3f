"""Scheduling pods onto nodes and handing out IPs and node ports, deterministically."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from kubegen.checks.wiring import DEFAULT_NAMESPACE, StackIndex
from kubegen.errors import UsageError
from kubegen.manifest import Manifest, pod_template
from kubegen.network.model import (
    LB_POOL,
    MAX_PODS_PER_NODE,
    NODE_NETWORK,
    Node,
    PodInstance,
    ServiceModel,
    Workload,
)

_SAFE = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet of Kubernetes' generated name suffixes


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _allocate(
    keys: Iterable[str], first: int, size: int, taken: set[int], usable: Callable[[int], bool]
) -> dict[str, int | None]:
    """Hash each key into ``first .. first+size-1``, probing past taken/unusable values."""
    result: dict[str, int | None] = {}
    for key in sorted(keys):
        start = _hash(key) % size if size > 0 else 0
        result[key] = None
        for step in range(size):
            value = first + (start + step) % size
            if value not in taken and usable(value):
                taken.add(value)
                result[key] = value
                break
    return result


def _host_ip(value: int) -> bool:
    return value % 256 not in (0, 255)


def autoscaled_minimums(manifests: Sequence[Manifest]) -> dict[tuple[str, str, str], int]:
    """(kind, namespace, name) -> the fewest replicas an autoscaler keeps the workload at
    (its ``minReplicas``, default 1): the autoscaler raises a smaller count to it."""
    found: dict[tuple[str, str, str], int] = {}
    for m in manifests:
        spec = m.obj.get("spec") if m.kind == "HorizontalPodAutoscaler" else None
        if not isinstance(spec, dict):
            continue
        ref = spec.get("scaleTargetRef")
        if isinstance(ref, dict) and isinstance(ref.get("kind"), str) and isinstance(ref.get("name"), str):
            minimum = spec.get("minReplicas", 1)
            key = (ref["kind"], m.namespace or DEFAULT_NAMESPACE, ref["name"])
            value = minimum if isinstance(minimum, int) and not isinstance(minimum, bool) and minimum > 0 else 1
            found[key] = max(found.get(key, 0), value)
    return found


def _replicas(m: Manifest, nodes: int, minimums: dict[tuple[str, str, str], int]) -> int:
    counted = _counted(m, nodes)
    least = minimums.get((m.kind, m.namespace or DEFAULT_NAMESPACE, m.name))
    return counted if least is None else max(counted, least)


def _counted(m: Manifest, nodes: int) -> int:
    raw = m.obj.get("spec")
    spec: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if m.kind == "Pod":
        return 1
    if m.kind == "DaemonSet":
        return nodes
    if m.kind == "CronJob":
        return 0
    value = spec.get("parallelism" if m.kind == "Job" else "replicas", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 1


def _suffix(seed: str, length: int) -> str:
    number = _hash(seed)
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(_SAFE))
        chars.append(_SAFE[digit])
    return "".join(chars)


def _pod_name(w: Workload, i: int) -> str:
    m = w.manifest
    if m.kind == "Pod":
        return m.name
    if m.kind == "StatefulSet":
        return f"{m.name}-{i}"
    seed = f"{w.namespace}/{m.kind}/{m.name}"
    if m.kind == "Deployment":
        template = json.dumps(w.podset.labels, sort_keys=True, default=str) + json.dumps(
            w.podset.containers, sort_keys=True, default=str
        )
        return f"{m.name}-{_suffix(seed + template, 10)}-{_suffix(f'{seed}/{i}', 5)}"
    return f"{m.name}-{_suffix(f'{seed}/{i}', 5)}"


def schedule(index: StackIndex, nodes: list[Node],
             minimums: dict[tuple[str, str, str], int] | None = None) -> list[Workload]:
    """Pods round-robin over the nodes (as many as the workload asks for, or its
    autoscaler's minimum when that is more); pod IPs from each node's /24 starting at .2."""
    workloads = [Workload(p.manifest, p, _replicas(p.manifest, len(nodes), minimums or {})) for p in index.podsets
                 if not p.declared]
    workloads.sort(key=lambda w: (w.namespace, w.name, w.kind))
    used = [0] * len(nodes)
    capacity = min(MAX_PODS_PER_NODE, 253)
    turn = 0
    for w in workloads:
        template = pod_template(w.manifest) or {}
        host_network = isinstance(template.get("spec"), dict) and template["spec"].get("hostNetwork") is True
        for i in range(w.replicas):
            if w.kind == "DaemonSet":
                candidates = [i]
            else:
                candidates = [(turn + step) % len(nodes) for step in range(len(nodes))]
            k = next((c for c in candidates if used[c] < capacity), None)
            name = _pod_name(w, i)
            if k is None:
                w.pods.append(PodInstance(name, None, None))
                continue
            node = nodes[k]
            if host_network:
                ip = node.ip
            else:
                ip = str(ipaddress.IPv4Network(node.pod_cidr)[2 + used[k]])
            used[k] += 1
            if w.kind != "DaemonSet":
                turn = k + 1
            w.pods.append(PodInstance(name, ip, node.name))
    return workloads



def assign_addresses(
    services: list[ServiceModel], net: ipaddress.IPv4Network, node_port_range: tuple[int, int]
) -> None:
    base = int(net.network_address)
    taken = {base, base + 1, int(net.broadcast_address)}
    wanted: list[ServiceModel] = []
    for svc in services:
        if svc.type == "ExternalName":
            continue
        explicit = svc.spec.get("clusterIP")
        if explicit == "None":
            svc.cluster_ip = "None"
            continue
        try:
            fixed = ipaddress.IPv4Address(explicit) if isinstance(explicit, str) and explicit else None
        except ValueError:
            fixed = None
        if fixed is not None:
            svc.cluster_ip = str(fixed)
            taken.add(int(fixed))
        else:
            wanted.append(svc)
    got = _allocate((s.key for s in wanted), base + 2, net.num_addresses - 3, taken, _host_ip)
    for svc in wanted:
        value = got[svc.key]
        if value is None:
            raise UsageError(f"--service-cidr {net}: no room for {len(services)} Services; use a larger network")
        svc.cluster_ip = str(ipaddress.IPv4Address(value))
    low, high = node_port_range
    claimed = {p.node_port for s in services for p in s.ports if p.node_port}
    missing = {f"{s.key}/{i}": p for s in services for i, p in enumerate(s.ports)
               if s.type in ("NodePort", "LoadBalancer") and not p.node_port}
    for key, value in _allocate(missing, low, high - low + 1, set(claimed), lambda v: True).items():
        missing[key].node_port, missing[key].node_port_assigned = value, value is not None
    lb_taken: set[int] = set()
    balancers = [s for s in services if s.type == "LoadBalancer"]
    for svc in balancers:
        fixed_lb = svc.spec.get("loadBalancerIP")
        if isinstance(fixed_lb, str) and fixed_lb:
            svc.external_ip = fixed_lb
    pool = _allocate((s.key for s in balancers if s.external_ip is None), LB_POOL[0],
                     LB_POOL[1] - LB_POOL[0] + 1, lb_taken, lambda v: True)
    for svc in balancers:
        if svc.external_ip is None:
            octet = pool[svc.key]
            svc.external_ip = "<pending>" if octet is None else str(NODE_NETWORK[octet])
