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
                     "pods": [{"name": str, "ip": str|null, "node": str|null}]}],
      "services": [{
        "namespace": str, "name": str, "type": str, "source": "file:line",
        "clusterIP": str|null ("None": headless), "externalIP": str|null ("<pending>"),
        "externalIPs": [str], "externalName": str|null, "dns": str,
        "selector": {str: str}|null, "workloads": ["Kind/name"],
        "ports": [{"name": str|null, "protocol": str, "port": int, "targetPort": int|str,
                   "nodePort": int|null, "nodePortAssigned": bool, "broken": bool,
                   "endpoints": [{"workload": "Kind/name", "containerPort": int|null,
                                  "addresses": ["podIP:containerPort"]}],
                   "reach": [{"via": "dns"|"cluster-ip"|"node-port"|"load-balancer"|"external-ip",
                              "address": "host:port"}],
                   "ingress": [{"ingress": str, "host": str|null, "path": str|null,
                                "pathType": str|null, "tls": bool}],
                   "findings": [Finding]}],
        "findings": [Finding]}],
      "ingresses": [{"namespace": str, "name": str, "class": str|null, "source": str,
                     "routes": [{"host": str|null, "path": str|null, "pathType": str|null,
                                 "tls": bool, "service": str, "port": int|str|null,
                                 "broken": bool, "findings": [Finding]}]}],
      "findings": [Finding]      # findings that break no route (other rules)
    }

``Finding`` is ``{"file", "line", "severity", "rule", "message", "object", "path"}``
as ``kubegen lint --format json`` prints it.
"""

from __future__ import annotations

import json
from typing import Any

from kubegen.finding import Finding
from kubegen.finding import flow_labels as _flow
from kubegen.finding import plural as _plural
from kubegen.network import (
    MAX_PODS_PER_NODE,
    IngressModel,
    Network,
    ServiceModel,
    ServicePortModel,
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
    lines.extend(_finding_lines(port.findings, "    "))
    lines.append("    reach it:")
    for via, address in network.reach(svc, port):
        lines.append(f"      {_VIA[via]:<13} {address}")
    for route in svc.routes:
        if route.port is port:
            cls = f", class {route.ingress.class_name}" if route.ingress.class_name else ""
            lines.append(f"      {'Ingress':<13} {route.where}   (Ingress {route.ingress.name}{cls})")
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
    else:
        lines.append(f"  selector {_flow(svc.selector)} → no pods")
    lines.extend(_finding_lines(svc.findings, "  "))
    for port in svc.ports:
        lines.extend(_port_lines(network, svc, port))
    return lines


def _ingress_lines(ing: IngressModel) -> list[str]:
    cls = f" (class {ing.class_name})" if ing.class_name else ""
    lines = [f"Ingress {ing.namespace}/{ing.name}{cls}   {ing.manifest.locate()}"]
    for route in ing.routes:
        kind = f" ({route.path_type})" if route.path_type else ""
        target = f"Service {route.service_name} port {route.service_port if route.service_port is not None else '-'}"
        status = "" if not route.broken else "   BROKEN"
        lines.append(f"  {route.where}{kind} → {target}{status}")
        lines.extend(_finding_lines(route.findings, "    "))
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
        lines += [*_ingress_lines(ing), ""]
    exposed = {id(w) for s in network.services for w in s.workloads}
    hidden = [w for w in network.workloads if id(w) not in exposed]
    if hidden:
        names = ", ".join(f"{w.kind} {w.namespace}/{w.name}" for w in hidden)
        lines += [f"Behind no Service: {names}", ""]
    pending = sum(len(w.pods) - len(w.running) for w in network.workloads)
    if pending:
        lines += [f"{_plural(pending, 'pod')} Pending: {len(network.nodes)} nodes hold at most "
                  f"{MAX_PODS_PER_NODE} pods each; try a larger --nodes", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


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
            } for b in port.backends],
            "reach": [{"via": via, "address": address} for via, address in network.reach(svc, port)],
            "ingress": [{"ingress": r.ingress.name, "host": r.host, "path": r.path, "pathType": r.path_type,
                         "tls": r.tls} for r in svc.routes if r.port is port],
            "findings": _findings(port.findings),
        })
    return {
        "namespace": svc.namespace, "name": svc.name, "type": svc.type, "source": str(svc.manifest.locate()),
        "clusterIP": svc.cluster_ip, "externalIP": svc.external_ip, "externalIPs": svc.external_ips,
        "externalName": svc.external_name, "dns": svc.dns, "selector": svc.selector,
        "workloads": [_ref(w) for w in svc.workloads], "ports": ports, "findings": _findings(svc.findings),
    }


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
        } for w in network.workloads],
        "services": [_service_json(network, s) for s in network.services],
        "ingresses": [{
            "namespace": i.namespace, "name": i.name, "class": i.class_name, "source": str(i.manifest.locate()),
            "routes": [{
                "host": r.host, "path": r.path, "pathType": r.path_type, "tls": r.tls, "service": r.service_name,
                "port": r.service_port, "broken": r.broken, "findings": _findings(r.findings),
            } for r in i.routes],
        } for i in network.ingresses],
        "findings": _findings(network.other_findings),
    }


def explain_json(network: Network) -> str:
    """:func:`explain_data` as indented JSON with a trailing newline."""
    return json.dumps(explain_data(network), indent=2, ensure_ascii=False) + "\n"
