"""One object as builder calls: the candidate spellings for each modeled kind, best first.

Workloads and Services live here; Ingress in :mod:`kubegen.importer.ingress`, the
config kinds in :mod:`kubegen.importer.objects`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubegen.importer.ingress import ingress
from kubegen.importer.objects import Context, config, metadata, named, namespace, object_name, top
from kubegen.importer.pods import Unsupported, is_int, is_str_list, is_str_map, kwargs_of, pod_spec
from kubegen.importer.pysource import Call, Var, call
from kubegen.model.identity import default_selector

# --- workloads -------------------------------------------------------------------


def template_parts(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    template = spec.pop("template", None)
    if not isinstance(template, dict) or not set(template) <= {"metadata", "spec"}:
        raise Unsupported("a pod template with fields other than metadata and spec")
    meta = template.get("metadata") or {}
    if not isinstance(meta, dict):
        raise Unsupported("pod template metadata other than labels and annotations")
    meta = {k: v for k, v in meta.items() if not (k == "creationTimestamp" and v is None)}
    if not set(meta) <= {"labels", "annotations"} or not all(is_str_map(v) for v in meta.values()):
        raise Unsupported("pod template metadata other than labels and annotations")
    return meta, template.get("spec")  # type: ignore[return-value]


def workload(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``Pod``/``Deployment``/``StatefulSet``/``DaemonSet``."""
    kind = obj["kind"]
    spec = top(obj, "spec")
    default_labels = {"app": object_name(obj)}
    if kind == "Pod":
        pod_kwargs = metadata(obj, default_labels)
        pod_kwargs.update(pod_spec(spec, ctx.refs))
        return [call("Pod", **pod_kwargs)]
    template_meta, template_spec = template_parts(spec)
    pod_labels = template_meta.get("labels") or {}
    meta = metadata(obj, default_labels)
    head = {"name": meta.pop("name")}
    for key in ("generate_name", "namespace"):
        if key in meta:
            head[key] = meta.pop(key)
    kwargs: dict[str, Any] = {key: meta.pop(key) for key in ("hook", "sync_wave") if key in meta}
    if "labels" in meta:
        kwargs["labels"] = meta["labels"]
    if pod_labels != meta.get("labels", default_labels):  # pods labelled apart from their controller
        kwargs["pod_labels"] = pod_labels
    if "annotations" in meta:
        kwargs["annotations"] = meta["annotations"]
    if kind in ("Deployment", "StatefulSet") and is_int(spec.get("replicas")):
        replicas = spec.pop("replicas")
        if replicas != 1:
            head["replicas"] = replicas
    elif kind in ("Deployment", "StatefulSet") and "replicas" not in spec:
        # left out on purpose (an autoscaler, KEDA or `kubectl scale` owns the count):
        # writing the builder's default 1 would reset it on every apply
        head["replicas"] = None
    selector = spec.pop("selector", None)
    if not isinstance(selector, dict) or set(selector) != {"matchLabels"} or not is_str_map(selector["matchLabels"]):
        raise Unsupported("a selector other than matchLabels")
    if selector["matchLabels"] != _default_selector(pod_labels):
        kwargs["selector"] = selector["matchLabels"]
    if template_meta.get("annotations"):
        kwargs["pod_annotations"] = template_meta["annotations"]
    if kind == "Deployment":
        strategy = spec.get("strategy")
        if strategy == {}:
            kwargs["strategy"] = ""
        elif isinstance(strategy, dict) and set(strategy) == {"type"} and isinstance(strategy["type"], str):
            kwargs["strategy"] = strategy["type"]
        if "strategy" in kwargs:
            del spec["strategy"]
    if kind == "StatefulSet":
        service_name = spec.pop("serviceName", None)
        if not isinstance(service_name, str) or not service_name:
            raise Unsupported("no serviceName")
        kwargs["service_name"] = ctx.refs("Service", service_name)
        claims = _claim_templates(spec.get("volumeClaimTemplates"))
        if claims is not None:
            kwargs["volume_claim_templates"] = claims
            del spec["volumeClaimTemplates"]
    kwargs.update(pod_spec(template_spec, ctx.refs))
    if spec:
        kwargs["spec_extra"] = spec
    return [call(kind, **head, **kwargs)]


def _claim_templates(value: Any) -> list[Call] | None:
    from kubegen.importer.appkinds import claim_template

    if not isinstance(value, list) or not value:
        return None
    try:
        return [claim_template(item) for item in value]
    except Unsupported:
        return None  # left in spec_extra as written


# --- services ----------------------------------------------------------------------


def _service_port(port: Any) -> Any:
    if not isinstance(port, dict) or not is_int(port.get("port")):
        return None
    rest = dict(port)
    kwargs = kwargs_of(rest, (
        ("name", "name", lambda v: isinstance(v, str)),
        ("port", "port", is_int),
        ("targetPort", "target_port", lambda v: is_int(v) or isinstance(v, str)),
        ("nodePort", "node_port", is_int),
        ("protocol", "protocol", lambda v: isinstance(v, str)),
        ("appProtocol", "app_protocol", lambda v: isinstance(v, str)),
    ))
    if rest:
        return None
    if kwargs.get("protocol") == "TCP":
        del kwargs["protocol"]
    return kwargs


def _service_ports(ports: Any) -> list[dict[str, Any]] | None:
    if not isinstance(ports, list) or not ports:
        return None
    parsed = [_service_port(p) for p in ports]
    return None if any(p is None for p in parsed) else parsed


def _port_nodes(ports: list[dict[str, Any]]) -> list[Any]:
    return [p["port"] if set(p) == {"port"} else call("ServicePort", **p) for p in ports]


_SERVICE_FIELDS: tuple[tuple[str, str, Callable[[Any], bool]], ...] = (
    ("clusterIP", "cluster_ip", lambda v: isinstance(v, str)),
    ("externalName", "external_name", lambda v: isinstance(v, str)),
    ("externalTrafficPolicy", "external_traffic_policy", lambda v: isinstance(v, str)),
    ("sessionAffinity", "session_affinity", lambda v: isinstance(v, str)),
    ("loadBalancerSourceRanges", "load_balancer_source_ranges", is_str_list),
    ("publishNotReadyAddresses", "publish_not_ready_addresses", lambda v: isinstance(v, bool)),
)


def _declared_protocols(built: Any, number: int) -> list[str]:
    found = [p.protocol for c in built.containers for p in c.ports if p.container_port == number]
    return list(dict.fromkeys(found))


def _expose(var: Var, built: Any, meta: dict[str, Any], type_: Any, ports: list[dict[str, Any]] | None,
            fields: dict[str, Any]) -> Call:
    kwargs: dict[str, Any] = {}
    args: list[Any] = []
    if ports is not None and len(ports) == 1 and set(ports[0]) <= {"port", "target_port", "node_port", "protocol"}:
        port = ports[0]
        args.append(port["port"])
        if port.get("target_port", port["port"]) != port["port"]:
            kwargs["target_port"] = port["target_port"]
        if "node_port" in port:
            kwargs["node_port"] = port["node_port"]
        protocol = port.get("protocol", "TCP")
        if _declared_protocols(built, port["port"]) not in ([protocol], [] if protocol == "TCP" else [protocol]):
            kwargs["protocol"] = protocol
    elif ports is not None:
        kwargs["ports"] = [call("ServicePort", **p) for p in ports]
    if type_ is not None:
        kwargs["type"] = type_
    if meta["name"] != built.name:
        kwargs["name"] = meta["name"]
    if meta["labels"] != dict(built.labels):
        kwargs["labels"] = meta["labels"]
    if "annotations" in meta:
        kwargs["annotations"] = meta["annotations"]
    kwargs.update(fields)
    return call("expose", *args, receiver=var, **kwargs)


def service(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``workload.expose(...)`` when the selector is a workload's, else ``Service(...)``."""
    spec = top(obj, "spec")
    meta = metadata(obj, None)
    meta.setdefault("labels", {})
    type_ = spec.pop("type", None)
    if type_ is not None and not isinstance(type_, str):
        raise Unsupported("a type that is not a string")
    ports = _service_ports(spec.get("ports"))
    if ports is not None:
        del spec["ports"]
    selector = spec.get("selector")
    if selector is not None and not (is_str_map(selector) and selector):
        raise Unsupported("a selector other than matchLabels")
    spec.pop("selector", None)
    fields = kwargs_of(spec, _SERVICE_FIELDS)
    if spec:
        fields["spec_extra"] = spec
    candidates = []
    target = ctx.workload_for(selector) if selector else None
    if target is not None:
        candidates.append(_expose(target[0], target[1], meta, type_, ports, fields))
    kwargs: dict[str, Any] = {"name": meta.pop("name")}
    if "namespace" in meta:
        kwargs["namespace"] = meta.pop("namespace")
    if type_ not in (None, "ClusterIP"):
        kwargs["type"] = type_
    if selector:
        kwargs["selector"] = selector
    if ports is not None:
        kwargs["ports"] = _port_nodes(ports)
    if not meta["labels"]:
        del meta["labels"]
    candidates.append(call("Service", **kwargs, **meta, **fields))
    return candidates


def _candidates() -> dict[str, Callable[[dict[str, Any], Context], list[Call]]]:
    from kubegen.importer import appkinds, policies

    return {
        "Pod": workload, "Deployment": workload, "StatefulSet": workload, "DaemonSet": workload,
        "Service": service, "Ingress": ingress, "ConfigMap": config, "Secret": config,
        "Namespace": namespace, "Job": appkinds.job, "CronJob": appkinds.job,
        "PersistentVolumeClaim": appkinds.claim, "ServiceAccount": appkinds.service_account,
        "Role": appkinds.role, "ClusterRole": appkinds.role, "RoleBinding": appkinds.binding,
        "ClusterRoleBinding": appkinds.binding, "HorizontalPodAutoscaler": policies.autoscaler,
        "PodDisruptionBudget": policies.budget, "NetworkPolicy": policies.network_policy,
    }


CANDIDATES = _candidates()


def candidates(obj: dict[str, Any], ctx: Context) -> tuple[list[Call], str | None]:
    """The typed spellings of ``obj``, best first, or none and the reason why only ``Raw``
    can write it (no reason for kinds kubegen does not model)."""
    make = CANDIDATES.get(obj.get("kind"))  # type: ignore[arg-type]
    if make is None:
        return [], None
    try:
        return [named(node) for node in make(obj, ctx)], None
    except Unsupported as exc:
        return [], str(exc)


def _default_selector(pod_labels: dict[str, str]) -> dict[str, str] | None:
    """The selector a builder writes without ``selector=`` (None: it would refuse the labels)."""
    try:
        return default_selector(pod_labels)
    except ValueError:
        return None
