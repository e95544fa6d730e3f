"""Reading Services and Ingresses into the model and attaching findings to routes."""

from __future__ import annotations

from typing import Any

from kubegen import apidata
from kubegen.checks import Finding
from kubegen.checks.wiring import DEFAULT_NAMESPACE, PodSet, StackIndex
from kubegen.manifest import Manifest
from kubegen.network.model import (
    ROUTE_RULES,
    Backend,
    IngressModel,
    IngressRoute,
    ServiceModel,
    ServicePortModel,
    Workload,
)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read_service(m: Manifest, index: StackIndex, by_podset: dict[int, Workload]) -> ServiceModel:
    spec = _dict(m.obj.get("spec"))
    namespace = m.namespace or DEFAULT_NAMESPACE
    selector = spec.get("selector") if isinstance(spec.get("selector"), dict) else None
    kind = _str(spec.get("type")) or "ClusterIP"
    kind = kind if kind in apidata.enum("core.v1.ServiceSpec", "type") else "ClusterIP"
    svc = ServiceModel(m, namespace, m.name, kind, selector)
    svc.local_traffic = spec.get("externalTrafficPolicy") == "Local"
    svc.external_ips = [ip for ip in _list(spec.get("externalIPs")) if isinstance(ip, str)]
    if kind == "ExternalName":
        svc.external_name = _str(spec.get("externalName"))
        return svc
    if selector:
        selected = index.serving(namespace, selector)
        found = [by_podset[id(p)] for p in selected if id(p) in by_podset]
        svc.workloads = sorted(found, key=lambda w: (w.name, w.kind))
        svc.declared = sorted({p.manifest.label for p in selected if p.declared})
    for item in _list(spec.get("ports")):
        raw = _dict(item)
        port = _int(raw.get("port"))
        if port is None:
            continue
        target = raw.get("targetPort", port)
        target = target if isinstance(target, (int, str)) and not isinstance(target, bool) else port
        protocol = _str(raw.get("protocol")) or "TCP"
        name = _str(raw.get("name"))
        outside = not selector or (bool(svc.declared) and not svc.workloads)
        model = ServicePortModel(name, protocol, port, target, manual_endpoints=outside)
        if kind in ("NodePort", "LoadBalancer"):
            model.node_port = _int(raw.get("nodePort")) or None
        model.backends = [Backend(w, _resolve_target(w.podset, target, protocol)) for w in svc.workloads]
        svc.ports.append(model)
    return svc


def _resolve_target(podset: PodSet, target: int | str, protocol: str) -> int | None:
    """The container port number a targetPort reaches in ``podset`` (None: nothing)."""
    if isinstance(target, int):
        return target
    for declared in podset.declared_ports():
        if declared.get("name") == target and podset.serves(declared, protocol):
            return _int(declared.get("containerPort"))
    return None


def read_ingress(m: Manifest) -> IngressModel:
    spec = _dict(m.obj.get("spec"))
    cls = _str(spec.get("ingressClassName")) or _str(_dict(m.metadata.get("annotations")).get(
        "kubernetes.io/ingress.class"))
    ing = IngressModel(m, m.namespace or DEFAULT_NAMESPACE, m.name, cls)
    tls_hosts = {h for t in _list(spec.get("tls")) for h in _list(_dict(t).get("hosts")) if isinstance(h, str)}
    entries: list[tuple[str | None, dict[str, Any], tuple[str | int, ...]]] = []
    for key in ("defaultBackend", "backend"):
        if isinstance(spec.get(key), dict):
            entries.append((None, {"backend": spec[key]}, ("spec", key)))
    for ri, rule in enumerate(_list(spec.get("rules"))):
        if not isinstance(rule, dict):
            continue
        host = _str(rule.get("host"))
        for pi, entry in enumerate(_list(_dict(rule.get("http")).get("paths"))):
            if isinstance(entry, dict) and isinstance(entry.get("backend"), dict):
                entries.append((host, entry, ("spec", "rules", ri, "http", "paths", pi, "backend")))
    for host, entry, path in entries:
        backend = entry["backend"]
        ref = backend.get("service")
        if isinstance(ref, dict):
            port_ref = _dict(ref.get("port"))
            name, wanted = ref.get("name"), port_ref.get("number", port_ref.get("name"))
        else:
            name, wanted = backend.get("serviceName"), backend.get("servicePort")
        if not isinstance(name, str):
            continue
        p = _str(entry.get("path"))
        if p is None and path[1] == "rules":
            p = "/"
        ptype = _str(entry.get("pathType"))
        wanted = wanted if isinstance(wanted, (int, str)) and not isinstance(wanted, bool) else None
        ing.routes.append(IngressRoute(ing, host, p, ptype, name, wanted, host in tls_hosts, path))
    return ing


def link_route(route: IngressRoute, services: dict[tuple[str, str], ServiceModel]) -> None:
    svc = services.get((route.ingress.namespace, route.service_name))
    route.service = svc
    if svc is None:
        return
    svc.routes.append(route)
    for port in svc.ports:
        if route.service_port is None and len(svc.ports) == 1 or port.port == route.service_port or (
            port.name is not None and port.name == route.service_port
        ):
            route.port = port
            return


def attach_findings(
    findings: list[Finding], services: list[ServiceModel], ingresses: list[IngressModel]
) -> list[Finding]:
    """Put each route-breaking finding on the port, Service or route it breaks; return the rest."""
    by_manifest: dict[int, ServiceModel] = {id(s.manifest): s for s in services}
    routes = {(id(ing.manifest), r.manifest_path): r for ing in ingresses for r in ing.routes}
    other: list[Finding] = []
    for f in findings:
        if f.rule not in ROUTE_RULES or f.manifest is None:
            other.append(f)
            continue
        svc = by_manifest.get(id(f.manifest))
        if svc is not None:
            index = f.path[2] if len(f.path) > 2 and tuple(f.path[:2]) == ("spec", "ports") else None
            target = _port_at(svc, index) if isinstance(index, int) else None
            (target.findings if target is not None else svc.findings).append(f)
            continue
        route = next((r for (mid, p), r in routes.items() if mid == id(f.manifest) and f.path[: len(p)] == p), None)
        if route is not None:
            route.findings.append(f)
        else:
            other.append(f)
    return other


def _port_at(svc: ServiceModel, index: int) -> ServicePortModel | None:
    raw = svc.spec.get("ports")
    if not isinstance(raw, list) or index >= len(raw) or not isinstance(raw[index], dict):
        return None
    return next((p for p in svc.ports if p.port == raw[index].get("port") and p.protocol == raw[index].get(
        "protocol", "TCP")), None)
