"""``kubegen explain``: a stack's networking as text or JSON, from the simulated network.

The text form starts with the nodes and a ``kubectl get services``-style table, then
per Service: the workloads its selector picks, per port the endpoints (pod IP:container
port, pod, node) and every address that reaches it, with the findings that break the
route printed on it; then the Ingresses.

JSON schema (``"schema": "kubegen.explain/v1"``; keys are stable, lists are sorted)::

    {
      "schema": "kubegen.explain/v1",
      "cluster": {"serviceCIDR": str, "podCIDR": str, "clusterDomain": str, "apiServerIP": str,
                  "nodes": [{"name": str, "ip": str, "podCIDR": str}]},
      "workloads": [{"namespace": str, "kind": str, "name": str, "replicas": int, "source": str,
                     "pods": [{"name": str, "ip": str|null, "node": str|null}],
                     "dnsBlockedBy": [str]}],             # egress policies leaving it no DNS
      "services": [{
        "namespace": str, "name": str, "type": str, "source": "file:line",
        "clusterIP": str|null ("None": headless), "externalIP": str|null ("<pending>"),
        "externalIPs": [str], "externalName": str|null, "dns": str,
        "selector": {str: str}|null, "workloads": ["Kind/name"],
        "declared": [str],                                # pods declared External that it selects
        "ports": [{"name": str|null, "protocol": str, "port": int, "targetPort": int|str,
                   "nodePort": int|null, "nodePortAssigned": bool, "broken": bool,
                   "endpoints": [{"workload": "Kind/name", "containerPort": int|null,
                                  "addresses": ["podIP:containerPort"],
                                  "isolatedBy": [str],            # NetworkPolicies isolating its pods
                                  "access": [Verdict]}],          # per source, when a policy is involved
                   "reach": [{"via": "dns"|"cluster-ip"|"node-port"|"load-balancer"|"external-ip",
                              "address": "host:port", "blocked": bool|null, "blockedBy": [str]}],
                   "ingress": [{"ingress": str, "host": str|null, "path": str|null,
                                "pathType": str|null, "tls": bool, "blocked": bool|null,
                                "blockedBy": [str]}],
                   "findings": [Finding]}],
        "findings": [Finding]}],
      "ingresses": [{"namespace": str, "name": str, "class": str|null, "source": str,
                     "routes": [{"host": str|null, "path": str|null, "pathType": str|null,
                                 "tls": bool, "service": str, "port": int|str|null,
                                 "broken": bool, "blocked": bool|null, "blockedBy": [str],
                                 "findings": [Finding]}]}],
      "networkPolicies": [{"namespace": str, "name": str, "source": str, "podSelector": {...},
                           "policyTypes": ["Ingress"|"Egress"], "workloads": ["Kind/name"]}],
      "findings": [Finding]      # findings that break no route (other rules)
    }

``Verdict`` is ``{"source": "Kind/name"|"outside"|"ingress-controller", "allowed": bool|null,
"policies": [str], "note": str|null}``: ``allowed`` null means it depends on the cluster
(``note`` says on what, e.g. the Ingress controller's namespace); ``policies`` are the
NetworkPolicies that allow it, or that block it. ``blocked`` on a reach entry or route is
true when NetworkPolicies let no such client reach any of the port's pods (``dns`` and
``cluster-ip``: no workload of the stack; ``node-port``, ``load-balancer``,
``external-ip``: no client outside the cluster; ``ingress``: not the Ingress controller),
null when it depends, and ``blockedBy`` names the policies.

``Finding`` is ``{"file", "line", "severity", "rule", "message", "object", "path"}``
as ``kubegen lint --format json`` prints it.
"""

from __future__ import annotations

import json
from typing import Any

from kubegen.escape import escape
from kubegen.finding import Finding
from kubegen.finding import flow_labels as _flow
from kubegen.finding import plural as _plural
from kubegen.network import (
    MAX_PODS_PER_NODE,
    Backend,
    IngressModel,
    IngressRoute,
    Network,
    ServiceModel,
    ServicePortModel,
    Verdict,
    Workload,
)

SCHEMA = "kubegen.explain/v1"
MAX_PODS_SHOWN = 8  # per endpoint in the text form; JSON lists every pod
_VIA = {"dns": "in cluster", "cluster-ip": "cluster IP", "node-port": "node port",
        "load-balancer": "load balancer", "external-ip": "external IP"}


def _ref(w: Workload) -> str:
    return f"{w.kind}/{w.name}"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["   ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def _external(svc: ServiceModel) -> str:
    if svc.type == "ExternalName":
        return svc.external_name or "<none>"
    shown = ([svc.external_ip] if svc.external_ip else []) + svc.external_ips
    return ",".join(shown) if shown else "<none>"


def _services_table(network: Network) -> list[str]:
    several = len({s.namespace for s in network.services}) > 1
    header = ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)"]
    rows = [(["NAMESPACE"] if several else []) + header]
    for svc in network.services:
        ports = ",".join(p.spec for p in svc.ports) or "<none>"
        row = [svc.name, svc.type, svc.cluster_ip or "<none>", _external(svc), ports]
        rows.append(([svc.namespace] if several else []) + row)
    return _table(rows)


def _finding_lines(findings: list[Finding], indent: str) -> list[str]:
    return [f"{indent}✗ {f.severity} {f.rule} ({f.location}): {f.message}" for f in findings]




_SOURCES = {"outside": "outside the cluster", "ingress-controller": "the Ingress controller",
            "cluster": "every pod of the stack"}
_EXTERNAL_VIAS = ("node-port", "load-balancer", "external-ip")


def _source(name: str) -> str:
    return _SOURCES.get(name) or name.replace("/", " ", 1)


def _policies(names: list[str]) -> str:
    return f"NetworkPolic{'y' if len(names) == 1 else 'ies'} {', '.join(names)}"


def _verdict_text(verdict: Verdict | None) -> str:
    """What a reach line adds: nothing when no policy is involved or it is allowed."""
    if verdict is None or verdict.allowed:
        return ""
    if verdict.allowed is None:
        return f"   ? {verdict.note or 'depends on the cluster'} ({_policies(verdict.policies)})"
    return f"   ✗ blocked by {_policies(verdict.policies)}"


def _only_from(port: ServicePortModel) -> str:
    """``   only from Deployment web`` when policies let some workloads of the stack in, not all."""
    verdicts = [v for b in port.backends for v in b.access if "/" in v.source]
    allowed = sorted({v.source for v in verdicts if v.allowed})
    if not allowed or len(allowed) == len({v.source for v in verdicts}):
        return ""
    shown = ", ".join(_source(a) for a in allowed[:MAX_PODS_SHOWN])
    more = f" and {len(allowed) - MAX_PODS_SHOWN} more" if len(allowed) > MAX_PODS_SHOWN else ""
    return f"   only from {shown}{more} (NetworkPolicy)"


def _access_lines(b: Backend) -> list[str]:
    """Which sources the NetworkPolicies let reach ``b``'s pods, grouped by verdict."""
    if b.isolated_by:
        lines = [f"      isolated by {_policies(b.isolated_by)}: only what their rules allow reaches these pods"]
    else:
        lines = ["      NetworkPolicy: the egress policies of some clients apply"]
    groups: dict[tuple[bool | None, tuple[str, ...], str | None], list[str]] = {}
    for v in b.access:
        groups.setdefault((v.allowed, tuple(v.policies), v.note), []).append(_source(v.source))
    marks = {True: "✓ allowed", False: "✗ blocked", None: "? depends"}
    for (allowed, policies, note), sources in sorted(groups.items(), key=lambda kv: (kv[0][0] is not True,
                                                                                  kv[0][0] is None, kv[0][1])):
        shown = ", ".join(sources[:MAX_PODS_SHOWN]) + (f" and {len(sources) - MAX_PODS_SHOWN} more"
                                                        if len(sources) > MAX_PODS_SHOWN else "")
        why = f" ({note})" if note else ""
        by = f"   {'by' if allowed is not True else 'via'} {', '.join(policies)}" if policies else ""
        lines.append(f"        {marks[allowed]:<10} from {shown}{why}{by}")
    return lines


def _port_lines(network: Network, svc: ServiceModel, port: ServicePortModel) -> list[str]:
    name = f" ({port.name})" if port.name else ""
    lines = [f"  port {port.port}/{port.protocol}{name} → targetPort {port.target_port}"]
    if port.node_port_assigned:
        lines.append(f"    nodePort {port.node_port} is simulated: the cluster picks one when you apply")
    for b in port.backends:
        running = b.workload.running
        if b.container_port is None:
            lines.append(f"    {b.workload.kind} {b.workload.name}: no container port named "
                         f"{port.target_port!r}, no traffic reaches its pods")
            continue
        lines.append(f"    {b.workload.kind} {b.workload.name}: containerPort {b.container_port}, "
                     f"{_plural(len(running), 'endpoint')}")
        for pod in running[:MAX_PODS_SHOWN]:
            lines.append(f"      {pod.ip}:{b.container_port}   {pod.name}   on {pod.node}")
        if len(running) > MAX_PODS_SHOWN:
            lines.append(f"      … and {len(running) - MAX_PODS_SHOWN} more (--format json lists every pod)")
        if b.access:
            lines.extend(_access_lines(b))
    lines.extend(_finding_lines(port.findings, "    "))
    lines.append("    reach it:")
    only = _only_from(port)
    for via, address in network.reach(svc, port):
        source = "outside" if via in _EXTERNAL_VIAS else "cluster"
        verdict = _verdict_text(network.policy_verdict(port, source)) or (only if source == "cluster" else "")
        lines.append(f"      {_VIA[via]:<13} {address}{verdict}")
    for route in svc.routes:
        if route.port is port:
            cls = f", class {route.ingress.class_name}" if route.ingress.class_name else ""
            blocked = _verdict_text(network.policy_verdict(port, "ingress-controller"))
            lines.append(f"      {'Ingress':<13} {route.where}   (Ingress {route.ingress.name}{cls}){blocked}")
    if svc.local_traffic and port.node_port:
        lines.append("      (externalTrafficPolicy: Local: only nodes running one of its pods answer)")
    return lines


def _service_lines(network: Network, svc: ServiceModel) -> list[str]:
    lines = [f"Service {svc.namespace}/{svc.name} ({svc.type})   {svc.manifest.locate()}"]
    if svc.type == "ExternalName":
        lines.append(f"  {svc.dns} is an alias (CNAME) for {svc.external_name}; no pods, no proxying")
        return lines + _finding_lines(svc.findings, "  ")
    if svc.cluster_ip == "None":
        lines.append(f"  headless: {svc.dns} resolves to the pod IPs themselves")
    if not svc.selector:
        lines.append("  no selector: its endpoints are managed outside this stack")
    elif svc.workloads:
        picked = ", ".join(f"{w.kind} {w.name} ({_plural(w.replicas, 'replica')})" for w in svc.workloads)
        lines.append(f"  selector {_flow(svc.selector)} → {picked}")
    elif svc.declared:
        lines.append(f"  selector {_flow(svc.selector)} → {', '.join(svc.declared)}: made elsewhere, not simulated")
    else:
        lines.append(f"  selector {_flow(svc.selector)} → no pods")
    lines.extend(_finding_lines(svc.findings, "  "))
    for port in svc.ports:
        lines.extend(_port_lines(network, svc, port))
    return lines


def _route_verdict(network: Network, route: IngressRoute) -> Verdict | None:
    return None if route.port is None else network.policy_verdict(route.port, "ingress-controller")


def _ingress_lines(network: Network, ing: IngressModel) -> list[str]:
    cls = f" (class {ing.class_name})" if ing.class_name else ""
    lines = [f"Ingress {ing.namespace}/{ing.name}{cls}   {ing.manifest.locate()}"]
    for route in ing.routes:
        kind = f" ({route.path_type})" if route.path_type else ""
        target = f"Service {route.service_name} port {route.service_port if route.service_port is not None else '-'}"
        status = "   BROKEN" if route.broken else _verdict_text(_route_verdict(network, route))
        lines.append(f"  {route.where}{kind} → {target}{status}")
        lines.extend(_finding_lines(route.findings, "    "))
    return lines


def _policy_lines(network: Network) -> list[str]:
    lines = []
    for policy in network.policies:
        types = [d for d in ("ingress", "egress") if policy.rules(d) is not None]
        picked = ", ".join(f"{w.kind} {w.name}" for w in policy.workloads) or "no pods"
        lines.append(f"NetworkPolicy {policy.namespace}/{policy.name}   {policy.manifest.locate()}")
        lines.append(f"  isolates {' and '.join(types) or 'nothing'} of {picked}")
        lines.append("")
    for w in network.workloads:
        if w.dns_blocked_by:
            lines += [f"DNS: {w.kind} {w.namespace}/{w.name} cannot resolve Service names: "
                      f"{_policies(w.dns_blocked_by)} allow(s) no egress to port 53/UDP; allow DNS", ""]
    return lines


def explain_text(network: Network) -> str:
    """The human-readable explanation (see the module docstring)."""
    opts = network.options
    lines = [
        f"Simulated cluster: {_plural(len(network.nodes), 'node')}, service CIDR {opts.service_cidr} "
        f"(API server {network.api_server_ip}), pod CIDR {opts.pod_cidr}",
        "",
        *_table([["NODE", "INTERNAL-IP", "POD-CIDR"]] + [[n.name, n.ip, n.pod_cidr] for n in network.nodes]),
        "",
    ]
    if network.services:
        lines += [*_services_table(network), ""]
    else:
        lines += ["No Services in this stack.", ""]
    for svc in network.services:
        lines += [*_service_lines(network, svc), ""]
    for ing in network.ingresses:
        lines += [*_ingress_lines(network, ing), ""]
    lines += _policy_lines(network)
    exposed = {id(w) for s in network.services for w in s.workloads}
    hidden = [w for w in network.workloads if id(w) not in exposed]
    if hidden:
        names = ", ".join(f"{w.kind} {w.namespace}/{w.name}" for w in hidden)
        lines += [f"Behind no Service: {names}", ""]
    pending = sum(len(w.pods) - len(w.running) for w in network.workloads)
    if pending:
        lines += [f"{_plural(pending, 'pod')} Pending: {len(network.nodes)} nodes hold at most "
                  f"{MAX_PODS_PER_NODE} pods each; try a larger --nodes", ""]
    # one printable line each: a name from hostile YAML cannot split a line or rewrite the terminal
    return "\n".join(escape(line) for line in lines).rstrip("\n") + "\n"


def _findings(findings: list[Finding]) -> list[dict[str, object]]:
    return [f.to_json() for f in findings]


def _service_json(network: Network, svc: ServiceModel) -> dict[str, Any]:
    ports = []
    for port in svc.ports:
        ports.append({
            "name": port.name, "protocol": port.protocol, "port": port.port, "targetPort": port.target_port,
            "nodePort": port.node_port, "nodePortAssigned": port.node_port_assigned, "broken": port.broken,
            "endpoints": [{
                "workload": _ref(b.workload), "containerPort": b.container_port,
                "addresses": [] if b.container_port is None else [
                    f"{p.ip}:{b.container_port}" for p in b.workload.running],
                "isolatedBy": b.isolated_by,
                "access": [{"source": v.source, "allowed": v.allowed, "policies": v.policies, "note": v.note}
                           for v in b.access],
            } for b in port.backends],
            "reach": [{"via": via, "address": address,
                       **_blocked(network.policy_verdict(port, "outside" if via in _EXTERNAL_VIAS else "cluster"))}
                      for via, address in network.reach(svc, port)],
            "ingress": [{"ingress": r.ingress.name, "host": r.host, "path": r.path, "pathType": r.path_type,
                         "tls": r.tls, **_blocked(network.policy_verdict(port, "ingress-controller"))}
                        for r in svc.routes if r.port is port],
            "findings": _findings(port.findings),
        })
    return {
        "namespace": svc.namespace, "name": svc.name, "type": svc.type, "source": str(svc.manifest.locate()),
        "clusterIP": svc.cluster_ip, "externalIP": svc.external_ip, "externalIPs": svc.external_ips,
        "externalName": svc.external_name, "dns": svc.dns, "selector": svc.selector,
        "workloads": [_ref(w) for w in svc.workloads], "declared": svc.declared, "ports": ports,
        "findings": _findings(svc.findings),
    }


def _blocked(verdict: Verdict | None) -> dict[str, Any]:
    """``blocked`` (true, false, or null: it depends on the cluster) and ``blockedBy``."""
    if verdict is None or verdict.allowed:
        return {"blocked": False, "blockedBy": []}
    return {"blocked": None if verdict.allowed is None else True, "blockedBy": verdict.policies}


def explain_data(network: Network) -> dict[str, Any]:
    """The JSON document (as dicts) described in the module docstring."""
    opts = network.options
    return {
        "schema": SCHEMA,
        "cluster": {
            "serviceCIDR": opts.service_cidr, "podCIDR": opts.pod_cidr, "clusterDomain": "cluster.local",
            "apiServerIP": network.api_server_ip,
            "nodes": [{"name": n.name, "ip": n.ip, "podCIDR": n.pod_cidr} for n in network.nodes],
        },
        "workloads": [{
            "namespace": w.namespace, "kind": w.kind, "name": w.name, "replicas": w.replicas,
            "source": str(w.manifest.locate()),
            "pods": [{"name": p.name, "ip": p.ip, "node": p.node} for p in w.pods],
            "dnsBlockedBy": w.dns_blocked_by,
        } for w in network.workloads],
        "services": [_service_json(network, s) for s in network.services],
        "ingresses": [{
            "namespace": i.namespace, "name": i.name, "class": i.class_name, "source": str(i.manifest.locate()),
            "routes": [{
                "host": r.host, "path": r.path, "pathType": r.path_type, "tls": r.tls, "service": r.service_name,
                "port": r.service_port, "broken": r.broken, **_blocked(_route_verdict(network, r)),
                "findings": _findings(r.findings),
            } for r in i.routes],
        } for i in network.ingresses],
        "networkPolicies": [{
            "namespace": p.namespace, "name": p.name, "source": str(p.manifest.locate()), "podSelector": p.selector,
            "policyTypes": [d.capitalize() for d in ("ingress", "egress") if p.rules(d) is not None],
            "workloads": [_ref(w) for w in p.workloads],
        } for p in network.policies],
        "findings": _findings(network.other_findings),
    }


def explain_json(network: Network) -> str:
    """:func:`explain_data` as indented JSON with a trailing newline."""
    return json.dumps(explain_data(network), indent=2, ensure_ascii=False) + "\n"
