"""Ingresses, IngressClasses and NetworkPolicies (networking validation's
ValidateIngressSpec, validateIngressBackend, ValidateIngressClass,
ValidateNetworkPolicySpec)."""

from __future__ import annotations

from typing import Any

from kubegen import names
from kubegen.checks.validation import versions
from kubegen.checks.validation.base import Ctx, P, dicts, items, ival, mapping, required_text, sval
from kubegen.checks.validation.meta import check_label_selector

_BAD_PATH_PARTS = ("//", "/./", "/../", "%2f", "%2F")
_BAD_PATH_ENDS = ("/..", "/.")
_SCOPES = ("Cluster", "Namespace")
CONTROLLER_MAX = 250


def service_name_problems(ctx: Ctx, name: str) -> list[str]:
    """An Ingress backend names a Service: the Service name rules of the target release."""
    if versions.since(ctx.target, "relaxed-service-names"):
        return names.dns1123_label_problems(name)
    return [p + f" ({versions.applies(ctx.target, 'relaxed-service-names')})"
            for p in names.dns1035_label_problems(name)]


def check_ingress(ctx: Ctx, spec: dict[str, Any]) -> None:
    path: P = ("spec",)
    rules, backend = spec.get("rules"), spec.get("defaultBackend")
    if (rules is None or rules == []) and backend is None:
        ctx.add(path, "either defaultBackend or rules must be specified: add rules: with the hosts and paths to "
                "route, or defaultBackend: {service: {name: NAME, port: {number: N}}}")
    if isinstance(backend, dict):
        _check_backend(ctx, backend, (*path, "defaultBackend"))
    for i, rule in dicts(rules):
        here = (*path, "rules", i)
        host = sval(rule.get("host"))
        if host:
            _check_host(ctx, host, (*here, "host"), rule_host=True)
        http = mapping(rule.get("http"))
        if http is not None:
            paths = http.get("paths")
            if paths is None or paths == []:
                ctx.add((*here, "http", "paths"), "is required: at least one path (path: /, pathType: Prefix, "
                        "backend: ...)")
            for j, entry in dicts(paths):
                _check_path(ctx, entry, (*here, "http", "paths", j))
    for i, tls in dicts(spec.get("tls")):
        for j, host in items(tls.get("hosts")):
            if isinstance(host, str):
                _check_host(ctx, host, (*path, "tls", i, "hosts", j), rule_host=False)
        secret = sval(tls.get("secretName"))
        if secret:
            ctx.problems((*path, "tls", i, "secretName"), secret, names.dns1123_subdomain_problems(secret))
    class_name = sval(spec.get("ingressClassName"))
    if class_name is not None:
        ctx.problems((*path, "ingressClassName"), class_name, names.dns1123_subdomain_problems(class_name))
    annotation = (mapping((mapping(ctx.m.obj.get("metadata")) or {}).get("annotations")) or {}).get(
        "kubernetes.io/ingress.class")
    if isinstance(annotation, str) and class_name is not None and annotation != class_name:
        ctx.invalid(("metadata", "annotations"), annotation, f"(kubernetes.io/ingress.class) must match "
                    f"ingressClassName ({class_name!r}) when both are set; drop the annotation")


def _check_host(ctx: Ctx, host: str, path: P, *, rule_host: bool) -> None:
    if rule_host and names.parse_ip(host) is not None:
        ctx.invalid(path, host, "must be a DNS name, not an IP address (omit host to match every host)")
        return
    if "*" in host:
        ctx.problems(path, host, names.wildcard_subdomain_problems(host))
    else:
        ctx.problems(path, host, names.dns1123_subdomain_problems(host))


def _check_path(ctx: Ctx, entry: dict[str, Any], path: P) -> None:
    kind, value = entry.get("pathType"), entry.get("path")
    if kind is None or kind == "":
        ctx.add((*path, "pathType"), "is required; add pathType: Prefix (or Exact, or ImplementationSpecific)")
    elif isinstance(value, str) or value is None:
        text = value or ""
        if kind in ("Exact", "Prefix"):
            if not text.startswith("/"):
                ctx.invalid((*path, "path"), text, "must be an absolute path", suggestion="/" + text)
            for part in _BAD_PATH_PARTS:
                if part in text:
                    ctx.invalid((*path, "path"), text, f"must not contain {part!r} (pathType {kind})")
            for end in _BAD_PATH_ENDS:
                if text.endswith(end):
                    ctx.invalid((*path, "path"), text, f"cannot end with {end!r} (pathType {kind})")
        elif kind == "ImplementationSpecific" and text and not text.startswith("/"):
            ctx.invalid((*path, "path"), text, "must be an absolute path", suggestion="/" + text)
    backend = entry.get("backend")
    _check_backend(ctx, backend if isinstance(backend, dict) else {}, (*path, "backend"))


def _check_backend(ctx: Ctx, backend: dict[str, Any], path: P) -> None:
    service, resource = mapping(backend.get("service")), mapping(backend.get("resource"))
    if service is not None and resource is not None:
        ctx.add(path, "cannot set both resource and service backends; keep one")
    elif resource is not None:
        _check_typed_reference(ctx, resource, (*path, "resource"))
    elif service is not None:
        here = (*path, "service")
        name = required_text(ctx, service, "name", here, "the Service to send traffic to")
        if name is not None:
            ctx.problems((*here, "name"), name, service_name_problems(ctx, name))
        port = mapping(service.get("port")) or {}
        port_name, number = sval(port.get("name")) or "", ival(port.get("number")) or 0
        if port_name and number:
            ctx.add((*here, "port"), f"cannot set both port name ({port_name!r}) and number ({number}); keep one")
        elif port_name:
            ctx.problems((*here, "port", "name"), port_name, names.port_name_problems(port_name), rule="name")
        elif number:
            ctx.problems((*here, "port", "number"), number, names.port_number_problems(number))
        else:
            ctx.add((*here, "port"), "is required: a port name or number (port: {number: 80})")
    elif not backend.keys() - {"service", "resource"}:  # other keys: the schema check names them
        ctx.add(path, "is required: a service or resource backend (service: {name: NAME, port: {number: N}})")


def _check_typed_reference(ctx: Ctx, ref: dict[str, Any], path: P) -> None:
    group = sval(ref.get("apiGroup"))
    if group is not None:
        ctx.problems((*path, "apiGroup"), group, names.dns1123_subdomain_problems(group))
    for field in ("kind", "name"):
        value = required_text(ctx, ref, field, path, f"the {field} of the referenced object")
        if value is not None:
            ctx.problems((*path, field), value, names.path_segment_problems(value))


def check_ingress_class(ctx: Ctx, spec: dict[str, Any]) -> None:
    path: P = ("spec",)
    controller = spec.get("controller")
    if isinstance(controller, str) or controller is None:
        text = controller or ""
        if len(text) > CONTROLLER_MAX:
            ctx.add((*path, "controller"), f"must be no more than {CONTROLLER_MAX} characters")
        if not text:
            ctx.add((*path, "controller"), "is required: the controller that implements the class, a domain-prefixed "
                    "path such as k8s.io/ingress-nginx")
        else:
            ctx.problems((*path, "controller"), text, names.domain_prefixed_path_problems(text))
    params = mapping(spec.get("parameters"))
    if params is None:
        return
    here = (*path, "parameters")
    _check_typed_reference(ctx, params, here)
    scope = params.get("scope")
    if scope is None:
        scope = "Cluster"  # SetDefaults_IngressClass
    if isinstance(scope, str) and scope not in _SCOPES:
        ctx.unsupported((*here, "scope"), scope, _SCOPES)
    elif scope == "Namespace":
        namespace = params.get("namespace")
        if namespace is None:
            ctx.add((*here, "namespace"), "is required when scope is Namespace")
        elif isinstance(namespace, str):
            ctx.problems((*here, "namespace"), namespace, names.dns1123_label_problems(namespace))
    elif scope == "Cluster" and params.get("namespace") is not None:
        ctx.add((*here, "namespace"), "must not be set when scope is Cluster")


def check_network_policy(ctx: Ctx, spec: dict[str, Any]) -> None:
    path: P = ("spec",)
    check_label_selector(ctx, spec.get("podSelector"), (*path, "podSelector"))
    for direction, peers_field in (("ingress", "from"), ("egress", "to")):
        for i, rule in dicts(spec.get(direction)):
            here = (*path, direction, i)
            for j, port in dicts(rule.get("ports")):
                _check_policy_port(ctx, port, (*here, "ports", j))
            for j, peer in dicts(rule.get(peers_field)):
                _check_peer(ctx, peer, (*here, peers_field, j))
    types = spec.get("policyTypes")
    if isinstance(types, list) and len(types) > 2:
        ctx.invalid((*path, "policyTypes"), types, "may not specify more than two policyTypes (Ingress, Egress)")


def _check_policy_port(ctx: Ctx, port: dict[str, Any], path: P) -> None:
    number, end = port.get("port"), ival(port.get("endPort"))
    if isinstance(number, str):
        ctx.problems((*path, "port"), number, names.port_name_problems(number), rule="name")
        if end is not None:
            ctx.add((*path, "endPort"), "may not be specified when port is a name")
    elif ival(number) is not None:
        ctx.problems((*path, "port"), number, names.port_number_problems(ival(number) or 0))
        if end is not None:
            if end < (ival(number) or 0):
                ctx.invalid((*path, "endPort"), end, f"must be greater than or equal to port ({number})")
            ctx.problems((*path, "endPort"), end, names.port_number_problems(end))
    elif end is not None:
        ctx.add((*path, "endPort"), "may not be specified when port is not specified")


def _check_peer(ctx: Ctx, peer: dict[str, Any], path: P) -> None:
    given = [k for k in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(k) is not None]
    if not given:
        ctx.add(path, "must specify a peer: podSelector, namespaceSelector or ipBlock")
    elif len(given) > 1 and "ipBlock" in given:
        ctx.add(path, "may not specify both ipBlock and another peer")
    for field in ("podSelector", "namespaceSelector"):
        check_label_selector(ctx, peer.get(field), (*path, field))
    block = mapping(peer.get("ipBlock"))
    if block is None:
        return
    cidr = required_text(ctx, block, "cidr", (*path, "ipBlock"), "a CIDR such as 10.0.0.0/16")
    if cidr is None:
        return
    network = names.parse_cidr(cidr)
    if network is None:
        ctx.problems((*path, "ipBlock", "cidr"), cidr, names.cidr_problems(cidr))
        return
    for k, text in items(block.get("except")):
        if not isinstance(text, str):
            continue
        where = (*path, "ipBlock", "except", k)
        inner = names.parse_cidr(text)
        if inner is None:
            ctx.problems(where, text, names.cidr_problems(text))
        elif inner.version != network.version or not inner.subnet_of(network) or inner.prefixlen <= network.prefixlen:  # type: ignore[arg-type]
            ctx.invalid(where, text, f"must be a strict subset of cidr {cidr!r}")
