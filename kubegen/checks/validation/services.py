"""Services (core validation's ValidateService): type, ports, node ports, cluster IPs,
session affinity, traffic policies, load balancer fields. Rules ``service-type``,
``service-ports``, ``node-port`` and ``name`` keep their ids; the rest is
``invalid-value``."""

from __future__ import annotations

from typing import Any

from kubegen import apidata, facts, names
from kubegen.checks.validation import versions
from kubegen.checks.validation.base import Ctx, P, items, ival, mapping, required_text, show, strings, sval
from kubegen.checks.validation.meta import check_labels
from kubegen.checks.validation.paths import Key
from kubegen.finding import yaml_value

AFFINITY_MAX = 86400
EXTERNAL_TYPES = ("NodePort", "LoadBalancer")
_SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"
_TOPOLOGY_MODE = "service.kubernetes.io/topology-mode"
_TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints"


def check_service(ctx: Ctx, spec: dict[str, Any]) -> None:
    path: P = ("spec",)
    stype = spec.get("type") or "ClusterIP"
    types = apidata.enum("core.v1.ServiceSpec", "type")
    if isinstance(stype, str) and stype not in types:
        close = facts.suggest(stype, types, cutoff=0.5)
        ctx.add((*path, "type"), f"{stype!r} is not one of {', '.join(types)}"
                + (f"; did you mean {close!r}?" if close else ""), rule="service-type", suggestion=close)
    headless = spec.get("clusterIP") == "None"
    ports = spec.get("ports")
    if stype == "ExternalName":
        _check_external_name(ctx, spec, path)
    elif (ports is None or ports == []) and not headless:
        ctx.add((*path, "ports"), "is required: a Service needs at least one port (port: 80, targetPort: ...), "
                "unless it is headless (clusterIP: None)", rule="service-ports")
    if isinstance(ports, list):
        _check_ports(ctx, stype, ports, path)
    check_labels(ctx, spec.get("selector"), (*path, "selector"))
    _check_cluster_ips(ctx, spec, stype, path)
    _check_affinity(ctx, spec, path)
    _check_load_balancer(ctx, spec, stype, path)
    _check_traffic(ctx, spec, stype, path)


def _check_external_name(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    if spec.get("clusterIP") not in (None, "") or spec.get("clusterIPs"):
        ctx.add((*path, "clusterIP"), f"{show(spec.get('clusterIP'))} (spec.clusterIPs) may not be set for an "
                "ExternalName Service, which has no cluster IP; remove it")
    for field in ("ipFamilies", "ipFamilyPolicy"):
        if spec.get(field) not in (None, []):
            ctx.add((*path, field), "may not be set for an ExternalName Service; remove it")
    name = required_text(ctx, spec, "externalName", path, "a DNS name such as db.example.com (type is ExternalName)")
    if name is not None:
        domain = name[:-1] if name.endswith(".") else name
        ctx.problems((*path, "externalName"), name, names.dns1123_subdomain_problems(domain))


def _check_ports(ctx: Ctx, stype: Any, ports: list[Any], path: P) -> None:
    seen: dict[tuple[Any, Any], int] = {}
    node_ports: dict[tuple[Any, Any], int] = {}
    port_names: dict[str, int] = {}
    low, high = ctx.report.options.node_port_range
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        here = (*path, "ports", i)
        number = ival(port.get("port"))
        protocol = sval(port.get("protocol")) or "TCP"
        name = port.get("name")
        if number is not None:
            problems = names.port_number_problems(number)
            if problems:
                ctx.problems((*here, "port"), number, problems, rule="service-ports")
            key = (number, protocol)
            if key in seen:
                ctx.add((*here, "port"), f"{number}/{protocol} is declared twice (ports[{seen[key]}] and ports[{i}]); "
                        "remove one or change its number", rule="service-ports")
            seen.setdefault(key, i)
        if isinstance(name, str) and name:
            ctx.problems((*here, "name"), name, names.dns1123_label_problems(name), rule="name",
                         fix=names.fix_dns_label)
            if name in port_names:
                ctx.invalid((*here, "name"), name, f"is already the name of ports[{port_names[name]}]; port names "
                            "must be unique", rule="service-ports")
            port_names.setdefault(name, i)
        elif len(ports) > 1:
            ctx.add((*here, "name"), f"is required: the Service has {len(ports)} ports, so each needs a name (add "
                    f"name: {suggest_port_name(port)})", rule="service-ports", suggestion=suggest_port_name(port))
        _check_target_port(ctx, port.get("targetPort"), (*here, "targetPort"))
        app = sval(port.get("appProtocol"))
        if app is not None:
            ctx.problems((*here, "appProtocol"), app, names.qualified_name_problems(app))
        node_port = ival(port.get("nodePort"))
        if node_port:
            _check_node_port(ctx, stype, node_port, number, (*here, "nodePort"), (low, high))
            key = (node_port, protocol)
            if key in node_ports:
                ctx.add((*here, "nodePort"), f"{node_port}/{protocol} is already used by ports[{node_ports[key]}]; "
                        "each port needs its own nodePort", rule="node-port")
            node_ports.setdefault(key, i)


def _check_target_port(ctx: Ctx, target: Any, path: P) -> None:
    if target == 0 or target == "":
        return  # the API server defaults an unset targetPort to the port
    if isinstance(target, str):
        problems = names.port_name_problems(target)
        if problems:
            hint = f"; a number must be written unquoted (targetPort: {target})" if target.isdigit() else ""
            ctx.add(path, f"{target!r} is not a valid port name: {'; '.join(problems)}{hint}", rule="name")
    elif ival(target) is not None:
        ctx.problems(path, target, names.port_number_problems(ival(target) or 0), rule="service-ports")


def _check_node_port(ctx: Ctx, stype: Any, node_port: int, number: int | None, path: P,
                     node_range: tuple[int, int]) -> None:
    low, high = node_range
    if stype not in EXTERNAL_TYPES:
        ctx.add(path, f"{node_port} is set for port {number}, but type is {yaml_value(stype)}; only NodePort and "
                "LoadBalancer Services open node ports (set type: NodePort or remove nodePort)", rule="node-port")
    elif not low <= node_port <= high:
        ctx.add(path, f"{node_port} is outside the node-port range {low}-{high}; pick a port in {low}-{high} or "
                "omit nodePort to let the cluster choose", rule="node-port")


def suggest_port_name(port: dict[str, Any]) -> str:
    """A name for an unnamed Service port: its named targetPort, else from the number."""
    target = port.get("targetPort")
    if isinstance(target, str) and target:
        return target
    number = port.get("port")
    if not isinstance(number, int) or isinstance(number, bool):
        return "port"
    return {80: "http", 443: "https", 8080: "http"}.get(number, f"port-{number}")


def _check_cluster_ips(ctx: Ctx, spec: dict[str, Any], stype: Any, path: P) -> None:
    if stype == "ExternalName":
        return
    cluster_ip, ips = spec.get("clusterIP"), spec.get("clusterIPs")
    if cluster_ip == "None" and stype in EXTERNAL_TYPES:
        ctx.add((*path, "clusterIP"), f"'None' (spec.clusterIPs[0]) may not be set for {stype} Services: a "
                f"{stype} Service cannot be headless; remove clusterIP or use type: ClusterIP")
    if isinstance(cluster_ip, str) and cluster_ip not in ("", "None"):
        ctx.problems((*path, "clusterIP"), cluster_ip, names.ip_problems(cluster_ip))
    _check_ip_families(ctx, spec, path)
    if not isinstance(ips, list) or not ips:
        return
    if isinstance(cluster_ip, str) and cluster_ip and ips[0] != cluster_ip:
        ctx.invalid((*path, "clusterIPs"), ips, f"first value must match clusterIP ({cluster_ip!r})")
    elif not cluster_ip:
        ctx.invalid((*path, "clusterIPs"), ips, "must be empty when clusterIP is not specified (set clusterIP to "
                    "its first value)")
    if len(ips) > 2:
        ctx.invalid((*path, "clusterIPs"), ips, "may only hold up to 2 values (one per IP family)")
    for i, ip in enumerate(ips):
        if not isinstance(ip, str):
            continue
        if ip == "None":
            if i or len(ips) > 1:
                ctx.invalid((*path, "clusterIPs"), ips, "'None' must be the first and only value")
        else:
            ctx.problems((*path, "clusterIPs", i), ip, names.ip_problems(ip))


def _check_ip_families(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    families = spec.get("ipFamilies")
    if not isinstance(families, list):
        return
    seen: set[str] = set()
    for i, family in strings(families):
        if family in seen:
            ctx.invalid((*path, "ipFamilies", i), family, "is listed twice; list each IP family once")
        seen.add(family)
    if len(families) > 2:
        ctx.invalid((*path, "ipFamilies"), families, "may specify no more than two IP families")
    elif len(families) == 2 and spec.get("ipFamilyPolicy") == "SingleStack":
        ctx.invalid((*path, "ipFamilies"), families, "must be a single IP family when ipFamilyPolicy is SingleStack")


def _check_affinity(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    if spec.get("sessionAffinity") != "ClientIP":
        return
    config = mapping(spec.get("sessionAffinityConfig")) or {}
    client = mapping(config.get("clientIP")) or {}
    timeout = ival(client.get("timeoutSeconds"))
    if timeout is not None and not 0 < timeout <= AFFINITY_MAX:
        ctx.invalid((*path, "sessionAffinityConfig", "clientIP", "timeoutSeconds"), timeout,
                    f"must be greater than 0 and at most {AFFINITY_MAX} (24 hours)")


def _check_annotations(ctx: Ctx, spec: dict[str, Any], stype: Any) -> None:
    """ValidateService's annotation rules: the old source-ranges annotation (read when the
    field is empty) and the two topology annotations, which must agree when both are set."""
    annotations = mapping((mapping(ctx.m.obj.get("metadata")) or {}).get("annotations")) or {}
    where: P = ("metadata", "annotations")
    mode, hints = annotations.get(_TOPOLOGY_MODE), annotations.get(_TOPOLOGY_HINTS)
    if isinstance(mode, str) and isinstance(hints, str) and mode != hints:
        ctx.invalid((*where, Key(_TOPOLOGY_MODE)), mode, f"must match annotations[{_TOPOLOGY_HINTS}] ({hints!r}) "
                    "when both are set; drop the deprecated one")
    ranges = annotations.get(_SOURCE_RANGES)
    if spec.get("loadBalancerSourceRanges") or not isinstance(ranges, str):
        return
    here = (*where, Key(_SOURCE_RANGES))
    if stype != "LoadBalancer":
        ctx.add(here, f"may only be used when type is LoadBalancer (type is {stype})")
    for cidr in (c.strip() for c in ranges.strip().split(",") if ranges.strip()):
        ctx.problems(here, cidr, names.cidr_problems(cidr))


def _check_load_balancer(ctx: Ctx, spec: dict[str, Any], stype: Any, path: P) -> None:
    _check_annotations(ctx, spec, stype)
    ranges = spec.get("loadBalancerSourceRanges")
    if isinstance(ranges, list) and ranges:
        if stype != "LoadBalancer":
            ctx.add((*path, "loadBalancerSourceRanges"),
                    f"may only be used when type is LoadBalancer (type is {stype})")
        for i, cidr in enumerate(ranges):
            if isinstance(cidr, str):
                ctx.problems((*path, "loadBalancerSourceRanges", i), cidr, names.cidr_problems(cidr.strip()))
    if stype != "LoadBalancer":
        for field in ("allocateLoadBalancerNodePorts", "loadBalancerClass"):
            if spec.get(field) is not None:
                ctx.add((*path, field), f"may only be used when type is LoadBalancer (type is {stype})")
    lb_class = sval(spec.get("loadBalancerClass"))
    if lb_class is not None and stype == "LoadBalancer":
        ctx.problems((*path, "loadBalancerClass"), lb_class, names.qualified_name_problems(lb_class))
    for i, ip in items(spec.get("externalIPs")):
        if not isinstance(ip, str):
            continue
        problems = names.ip_problems(ip)
        parsed = names.parse_ip(ip)
        if parsed is not None and (parsed.is_unspecified or parsed.is_loopback or parsed.is_link_local):
            problems = ["may not be unspecified, loopback (127.0.0.0/8, ::1) or link-local (169.254.0.0/16, "
                        "fe80::/10)"]
        ctx.problems((*path, "externalIPs", i), ip, problems)


def _check_traffic(ctx: Ctx, spec: dict[str, Any], stype: Any, path: P) -> None:
    external = stype in EXTERNAL_TYPES or (stype == "ClusterIP" and bool(spec.get("externalIPs")))
    policy = spec.get("externalTrafficPolicy")
    if isinstance(policy, str) and policy and not external:
        ctx.invalid((*path, "externalTrafficPolicy"), policy, f"may only be set for externally-accessible Services "
                    f"(NodePort, LoadBalancer, or with externalIPs); this one is {stype}: remove it")
    health = ival(spec.get("healthCheckNodePort"))
    if health:
        if stype != "LoadBalancer" or policy != "Local":
            ctx.invalid((*path, "healthCheckNodePort"), health, "may only be set when type is LoadBalancer and "
                        "externalTrafficPolicy is Local")
        else:
            low, high = ctx.report.options.node_port_range
            problems = names.port_number_problems(health) or (
                [] if low <= health <= high else [f"is outside the node-port range {low}-{high}: the API server "
                                                  "allocates it from there (omit it to let the cluster choose)"])
            ctx.problems((*path, "healthCheckNodePort"), health, problems, rule="node-port")
    distribution = spec.get("trafficDistribution")
    allowed = versions.traffic_distributions(ctx.target)
    if isinstance(distribution, str) and allowed is not None and distribution not in allowed:
        version = versions.applies(ctx.target, "traffic-distribution-same-zone-node")
        ctx.unsupported((*path, "trafficDistribution"), distribution, allowed, why=f" ({version})")
