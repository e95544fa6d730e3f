"""Per-object rules: what the API server itself would reject in one object.

Every rule tolerates malformed input (wrong types are the ``schema`` rule's job):
it looks only at values of the shape it expects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kubegen import facts
from kubegen.checks import Report
from kubegen.checks.apivalues import check_api_values
from kubegen.finding import flow_labels as _flow
from kubegen.finding import yaml_value
from kubegen.manifest import Manifest, pod_template


def check_objects(manifests: Sequence[Manifest], report: Report) -> None:
    for m in manifests:
        kind = m.kind
        _check_metadata(m, report)
        if kind == "Service":
            _check_service(m, report)
        template_path = facts.POD_TEMPLATE_PATHS.get(kind)
        if template_path is not None:
            template = pod_template(m)
            if template is not None:
                _check_pod_template(m, template, template_path, report)
            if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController"):
                _check_workload_selector(m, template, report)
    check_api_values(manifests, report)


# --- names -----------------------------------------------------------------

def _name_rule(kind: str) -> Callable[[str], list[str]]:
    if kind == "Service":
        return facts.dns1035_label_problems
    if kind == "Namespace":
        return facts.dns1123_label_problems
    return facts.dns1123_subdomain_problems


def _check_metadata(m: Manifest, report: Report) -> None:
    meta = m.obj.get("metadata")
    if not isinstance(meta, dict):
        return
    name = meta.get("name")
    if isinstance(name, str):
        rule = _name_rule(m.kind)
        problems = rule(name)
        if problems:
            report.add("name", m, f"{m.kind} name {name!r} " + "; ".join(problems), ("metadata", "name"))
    namespace = meta.get("namespace")
    if isinstance(namespace, str):
        problems = facts.dns1123_label_problems(namespace)
        if problems:
            report.add("name", m, f"{m.label}: namespace {namespace!r} " + "; ".join(problems),
                       ("metadata", "namespace"))
    _check_labels(m, meta.get("labels"), ("metadata", "labels"), report)


def _check_labels(m: Manifest, labels: Any, path: tuple[str | int, ...], report: Report) -> None:
    if not isinstance(labels, dict):
        return
    for key, value in labels.items():
        if isinstance(key, str):
            problems = facts.label_key_problems(key)
            if problems:
                report.add("name", m, f"{m.label}: label key {key!r} " + "; ".join(problems), (*path, key))
        if isinstance(value, str):
            problems = facts.label_value_problems(value)
            if problems:
                report.add("name", m, f"{m.label}: label {key}={value!r} " + "; ".join(problems), (*path, key))


# --- Services --------------------------------------------------------------

def _check_service(m: Manifest, report: Report) -> None:
    spec = m.obj.get("spec")
    if not isinstance(spec, dict):
        return
    stype = spec.get("type", "ClusterIP")
    if isinstance(stype, str) and stype not in facts.SERVICE_TYPES:
        close = facts.suggest(stype, facts.SERVICE_TYPES, cutoff=0.5)
        hint = f"; did you mean {close!r}?" if close else ""
        report.add(
            "service-type", m,
            f"{m.label}: type {stype!r} is not one of {', '.join(facts.SERVICE_TYPES)}{hint}",
            ("spec", "type"),
        )
    _check_selector_labels(m, spec.get("selector"), report)
    ports = spec.get("ports")
    headless = spec.get("clusterIP") == "None"
    if stype == "ExternalName":
        return
    if ports is None or ports == []:
        if not headless:
            report.add(
                "service-ports", m,
                f"{m.label} has no ports; add at least one (port: 80, targetPort: ...) or make it "
                "headless with clusterIP: None",
                ("spec",),
            )
        return
    if not isinstance(ports, list):
        return
    _check_service_ports(m, stype, ports, report)


def _check_selector_labels(m: Manifest, selector: Any, report: Report) -> None:
    _check_labels(m, selector, ("spec", "selector"), report)


def _check_service_ports(m: Manifest, stype: Any, ports: list[Any], report: Report) -> None:
    seen: dict[tuple[Any, Any], int] = {}
    names: dict[str, int] = {}
    low, high = report.options.node_port_range
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        path = ("spec", "ports", i)
        number = port.get("port")
        protocol = port.get("protocol", "TCP")
        if not isinstance(protocol, str):
            protocol = repr(protocol)  # the schema rule reports the type
        name = port.get("name")
        if isinstance(number, int) and not isinstance(number, bool):
            problems = facts.port_number_problems(number)
            if problems:
                report.add("service-ports", m, f"{m.label}: port {'; '.join(problems)}", (*path, "port"))
            key = (number, protocol)
            if key in seen:
                report.add(
                    "service-ports", m,
                    f"{m.label}: port {number}/{protocol} is declared twice (ports[{seen[key]}] and "
                    f"ports[{i}]); remove one or change its number",
                    (*path, "port"),
                )
            else:
                seen[key] = i
        if isinstance(name, str):
            problems = facts.dns1123_label_problems(name)
            if problems:
                report.add("name", m, f"{m.label}: port name {name!r} " + "; ".join(problems), (*path, "name"))
            if name in names:
                report.add("service-ports", m, f"{m.label}: port name {name!r} is used twice", (*path, "name"))
            names.setdefault(name, i)
        elif len(ports) > 1:
            report.add(
                "service-ports", m,
                f"{m.label} has {len(ports)} ports, so each needs a name; ports[{i}] "
                f"(port {yaml_value(number)}) has none; add name: {_suggest_port_name(port, i)}",
                path,
            )
        target = port.get("targetPort")
        if target == 0 or target == "":
            pass  # the API server defaults an unset (0/"") targetPort to the port
        elif isinstance(target, int) and not isinstance(target, bool):
            problems = facts.port_number_problems(target)
            if problems:
                report.add("service-ports", m, f"{m.label}: targetPort {'; '.join(problems)}", (*path, "targetPort"))
        elif isinstance(target, str):
            problems = facts.port_name_problems(target)
            if problems:
                hint = ""
                if target.isdigit():
                    hint = f"; a number must be written unquoted (targetPort: {target})"
                report.add(
                    "name", m,
                    f"{m.label}: targetPort {target!r} is not a valid port name: {'; '.join(problems)}{hint}",
                    (*path, "targetPort"),
                )
        node_port = port.get("nodePort")
        if isinstance(node_port, int) and not isinstance(node_port, bool) and node_port != 0:
            if stype not in ("NodePort", "LoadBalancer"):
                report.add(
                    "node-port", m,
                    f"{m.label}: port {number} sets nodePort {node_port}, but type is "
                    f"{yaml_value(stype) if stype else 'ClusterIP'}; only NodePort and LoadBalancer Services "
                    "open node ports (set type: NodePort or remove nodePort)",
                    (*path, "nodePort"),
                )
            elif not low <= node_port <= high:
                report.add(
                    "node-port", m,
                    f"{m.label}: nodePort {node_port} is outside the node-port range {low}-{high}; "
                    f"pick a port in {low}-{high} or omit nodePort to let the cluster choose",
                    (*path, "nodePort"),
                )


def _suggest_port_name(port: dict[str, Any], index: int) -> str:
    target = port.get("targetPort")
    if isinstance(target, str) and target and not target.isdigit():
        return target
    number = port.get("port")
    if not isinstance(number, int) or isinstance(number, bool):
        return f"port-{index + 1}"
    return {80: "http", 443: "https", 8080: "http"}.get(number, f"port-{number}")


# --- pod templates and workloads ---------------------------------------------

def _check_pod_template(
    m: Manifest, template: dict[str, Any], base: tuple[str, ...], report: Report
) -> None:
    tmeta = template.get("metadata")
    if base and isinstance(tmeta, dict):
        _check_labels(m, tmeta.get("labels"), (*base, "metadata", "labels"), report)
    spec = template.get("spec")
    if not isinstance(spec, dict):
        return
    volumes = spec.get("volumes")
    volume_names = {
        v["name"] for v in volumes if isinstance(v, dict) and isinstance(v.get("name"), str)
    } if isinstance(volumes, list) else set()
    volume_names |= _claim_template_names(m)
    for field in ("initContainers", "containers"):
        containers = spec.get(field)
        if not isinstance(containers, list):
            continue
        for ci, container in enumerate(containers):
            if not isinstance(container, dict):
                continue
            cpath = (*base, "spec", field, ci)
            cname = container.get("name")
            if isinstance(cname, str):
                problems = facts.dns1123_label_problems(cname)
                if problems:
                    report.add("name", m, f"{m.label}: container name {cname!r} " + "; ".join(problems),
                               (*cpath, "name"))
            ports = container.get("ports")
            if isinstance(ports, list):
                for pi, port in enumerate(ports):
                    if isinstance(port, dict) and isinstance(port.get("name"), str):
                        problems = facts.port_name_problems(port["name"])
                        if problems:
                            report.add(
                                "name", m,
                                f"{m.label}: container {cname!r} port name {port['name']!r} "
                                + "; ".join(problems),
                                (*cpath, "ports", pi, "name"),
                            )
            mounts = container.get("volumeMounts")
            if isinstance(mounts, list):
                for mi, mount in enumerate(mounts):
                    if not isinstance(mount, dict) or not isinstance(mount.get("name"), str):
                        continue
                    if mount["name"] not in volume_names:
                        hint = facts.no_such(
                            "volumes", mount["name"], sorted(map(yaml_value, volume_names)),
                            f"declare it in the pod's volumes: [{{name: {yaml_value(mount['name'])}, ...}}]",
                        )
                        report.add(
                            "volume-mount", m,
                            f"{m.label}: container {cname!r} mounts volume {mount['name']!r}, which "
                            f"the pod does not declare{hint}",
                            (*cpath, "volumeMounts", mi, "name"),
                        )


def _claim_template_names(m: Manifest) -> set[Any]:
    """A StatefulSet's volumeClaimTemplates give each pod a volume of the claim's name."""
    spec = m.obj.get("spec") if m.kind == "StatefulSet" else None
    claims = spec.get("volumeClaimTemplates") if isinstance(spec, dict) else None
    if not isinstance(claims, list):
        return set()
    return {
        c["metadata"].get("name") for c in claims
        if isinstance(c, dict) and isinstance(c.get("metadata"), dict)
    }


def _check_workload_selector(m: Manifest, template: dict[str, Any] | None, report: Report) -> None:
    spec = m.obj.get("spec")
    if not isinstance(spec, dict):
        return
    labels: Any = None
    if template is not None and isinstance(template.get("metadata"), dict):
        labels = template["metadata"].get("labels")
    labels = labels if isinstance(labels, dict) else {}
    selector = spec.get("selector")
    if m.kind == "ReplicationController":
        if selector is None:
            return  # defaults to the template's labels
        match_labels, expressions = selector, None
    else:
        if selector is None:
            if m.api_version.startswith("apps/"):
                report.add(
                    "workload-selector", m,
                    f"{m.label} has no spec.selector (required in {m.api_version}); add "
                    f"selector: {{matchLabels: {_flow(labels) if labels else '{app: NAME}'}}}",
                    ("spec",),
                )
            return
        if not isinstance(selector, dict):
            return
        match_labels, expressions = selector.get("matchLabels"), selector.get("matchExpressions")
    if not isinstance(match_labels, dict):
        match_labels = {}
    if not match_labels and not expressions:
        report.add(
            "workload-selector", m, f"{m.label}: selector is empty; it must select the template's labels",
            ("spec", "selector"),
        )
        return
    _check_labels(m, match_labels, ("spec", "selector", "matchLabels"), report)
    wrong = {k: v for k, v in match_labels.items() if labels.get(k) != v}
    if wrong:
        report.add(
            "workload-selector", m,
            f"{m.label}: selector {_flow(wrong)} does not match its own pod template labels "
            f"{_flow(labels)}; the API server rejects this (`selector` does not match template "
            "`labels`); make the template labels include the selector",
            ("spec", "selector"),
        )
    if isinstance(expressions, list) and not labels_match_expressions(labels, expressions):
        report.add(
            "workload-selector", m,
            f"{m.label}: selector matchExpressions do not match its own pod template labels {_flow(labels)}",
            ("spec", "selector", "matchExpressions"),
        )


def labels_match_expressions(labels: dict[str, Any], expressions: list[Any]) -> bool:
    """Whether ``labels`` satisfy every (well-formed) set-based requirement."""
    for expr in expressions:
        if not isinstance(expr, dict):
            continue
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if not isinstance(key, str):
            continue
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


