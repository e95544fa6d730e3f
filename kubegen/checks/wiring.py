"""Cross-object rules: what the API server accepts but traffic does not survive.

Linear in the number of objects: pod templates are indexed by label pair and
Services by name, never compared pairwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kubegen import facts
from kubegen.checks import Report
from kubegen.checks.assumed import Assumed, Port
from kubegen.checks.podindex import DEFAULT_NAMESPACE as DEFAULT_NAMESPACE
from kubegen.checks.podindex import PodSet as PodSet
from kubegen.checks.podindex import StackIndex as StackIndex
from kubegen.finding import flow_labels as _flow
from kubegen.finding import yaml_value
from kubegen.location import Location
from kubegen.manifest import Manifest

# What these rules read whole: Services, Ingresses and what runs pods.
KINDS = frozenset({"Service", "Ingress", *facts.POD_TEMPLATE_PATHS})


def check_wiring(manifests: Sequence[Manifest], report: Report) -> None:
    _check_node_port_clashes(manifests, report)
    index = StackIndex(manifests, report.options.assume)
    for m in manifests:
        kind = m.kind
        if kind == "Service":
            _check_service_wiring(m, index, report)
        elif kind == "Ingress":
            _check_ingress(m, index, report)


def report_duplicate(m: Manifest, first: Location, report: Report) -> None:
    """``duplicate``: ``m`` has the group, kind, namespace and name of the object at ``first``
    (the catalogue of the stack tells, see :mod:`kubegen.checks.catalogue`)."""
    report.add(
        "duplicate", m,
        f"{m.label} is defined twice (first at {first}); the second silently "
        "replaces the first on apply: rename or remove one",
        ("metadata", "name"),
    )


def _check_node_port_clashes(manifests: Sequence[Manifest], report: Report) -> None:
    claimed: dict[int, Manifest] = {}
    for m in manifests:
        if m.kind != "Service":
            continue
        spec = m.obj.get("spec")
        if not isinstance(spec, dict) or spec.get("type") not in ("NodePort", "LoadBalancer"):
            continue
        ports = spec.get("ports")
        if not isinstance(ports, list):
            continue
        mine: set[int] = set()
        for i, port in enumerate(ports):
            node_port = port.get("nodePort") if isinstance(port, dict) else None
            if not isinstance(node_port, int) or isinstance(node_port, bool) or node_port == 0:
                continue
            owner = claimed.get(node_port)
            if owner is not None and owner is not m:
                report.add(
                    "node-port", m,
                    f"{m.label_beside(owner)}: nodePort {node_port} is already claimed by {owner.label_beside(m)} "
                    f"({owner.locate()}); every node port is cluster-wide, pick another or omit it",
                    ("spec", "ports", i, "nodePort"),
                )
            elif node_port in mine and owner is m:
                same = [p for p in ports if isinstance(p, dict) and p.get("nodePort") == node_port]
                if len({str(p.get("protocol", "TCP")) for p in same}) < len(same):
                    report.add(
                        "node-port", m, f"{m.label}: nodePort {node_port} is used by two of its ports",
                        ("spec", "ports", i, "nodePort"),
                    )
            claimed.setdefault(node_port, m)
            mine.add(node_port)




def _check_service_wiring(m: Manifest, index: StackIndex, report: Report) -> None:
    spec = m.obj.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        return
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not selector:
        return  # no selector: endpoints are managed by hand
    namespace = m.namespace or DEFAULT_NAMESPACE
    selected = index.serving(namespace, selector)
    if not selected:
        missing = missing_pods(namespace, selector, _target_ports(spec.get("ports")))
        report.add("selector-dangling", m, declare_hint(dangling_message(m, namespace, selector, index), missing),
                   ("spec", "selector"), missing=missing)
        return
    owners = {id(p.manifest): p.manifest for p in selected}
    if len(owners) > 1 and not _members_of_one_app(selected):
        names = ", ".join(sorted(o.label for o in owners.values()))
        report.add(
            "selector-overlap", m,
            f"{m.label}: selector {_flow(selector)} matches pods of {len(owners)} workloads ({names}); "
            "traffic is spread over all of them: add a label that tells them apart",
            ("spec", "selector"), severity="warning",
        )
    ports = spec.get("ports")
    if isinstance(ports, list):
        for i, port in enumerate(ports):
            if isinstance(port, dict):
                _check_target_port(m, i, port, selected, report)


def missing_pods(namespace: str, selector: dict[str, Any], ports: tuple[Port, ...] | None) -> Assumed | None:
    """The declaration of the pods a selector looks for (None: a selector no label map spells)."""
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in selector.items()):
        return None
    return Assumed("Pod", "", namespace, labels=tuple(selector.items()), ports=ports)


def declare_hint(message: str, missing: Assumed | None) -> str:
    """``message``, and how to declare pods another file or tool runs (unless it names a near miss)."""
    if missing is None or "did you mean" in message:
        return message
    return (f"{message}; if another file or tool runs them, declare them: {missing.python()} or "
            f"--assume {missing.text()}")


def _target_ports(ports: Any) -> tuple[Port, ...]:
    """What a Service's ports target on its pods: (name, 0) or ("", number), each once."""
    found: list[Port] = []
    for port in ports if isinstance(ports, list) else ():
        target = port.get("targetPort") if isinstance(port, dict) else None
        if target is None or target == 0 or target == "":
            target = port.get("port") if isinstance(port, dict) else None
        item = (target, 0) if isinstance(target, str) else ("", target) if isinstance(target, int) else None
        if item is not None and not isinstance(target, bool) and item not in found:
            found.append(item)
    return tuple(found)


def _members_of_one_app(selected: list[PodSet]) -> bool:
    """Workloads of one kind running the same images (e.g. pxc-node1..3 of one database
    cluster): a Service spreading traffic over them does so on purpose."""
    shapes = {
        (p.manifest.kind, tuple(sorted(str(c.get("image")) for c in p.containers if isinstance(c, dict))))
        for p in selected
    }
    return len(shapes) == 1 and all(images for _, images in shapes)


def dangling_message(m: Manifest, namespace: str, selector: dict[str, Any], index: StackIndex) -> str:
    base = f"{m.label}: selector {_flow(selector)} matches no pod template in the stack"
    elsewhere = [
        p for p in index.podsets if p.namespace != namespace and p.has_labels(selector)
    ]
    if elsewhere:
        return (
            f"{base} in namespace {namespace!r}; {elsewhere[0].manifest.label} has these labels but "
            f"runs in namespace {elsewhere[0].namespace!r}: a Service only reaches pods of its own namespace"
        )
    best: tuple[float, PodSet] | None = None
    for podset in index.podsets:
        score = 0.0
        for key, value in selector.items():
            other = podset.labels.get(key)
            if other == value:
                score += 1.0
            elif isinstance(other, str) and isinstance(value, str):
                score += 0.9 * facts.similarity(value, other)
            elif other is None and _moved_key(podset, key, value) is not None:
                score += 0.6  # the same value under another key: app vs app.kubernetes.io/name
        score += 0.01 if podset.namespace == namespace else 0.0
        if score > 0.5 and (best is None or score > best[0]):
            best = (score, podset)
    if best is None:
        if not index.podsets:
            return f"{base}; the stack has no pods at all (add the Deployment it should route to)"
        return f"{base}; no pod has any of these labels: traffic to it goes nowhere"
    podset = best[1]
    fixes = [f"{k}={podset.labels[k]}" for k, v in selector.items() if k in podset.labels and podset.labels[k] != v]
    fixes += [
        f"{moved}={v} (instead of {k}={v})" for k, v in selector.items()
        if k not in podset.labels and (moved := _moved_key(podset, k, v)) is not None
    ]
    hint = f"; did you mean {', '.join(fixes)}?" if fixes else ""
    return f"{base}; closest pod labels: {_flow(podset.labels)} ({podset.manifest.label}){hint}"


def _moved_key(podset: PodSet, key: str, value: Any) -> str | None:
    """The pod's label key that carries ``value`` when ``key`` is missing, if exactly one does."""
    keys = [k for k, v in podset.labels.items() if v == value and k != key]
    return keys[0] if len(keys) == 1 else None


def _describe_ports(podset: PodSet) -> str:
    parts = []
    for p in podset.declared_ports():
        number, name = p.get("containerPort"), p.get("name")
        if isinstance(name, str):
            parts.append(f"{name}({yaml_value(number)})" if number is not None else name)
        else:
            parts.append(yaml_value(number))
    return ", ".join(parts) if parts else "none"


def _check_target_port(m: Manifest, i: int, port: dict[str, Any], selected: list[PodSet], report: Report) -> None:
    target = port.get("targetPort")
    if target is None or target == 0 or target == "":  # the API server defaults it to the port
        target = port.get("port")
    protocol = port.get("protocol", "TCP")
    path = ("spec", "ports", i, "targetPort" if "targetPort" in port else "port")
    if isinstance(target, str):
        if not target or target.isdigit():
            return  # the ``name`` rule reports quoted numbers
        for podset in selected:
            if not podset.ports_known:
                continue  # pods declared elsewhere, ports not given: any
            matches = [p for p in podset.declared_ports() if p.get("name") == target]
            if not matches:
                names = [p["name"] for p in podset.declared_ports() if isinstance(p.get("name"), str)]
                close = facts.suggest(target, names)
                hint = f"did you mean {close!r}?" if close else (
                    f"name the container port: ports: [{{name: {yaml_value(target)}, containerPort: ...}}]"
                )
                report.add(
                    "target-port", m,
                    f"{m.label}: port {yaml_value(port.get('port'))} targets container port name {target!r}, but "
                    f"{podset.manifest.label} declares no port of that name (declares: "
                    f"{_describe_ports(podset)}), so traffic to these pods would be refused; {hint}",
                    path,
                )
            elif not any(podset.serves(p, protocol) for p in matches):
                report.add(
                    "target-port", m,
                    f"{m.label}: port {port.get('port')} is {protocol} but container port {target!r} of "
                    f"{podset.manifest.label} is {matches[0].get('protocol', 'TCP')}",
                    path,
                )
        return
    if not isinstance(target, int) or isinstance(target, bool) or not all(p.ports_known for p in selected):
        return
    declared = [p for podset in selected for p in podset.declared_ports()]
    if any(p.get("containerPort") == target for p in declared):
        return
    host = [p for p in declared if p.get("hostPort") == target]
    if not host and any(_listens_on(podset, target) for podset in selected):
        return  # e.g. args: [--port=8080]: the process evidently listens there
    owners = ", ".join(sorted({p.manifest.label for p in selected}))
    if host:
        detail = (
            f"{target} is a hostPort (the node's port) mapped to containerPort "
            f"{host[0].get('containerPort')}; a Service sends traffic to the containerPort: "
            f"use targetPort: {host[0].get('containerPort')}"
        )
    elif declared:
        detail = (
            f"no selected container declares containerPort {target} (declared: "
            f"{', '.join(_describe_ports(p) for p in selected)}); unless the process listens on "
            f"{target} anyway, traffic is refused"
        )
    else:
        detail = (
            f"the selected containers declare no ports; declare containerPort {target} (ideally "
            "named, and target it by name) so the wiring can be checked"
        )
    report.add(
        "target-port", m, f"{m.label}: port {port.get('port')} targets {target} on {owners}: {detail}",
        path, severity="warning",
    )


def _listens_on(podset: PodSet, port: int) -> bool:
    """Whether a container's command, args or env values name ``port`` (``--port=8080``)."""
    number = re.compile(rf"(?<![0-9]){port}(?![0-9])")
    for container in podset.containers:
        if not isinstance(container, dict):
            continue
        words = [*_strings(container.get("command")), *_strings(container.get("args"))]
        env = container.get("env")
        if isinstance(env, list):
            words.extend(str(e.get("value")) for e in env if isinstance(e, dict) and "value" in e)
        if any(number.search(word) for word in words):
            return True
    return False


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _check_ingress(m: Manifest, index: StackIndex, report: Report) -> None:
    spec = m.obj.get("spec")
    if not isinstance(spec, dict):
        return
    namespace = m.namespace or DEFAULT_NAMESPACE
    backends: list[tuple[tuple[str | int, ...], Any]] = []
    if isinstance(spec.get("defaultBackend"), dict):
        backends.append((("spec", "defaultBackend"), spec["defaultBackend"]))
    if isinstance(spec.get("backend"), dict):
        backends.append((("spec", "backend"), spec["backend"]))
    rules = spec.get("rules")
    if isinstance(rules, list):
        for ri, rule in enumerate(rules):
            http = rule.get("http") if isinstance(rule, dict) else None
            paths = http.get("paths") if isinstance(http, dict) else None
            if not isinstance(paths, list):
                continue
            for pi, entry in enumerate(paths):
                if isinstance(entry, dict) and isinstance(entry.get("backend"), dict):
                    backends.append((("spec", "rules", ri, "http", "paths", pi, "backend"), entry["backend"]))
    for path, backend in backends:
        service_ref = backend.get("service")
        if isinstance(service_ref, dict):
            name = service_ref.get("name")
            port_ref: dict[str, Any] = service_ref["port"] if isinstance(service_ref.get("port"), dict) else {}
            wanted = port_ref.get("number", port_ref.get("name"))
            spath: tuple[str | int, ...] = (*path, "service")
        elif "serviceName" in backend:  # extensions/v1beta1 and networking.k8s.io/v1beta1
            name, wanted, spath = backend.get("serviceName"), backend.get("servicePort"), path
        else:
            continue  # a resource backend
        if not isinstance(name, str):
            continue
        service = index.services.get((namespace, name))
        if service is None and _declared_service(m, index, namespace, name, wanted, spath, service_ref, report):
            continue
        if service is None:
            names = [n for (ns, n) in index.services if ns == namespace]
            close = facts.suggest(name, names)
            hint = f"; did you mean {close!r}?" if close else (
                f"; Services in namespace {namespace!r}: {', '.join(sorted(names))}" if names else ""
            ) + ("" if close else "; add a Service of that name or fix the name")
            wanted_port = (wanted, 0) if isinstance(wanted, str) else ("", wanted) if isinstance(wanted, int) else None
            report.add(
                "ingress-backend", m,
                f"{m.label} routes to Service {name!r}, which the stack does not define in "
                f"namespace {namespace!r}{hint}" + ("" if close else "; if another file or tool makes it, declare "
                                                     f"it: External(kind='Service', name={name!r}) or --assume "
                                                     f"Service/{name}"),
                (*spath, "name") if isinstance(service_ref, dict) else spath,
                missing=Assumed("Service", name, namespace, ports=(wanted_port,) if wanted_port else None),
            )
            continue
        sspec = service.obj.get("spec")
        sports = sspec.get("ports") if isinstance(sspec, dict) else None
        if not isinstance(sports, list) or wanted is None:
            continue
        if isinstance(wanted, int) and not isinstance(wanted, bool):
            ok = any(isinstance(p, dict) and p.get("port") == wanted for p in sports)
        else:
            ok = any(isinstance(p, dict) and p.get("name") == wanted for p in sports)
        if not ok:
            have = ", ".join(
                f"{p.get('name')}({yaml_value(p.get('port'))})" if p.get("name") else yaml_value(p.get("port"))
                for p in sports if isinstance(p, dict)
            )
            names = [str(p["name"]) for p in sports if isinstance(p, dict) and isinstance(p.get("name"), str)]
            close = facts.suggest(wanted, names) if isinstance(wanted, str) else None
            hint = f"did you mean {close!r}?" if close else (
                f"route to one of its ports or add port {yaml_value(wanted)} to {service.label}"
            )
            report.add(
                "ingress-backend", m,
                f"{m.label} routes to port {yaml_value(wanted)} of {service.label}, which has no such port "
                f"(ports: {have or 'none'}); {hint}",
                (*spath, "port") if isinstance(service_ref, dict) else spath,
            )


def _declared_service(m: Manifest, index: StackIndex, namespace: str, name: str, wanted: Any,
                      path: tuple[str | int, ...], service_ref: Any, report: Report) -> bool:
    """Whether ``name`` is a Service declared to exist (then its declared ports are checked)."""
    declared = index.declared_service(namespace, name)
    if declared is None:
        return False
    ports = declared.ports
    if ports is None or wanted is None or isinstance(wanted, bool):
        return True
    if any(number == wanted if isinstance(wanted, int) else port_name == wanted for port_name, number in ports):
        return True
    report.add("ingress-backend", m, f"{m.label} routes to port {wanted!r} of {declared.label}, which declares no "
               f"such port (ports: {', '.join(n or str(p) for n, p in ports) or 'none'}); add it to the declaration "
               "or fix the port", (*path, "port") if isinstance(service_ref, dict) else path)
    return True
