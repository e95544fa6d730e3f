"""HorizontalPodAutoscalers, PodDisruptionBudgets and NetworkPolicies as builder calls.

Helpers first where the workloads are typed in the app: ``web.autoscale(...)``,
``web.budget(...)``, ``NetworkPolicy.allow(to=api, from_=[web], ...)``,
``NetworkPolicy.deny_all(...)``; the plain builder is the fallback (a helper refuses
what would never work, such as a utilisation target without requests: the plain
builder keeps the object as written, and the checks report it).
"""

from __future__ import annotations

from typing import Any

from kubegen.importer.objects import Context, metadata, top
from kubegen.importer.pods import Unsupported, is_int, is_str_map
from kubegen.importer.pysource import Call, call

# --- HorizontalPodAutoscaler ------------------------------------------------------------


def _target(target: Any) -> dict[str, Any]:
    """``utilization=``/``average_value=``/``value=`` of a metric target."""
    if not isinstance(target, dict) or len(target) != 2 or "type" not in target:
        raise Unsupported("a metric target other than one type and one value")
    key = {"Utilization": ("averageUtilization", "utilization"), "AverageValue": ("averageValue", "average_value"),
           "Value": ("value", "value")}.get(target["type"])
    if key is None or key[0] not in target:
        raise Unsupported(f"a metric target of type {target['type']!r}")
    value = target[key[0]]
    if not (is_int(value) if key[0] == "averageUtilization" else isinstance(value, str)):
        raise Unsupported("a target value kubegen would write in another form")
    return {key[1]: value}


def _selector_of(metric: Any) -> dict[str, Any]:
    if not isinstance(metric, dict) or not set(metric) <= {"name", "selector"} or not isinstance(
            metric.get("name"), str):
        raise Unsupported("a metric identifier other than name and selector")
    selector = metric.get("selector")
    if selector is None:
        return {}
    if not isinstance(selector, dict) or set(selector) != {"matchLabels"} or not is_str_map(selector["matchLabels"]):
        raise Unsupported("a metric selector other than matchLabels")
    return {"selector": selector["matchLabels"]}


def metric(item: Any) -> Call:
    """``Metric.cpu(70)``, ``Metric.pods(...)``, ...; ``Metric(spec=...)`` for any other shape."""
    try:
        return _typed_metric(item)
    except (Unsupported, KeyError, TypeError):
        return call("Metric", spec=item)


def _typed_metric(item: Any) -> Call:
    kind = item["type"]
    body = item[{"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
                 "Object": "object", "External": "external"}[kind]]
    if set(item) != {"type", kind[0].lower() + kind[1:]}:
        raise Unsupported("a metric with more than its type's field")
    if kind in ("Resource", "ContainerResource"):
        extra = {"container": body["container"]} if kind == "ContainerResource" else {}
        if set(body) != {"name", "target", *extra}:
            raise Unsupported("a resource metric with other fields")
        target = _target(body["target"])
        if kind == "Resource" and body["name"] in ("cpu", "memory") and set(target) == {"utilization"}:
            return call(f"Metric.{body['name']}", target["utilization"])
        func = "Metric.resource" if kind == "Resource" else "Metric.container_resource"
        return call(func, body["name"], **extra, **target)
    if set(body) != {"metric", "target", *(["describedObject"] if kind == "Object" else [])}:
        raise Unsupported("a metric with other fields")
    target = _target(body["target"])
    named = _selector_of(body["metric"])
    if kind == "Object":
        ref = body["describedObject"]
        if named or not isinstance(ref, dict) or not set(ref) <= {"apiVersion", "kind", "name"}:
            raise Unsupported("an object metric with a selector")
        version = {"api_version": ref["apiVersion"]} if "apiVersion" in ref else {}
        return call("Metric.object", body["metric"]["name"], described=(ref["kind"], ref["name"]), **version, **target)
    return call(f"Metric.{kind.lower()}", body["metric"]["name"], **named, **target)


def autoscaler(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``web.autoscale(...)`` or ``HorizontalPodAutoscaler(...)`` (autoscaling/v2)."""
    spec = top(obj, "spec")
    kwargs = metadata(obj, None)
    name = kwargs.pop("name")
    ref = spec.pop("scaleTargetRef", None)
    if not isinstance(ref, dict) or not set(ref) <= {"apiVersion", "kind", "name"} or not all(
            isinstance(ref.get(k), str) for k in ("kind", "name")):
        raise Unsupported("a scaleTargetRef without kind and name")
    if not set(spec) <= {"minReplicas", "maxReplicas", "metrics", "behavior"} or not is_int(spec.get("maxReplicas")):
        raise Unsupported(f"spec fields kubegen's HorizontalPodAutoscaler does not model: {sorted(spec)}")
    metrics = [metric(m) for m in spec.get("metrics") or []]
    rest: dict[str, Any] = {}
    if "behavior" in spec:
        rest["behavior"] = spec["behavior"]
    candidates = []
    found = ctx.find(ref["kind"], ref["name"])
    if found is not None and ref.get("apiVersion") == _served(ref["kind"]) and metrics:
        var, built = found
        helper: dict[str, Any] = {"max": spec["maxReplicas"]}
        if "minReplicas" in spec:
            helper["min"] = spec["minReplicas"]
        tail = list(metrics)
        for resource in ("cpu", "memory"):
            if tail and tail[0].func == f"Metric.{resource}":
                helper[resource] = tail.pop(0).args[0]
        if tail:
            helper["metrics"] = tail
        if name != built.name:
            helper["name"] = name
        labels = kwargs.pop("labels", {})
        if labels != dict(built.labels):
            helper["labels"] = labels
        candidates.append(call("autoscale", receiver=var, **helper, **rest, **kwargs))
        if labels:
            kwargs["labels"] = labels
    target: Any = f"{ref['kind']}/{ref['name']}"
    if ref.get("apiVersion") != _served(ref["kind"]):
        target = call("ScaleTarget", kind=ref["kind"], name=ref["name"], api_version=ref.get("apiVersion"))
    elif found is not None:
        target = found[0]
    plain: dict[str, Any] = {"name": name, "target": target, "max_replicas": spec["maxReplicas"]}
    if "minReplicas" in spec:
        plain["min_replicas"] = spec["minReplicas"]
    if metrics:
        plain["metrics"] = metrics
    candidates.append(call("HorizontalPodAutoscaler", **plain, **rest, **kwargs))
    return candidates


def _served(kind: str) -> str | None:
    from kubegen.facts import SCALABLE_KINDS

    return SCALABLE_KINDS.get(kind)


# --- PodDisruptionBudget ------------------------------------------------------------------


def budget(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``web.budget(...)`` when the selector is a typed workload's, else ``PodDisruptionBudget(...)``."""
    spec = top(obj, "spec")
    kwargs = metadata(obj, None)
    name = kwargs.pop("name")
    labels, exprs = selector_parts(spec.pop("selector", None), "selector")
    if not labels and not exprs:
        raise Unsupported("an empty selector (every pod of the namespace)")
    fields: dict[str, Any] = {}
    for key, arg in (("maxUnavailable", "max_unavailable"), ("minAvailable", "min_available"),
                     ("unhealthyPodEvictionPolicy", "unhealthy_pod_eviction_policy")):
        if key in spec:
            fields[arg] = spec.pop(key)
    if spec:
        raise Unsupported(f"spec fields kubegen's PodDisruptionBudget does not model: {sorted(spec)}")
    candidates = []
    found = ctx.workload_for(labels) if not exprs else None
    if found is not None:
        var, built = found
        helper = dict(fields)
        own = kwargs.get("labels", {})  # the budget's own metadata labels, not its selector's
        rest = {k: v for k, v in kwargs.items() if k != "labels"}
        if own != dict(built.labels):
            rest["labels"] = own
        candidates.append(call("budget", receiver=var, **({"name": name} if name != built.name else {}), **helper,
                               **rest))
    chosen: dict[str, Any] = {"selector": labels} if labels else {}
    if exprs:
        chosen["selector_expressions"] = exprs
    candidates.append(call("PodDisruptionBudget", name=name, **chosen, **fields, **kwargs))
    return candidates


# --- NetworkPolicy ------------------------------------------------------------------


_OPERATORS = {"In": "LabelExpression.in_", "NotIn": "LabelExpression.not_in", "Exists": "LabelExpression.exists",
              "DoesNotExist": "LabelExpression.does_not_exist"}


def selector_parts(selector: Any, what: str) -> tuple[dict[str, str], list[Call]]:
    """A LabelSelector as labels and ``LabelExpression`` calls (``{}``: neither)."""
    if not isinstance(selector, dict) or not set(selector) <= {"matchLabels", "matchExpressions"}:
        raise Unsupported(f"a {what} other than matchLabels and matchExpressions")
    labels = selector.get("matchLabels", {})
    if not is_str_map(labels) or ("matchLabels" in selector and not labels):
        raise Unsupported(f"a {what} whose matchLabels kubegen would write in another form")
    exprs = selector.get("matchExpressions", [])
    if not isinstance(exprs, list) or ("matchExpressions" in selector and not exprs):
        raise Unsupported(f"a {what} whose matchExpressions kubegen would write in another form")
    calls = []
    for e in exprs:
        func = _OPERATORS.get(str(e.get("operator"))) if isinstance(e, dict) else None
        values = e.get("values") if isinstance(e, dict) else None
        if func is None or not isinstance(e.get("key"), str) or not set(e) <= {"key", "operator", "values"} or (
                (values is not None) != (e["operator"] in ("In", "NotIn"))) or (
                values is not None and not (isinstance(values, list) and values
                                            and all(isinstance(v, str) for v in values))):
            raise Unsupported(f"a {what} expression kubegen would write in another form")
        calls.append(call(func, e["key"], *([values] if values is not None else [])))
    return dict(labels), calls


def _labels(selector: Any, what: str) -> tuple[dict[str, str], list[Call]]:
    return ({}, []) if selector == {} else selector_parts(selector, what)


def _peer(peer: Any, ctx: Context) -> Any:
    if not isinstance(peer, dict) or not peer:
        raise Unsupported("a peer that is not a mapping")
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        if set(peer) != {"ipBlock"} or not isinstance(block, dict) or not set(block) <= {"cidr", "except"}:
            raise Unsupported("an ipBlock with other fields")
        return call("NetworkPolicyPeer.block", block.get("cidr"),
                    **({"except_": block["except"]} if "except" in block else {}))
    if not set(peer) <= {"podSelector", "namespaceSelector"}:
        raise Unsupported("a peer with fields other than podSelector and namespaceSelector")
    pods, pod_exprs = _labels(peer["podSelector"], "podSelector") if "podSelector" in peer else (None, [])
    spaces, space_exprs = _labels(peer["namespaceSelector"], "namespaceSelector") if "namespaceSelector" in peer \
        else (None, [])
    if spaces is None and pods and not pod_exprs:
        found = ctx.workload_for(pods)
        if found is not None and found[1].namespace is None:
            return found[0]
    kwargs: dict[str, Any] = {}
    if pods is not None and (pods or not pod_exprs):
        kwargs["pod_selector"] = pods
    if pod_exprs:
        kwargs["pod_selector_expressions"] = pod_exprs
    if spaces is not None and (spaces or not space_exprs):
        kwargs["namespace_selector"] = spaces
    if space_exprs:
        kwargs["namespace_selector_expressions"] = space_exprs
    return call("NetworkPolicyPeer", **kwargs)


def _port(port: Any) -> Any:
    if not isinstance(port, dict) or not set(port) <= {"port", "protocol", "endPort"}:
        raise Unsupported("a port with other fields")
    if set(port) == {"port"} and (is_int(port["port"]) or isinstance(port["port"], str)):
        return port["port"]
    names = {"port": "port", "protocol": "protocol", "endPort": "end_port"}
    return call("NetworkPolicyPort", **{names[k]: v for k, v in port.items()})


def _rules(rules: Any, peers_key: str, ctx: Context) -> list[Call]:
    if not isinstance(rules, list):
        raise Unsupported("rules that are not a list")
    out = []
    for rule in rules:
        if not isinstance(rule, dict) or not set(rule) <= {peers_key, "ports"}:
            raise Unsupported(f"a rule with fields other than {peers_key} and ports")
        kwargs: dict[str, Any] = {}
        if rule.get(peers_key):
            kwargs["peers"] = [_peer(p, ctx) for p in rule[peers_key]]
        if rule.get("ports"):
            kwargs["ports"] = [_port(p) for p in rule["ports"]]
        out.append(call("NetworkPolicyRule", **kwargs))
    return out


def _default_types(spec: dict[str, Any]) -> list[str]:
    return ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def network_policy(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``NetworkPolicy.deny_all(...)``, ``NetworkPolicy.allow(...)`` or ``NetworkPolicy(...)``."""
    spec = top(obj, "spec")
    kwargs = metadata(obj, None)
    name = kwargs.pop("name")
    if not set(spec) <= {"podSelector", "policyTypes", "ingress", "egress"}:
        raise Unsupported(f"spec fields kubegen's NetworkPolicy does not model: {sorted(set(spec))}")
    selector, selector_exprs = _labels(spec.get("podSelector", {}), "podSelector")
    types = spec.get("policyTypes") or _default_types(spec)
    ingress = _rules(spec["ingress"], "from", ctx) if spec.get("ingress") else None
    egress = _rules(spec["egress"], "to", ctx) if spec.get("egress") else None
    candidates = []
    if not selector and not selector_exprs and ingress is None and egress is None and types in (
            ["Ingress"], ["Ingress", "Egress"], ["Egress"]):
        flags: dict[str, Any] = {k: v for k, v in (("ingress", "Ingress" in types), ("egress", "Egress" in types))
                                 if v != (k == "ingress")}
        candidates.append(call("NetworkPolicy.deny_all", name, **flags, **kwargs))
    allow = _allow(name, spec, selector, types, ctx, kwargs) if not selector_exprs else None
    if allow is not None:
        candidates.append(allow)
    plain: dict[str, Any] = {"name": name}
    if selector:
        plain["pod_selector"] = selector
    if selector_exprs:
        plain["pod_selector_expressions"] = selector_exprs
    for key, rules in (("ingress", ingress), ("egress", egress)):
        if rules is not None:
            plain[key] = rules
        elif key.capitalize() in types:
            plain[key] = []  # isolated, no rule: nothing allowed
    derived = [t for t, rules in (("Ingress", plain.get("ingress")), ("Egress", plain.get("egress")))
               if rules is not None] or ["Ingress"]
    if types != derived:
        plain["policy_types"] = types
    candidates.append(call("NetworkPolicy", **plain, **kwargs))
    return candidates


def _allow(name: str, spec: dict[str, Any], selector: dict[str, str], types: list[str], ctx: Context,
           kwargs: dict[str, Any]) -> Call | None:
    """``NetworkPolicy.allow(to=..., from_=[...], port=...)`` for one ingress rule into a
    typed workload from typed workloads (or from anywhere)."""
    rules = spec.get("ingress")
    if types != ["Ingress"] or spec.get("egress") or not isinstance(rules, list) or len(rules) != 1:
        return None
    target = ctx.workload_for(selector) if selector else None
    rule = rules[0]
    if target is None or not isinstance(rule, dict) or not set(rule) <= {"from", "ports"}:
        return None
    try:
        sources = [_peer(peer, ctx) for peer in rule.get("from") or []]
    except Unsupported:
        return None
    ports = rule.get("ports") or []
    if not all(isinstance(p, dict) and set(p) == {"port"} for p in ports):
        return None
    helper: dict[str, Any] = {"to": target[0]}
    if sources:
        helper["from_"] = sources if len(sources) > 1 else sources[0]
    if len(ports) == 1:
        helper["port"] = ports[0]["port"]
    elif ports:
        helper["ports"] = [p["port"] for p in ports]
    helper["name"] = name
    labels = kwargs.get("labels", {})
    rest = {k: v for k, v in kwargs.items() if k != "labels"}
    if labels != dict(target[1].labels):
        rest["labels"] = labels
    return call("NetworkPolicy.allow", **helper, **rest)


__all__ = ["autoscaler", "budget", "metric", "network_policy"]
