"""``kubegen graph``: the simulated network as a picture.

:func:`build_graph` turns a :class:`~kubegen.network.Network` into a small graph in five
columns, left to right:

0. ``outside the cluster`` (only when something is reachable from outside);
1. entry points: Ingresses, node ports (every node's IP), load balancers;
2. Services (and a red placeholder for a Service an Ingress names but the stack lacks);
3. workloads (and a red placeholder when a selector matches no pods);
4. pods, grouped by the node they run on (more than :data:`MAX_PODS_SHOWN` pods of one
   workload on one node are drawn as one box).

Edges carry the ports (``80 → http(8080)``); edges on a broken route are ``broken``
(drawn red and dashed), and so are routes a NetworkPolicy blocks, labelled with the
policy's name (``✗ blocked by NetworkPolicy default-deny``); a Service → workload edge
that policies open to some sources only says which (``NetworkPolicy: only from web``).
Emitters: :func:`kubegen.graph.mermaid.to_mermaid`, :func:`kubegen.graph.dot.to_dot`,
:func:`kubegen.graph.svg.to_svg`.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from kubegen.network import Backend, Network, PodInstance, ServiceModel, ServicePortModel, Verdict

MAX_PODS_SHOWN = 4
MAX_NODE_IPS_SHOWN = 3


@attrs.frozen
class GraphNode:
    """A box: ``kind`` is outside, ingress, entry, service, workload, pod or missing."""

    id: str
    kind: str
    lines: tuple[str, ...]
    column: int
    group: str | None = None
    broken: bool = False


@attrs.frozen
class GraphEdge:
    source: str
    target: str
    label: str | None = None
    broken: bool = False


@attrs.frozen
class Group:
    """A frame around pods: one per node (and one for Pending pods)."""

    id: str
    title: str


@attrs.define
class Graph:
    title: str
    nodes: list[GraphNode] = attrs.Factory(list)
    edges: list[GraphEdge] = attrs.Factory(list)
    groups: list[Group] = attrs.Factory(list)

    def add(self, node: GraphNode) -> str:
        self.nodes.append(node)
        return node.id


def _port(port: ServicePortModel) -> str:
    """``80``, or ``53/UDP`` for any protocol but TCP."""
    return str(port.port) if port.protocol == "TCP" else f"{port.port}/{port.protocol}"


def _port_label(port: ServicePortModel, container_port: int | None) -> str:
    target = port.target_port
    if container_port is None:
        return f"{_port(port)} → {target} (missing)"
    if isinstance(target, str):
        return f"{_port(port)} → {target}({container_port})"
    return f"{_port(port)} → {container_port}"


def _node_ips(network: Network, svc: ServiceModel, port: ServicePortModel) -> str:
    ips = [a.rsplit(":", 1)[0] for a in network.node_addresses(svc, port)]
    if len(ips) > MAX_NODE_IPS_SHOWN:
        return f"{ips[0]} … {ips[-1]} ({len(ips)} nodes)"
    return ", ".join(ips) or "no node (no local pods)"


def _policy_note(verdict: Verdict | None) -> tuple[str, bool]:
    """What a NetworkPolicy adds to an edge's label, and whether it blocks the edge."""
    if verdict is None or verdict.allowed:
        return "", False
    names = ", ".join(verdict.policies)
    if verdict.allowed is None:
        return f" (? NetworkPolicy {names})", False
    return f" ✗ blocked by NetworkPolicy {names}", True


def _backend_note(b: Backend) -> tuple[str, bool]:
    """A Service → workload edge: blocked when no source may reach the pods; else the
    sources policies let in, when they are not all of them."""
    if not b.access:
        return "", False
    allowed = [v.source for v in b.access if v.allowed]
    if not allowed:
        maybe = [v for v in b.access if v.allowed is None]
        if maybe:
            return f" (? NetworkPolicy {', '.join(sorted({p for v in maybe for p in v.policies}))})", False
        names = b.isolated_by or sorted({p for v in b.access for p in v.policies})
        return f" ✗ blocked by NetworkPolicy {', '.join(names)}", True
    if len(allowed) == len(b.access):
        return "", False
    shown = ", ".join(a.split("/", 1)[-1] for a in allowed[:3]) + (" …" if len(allowed) > 3 else "")
    return f" (NetworkPolicy: only from {shown})", False


def _service_name(svc: ServiceModel, several: bool) -> str:
    return f"{svc.namespace}/{svc.name}" if several else svc.name


def build_graph(network: Network) -> Graph:
    """The graph of ``network`` (see the module docstring); deterministic."""
    several = len({s.namespace for s in network.services} | {w.namespace for w in network.workloads}) > 1
    graph = Graph(f"cluster (simulated: {len(network.nodes)} nodes, service CIDR {network.options.service_cidr})")
    entries: list[str] = []
    svc_id = {id(s): f"svc{i}" for i, s in enumerate(network.services)}
    for ing in network.ingresses:
        cls = f"class {ing.class_name}" if ing.class_name else "no class"
        iid = graph.add(GraphNode(f"ing{len(entries)}", "ingress",
                                  (f"Ingress {ing.name}", cls), 1))
        entries.append(iid)
        for route in ing.routes:
            where = route.where if route.path is None else f"{route.host or ''}{route.path}"
            wanted = route.service_port if route.service_port is not None else "?"
            target = svc_id.get(id(route.service)) if route.service is not None else None
            if target is None:
                target = graph.add(GraphNode(f"missing{len(graph.nodes)}", "missing",
                                             (f"Service {route.service_name}", "not in the stack"), 2, broken=True))
            note, blocked = _policy_note(
                None if route.port is None else network.policy_verdict(route.port, "ingress-controller"))
            graph.edges.append(GraphEdge(iid, target, f"{where} → {wanted}{note}", route.broken or blocked))
    for svc in network.services:
        balancers = [("load balancer", svc.external_ip or "<pending>")] if svc.type == "LoadBalancer" else []
        for title, address in balancers + [("external IP", ip) for ip in svc.external_ips]:
            eid = graph.add(GraphNode(f"ext{len(entries)}", "entry", (title, address), 1))
            entries.append(eid)
            for port in svc.ports:
                note, blocked = _policy_note(network.policy_verdict(port, "outside"))
                graph.edges.append(GraphEdge(eid, svc_id[id(svc)], f":{port.port} → {_port(port)}{note}",
                                             port.broken or blocked))
        for port in svc.ports:
            if port.node_port:
                eid = graph.add(GraphNode(f"np{len(entries)}", "entry",
                                          (f"node port {port.node_port}", _node_ips(network, svc, port)), 1))
                entries.append(eid)
                note, blocked = _policy_note(network.policy_verdict(port, "outside"))
                clash = any(f.rule == "node-port" for f in port.findings)
                graph.edges.append(GraphEdge(eid, svc_id[id(svc)], f":{port.node_port} → {_port(port)}{note}",
                                             port.broken or blocked or clash))
    if entries:
        graph.nodes.insert(0, GraphNode("outside", "outside", ("outside the cluster",), 0))
        graph.edges[:0] = [GraphEdge("outside", e) for e in entries]
    wl_id = {id(w): f"wl{i}" for i, w in enumerate(network.workloads)}
    for svc in network.services:
        graph.add(GraphNode(svc_id[id(svc)], "service", _service_lines(svc, several), 2,
                            broken=any(f.severity == "error" for f in svc.findings)))
        _service_edges(graph, svc, svc_id[id(svc)], wl_id)
    for w in network.workloads:
        name = f"{w.namespace}/{w.name}" if several else w.name
        replicas = f"{w.replicas} replica{'' if w.replicas == 1 else 's'}"
        graph.add(GraphNode(wl_id[id(w)], "workload", (f"{w.kind} {name}", replicas), 3))
    _pods(graph, network, wl_id)
    return graph


def _service_lines(svc: ServiceModel, several: bool) -> tuple[str, ...]:
    name = f"Service {_service_name(svc, several)}"
    if svc.type == "ExternalName":
        return (name, f"ExternalName → {svc.external_name}")
    ip = "headless" if svc.cluster_ip == "None" else svc.cluster_ip
    return (name, f"{svc.type} {ip}")


def _service_edges(graph: Graph, svc: ServiceModel, sid: str, wl_id: dict[int, str]) -> None:
    if svc.selector and not svc.workloads and svc.type != "ExternalName":
        selector = ", ".join(f"{k}={v}" for k, v in svc.selector.items())
        broken = not svc.declared  # pods declared External: made elsewhere, not missing
        lines = ("no pods match", selector) if broken else (*svc.declared, "made elsewhere")
        mid = graph.add(GraphNode(f"nopods{len(graph.nodes)}", "missing", lines, 3, broken=broken))
        for port in svc.ports:
            graph.edges.append(GraphEdge(sid, mid, f"{_port(port)} → {port.target_port}", broken))
        return
    for port in svc.ports:
        for b in port.backends:
            broken = b.container_port is None or any(f.severity == "error" for f in port.findings)
            note, blocked = _backend_note(b)
            graph.edges.append(GraphEdge(sid, wl_id[id(b.workload)], _port_label(port, b.container_port) + note,
                                         broken or blocked))


def _chunks(pods: Sequence[PodInstance]) -> list[tuple[str, ...]]:
    if len(pods) <= MAX_PODS_SHOWN:
        return [(p.name, p.ip or "Pending") for p in pods]
    first, last = pods[0], pods[-1]
    ips = f"{first.ip} … {last.ip}" if first.ip else "no IP"
    return [(f"{len(pods)} pods", ips)]


def _pods(graph: Graph, network: Network, wl_id: dict[int, str]) -> None:
    frames = [(n.name, f"{n.name}  {n.ip}  pods {n.pod_cidr}") for n in network.nodes]
    if any(p.node is None for w in network.workloads for p in w.pods):
        frames.append((None, "Pending: no node has room"))  # type: ignore[arg-type]
    count = 0
    for node_name, title in frames:
        gid = f"group{len(graph.groups)}"
        members = [(w, [p for p in w.pods if p.node == node_name]) for w in network.workloads]
        members = [(w, pods) for w, pods in members if pods]
        if not members:
            continue
        graph.groups.append(Group(gid, title))
        for w, pods in members:
            for lines in _chunks(pods):
                pid = graph.add(GraphNode(f"pod{count}", "pod", lines, 4, group=gid, broken=node_name is None))
                count += 1
                graph.edges.append(GraphEdge(wl_id[id(w)], pid))


__all__ = ["Graph", "GraphEdge", "GraphNode", "Group", "build_graph"]
