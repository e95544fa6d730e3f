"""HorizontalPodAutoscalers (autoscaling validation: replicas bounds, the scale target,
metric sources and targets, scaling behavior)."""

from __future__ import annotations

from typing import Any

from kubegen import facts, names
from kubegen.checks.validation.base import Ctx, P, dicts, ival, mapping, sval
from kubegen.checks.validation.meta import check_label_selector
from kubegen.checks.validation.resources import container_resource_name_problems

SOURCES = {"Object": "object", "Pods": "pods", "Resource": "resource", "ContainerResource": "containerResource",
           "External": "external"}
TARGET_TYPES = ("Utilization", "Value", "AverageValue")
_SELECT_POLICIES = ("Max", "Min", "Disabled")
_POLICY_TYPES = ("Pods", "Percent")
MAX_PERIOD = 1800
MAX_WINDOW = 3600


def check_hpa(ctx: Ctx, spec: dict[str, Any]) -> None:
    path: P = ("spec",)
    low, high = ival(spec.get("minReplicas")), ival(spec.get("maxReplicas"))
    if low is not None and low < 1:
        ctx.invalid((*path, "minReplicas"), low, "must be greater than or equal to 1")
    if high is not None and high < 1:
        ctx.invalid((*path, "maxReplicas"), high, "must be greater than 0")
    if high is not None and low is not None and high < low:
        ctx.invalid((*path, "maxReplicas"), high, f"must be greater than or equal to minReplicas ({low})")
    _check_reference(ctx, mapping(spec.get("scaleTargetRef")), (*path, "scaleTargetRef"))
    if ctx.m.api_version == "autoscaling/v1":
        percent = ival(spec.get("targetCPUUtilizationPercentage"))
        if percent is not None and percent < 1:
            ctx.invalid((*path, "targetCPUUtilizationPercentage"), percent, "must be greater than 0")
        return
    for i, metric in dicts(spec.get("metrics")):
        _check_metric(ctx, metric, (*path, "metrics", i))
    behavior = mapping(spec.get("behavior"))
    if behavior is not None:
        for field in ("scaleUp", "scaleDown"):
            rules = mapping(behavior.get(field))
            if rules is not None:
                _check_rules(ctx, rules, (*path, "behavior", field))


def _check_reference(ctx: Ctx, ref: dict[str, Any] | None, path: P) -> None:
    if ref is None:
        return
    for field in ("kind", "name"):
        value = ref.get(field)
        if value == "":
            ctx.add((*path, field), f"is required: the {field} of the object to scale")
        elif isinstance(value, str):
            ctx.problems((*path, field), value, names.path_segment_problems(value))


def _check_metric(ctx: Ctx, metric: dict[str, Any], path: P) -> None:
    kind = sval(metric.get("type"))
    if kind == "":
        ctx.add((*path, "type"), f"is required: one of {', '.join(SOURCES)}")
    elif kind is not None and kind not in SOURCES:
        ctx.unsupported((*path, "type"), kind, SOURCES)
    expected = SOURCES.get(kind or "")
    present = [f for f in SOURCES.values() if metric.get(f) is not None]
    if expected and expected not in present:
        ctx.add((*path, expected), f"is required: must populate the {kind} metric source (type is {kind})")
    for extra in present:
        if expected and extra != expected:
            ctx.add((*path, extra), f"must not be set: populate only the {kind} metric source")
    source = mapping(metric.get(expected or ""))
    if source is None:
        return
    here = (*path, expected or "")
    if expected in ("resource", "containerResource"):
        name = source.get("name")
        if name == "":
            ctx.add((*here, "name"), "is required: the resource (cpu, memory)")
        elif expected == "containerResource" and isinstance(name, str):  # validateContainerResourceSource
            ctx.problems((*here, "name"), name, container_resource_name_problems(name))
        container = source.get("container")
        if expected == "containerResource" and container == "":
            ctx.add((*here, "container"), "is required: the container whose usage counts")
        elif expected == "containerResource" and isinstance(container, str):
            ctx.problems((*here, "container"), container, names.dns1123_label_problems(container))
    else:
        ident = mapping(source.get("metric")) or {}
        name = ident.get("name")
        if name == "":
            ctx.add((*here, "metric", "name"), "is required: the metric's name")
        elif isinstance(name, str):
            ctx.problems((*here, "metric", "name"), name, names.path_segment_problems(name))
        check_label_selector(ctx, ident.get("selector"), (*here, "metric", "selector"))  # validateMetricIdentifier
    if expected == "object":
        _check_reference(ctx, mapping(source.get("describedObject")), (*here, "describedObject"))
    target = mapping(source.get("target"))
    if target is not None:
        _check_target(ctx, target, (*here, "target"), expected or "")


def _check_target(ctx: Ctx, target: dict[str, Any], path: P, source: str) -> None:
    kind = target.get("type")
    if kind == "":
        ctx.add((*path, "type"), f"is required: one of {', '.join(TARGET_TYPES)}")
    elif isinstance(kind, str) and kind not in TARGET_TYPES:
        ctx.unsupported((*path, "type"), kind, TARGET_TYPES)
    for field in ("value", "averageValue"):
        amount = facts.parse_quantity(target.get(field))
        if amount is not None and amount <= 0:
            ctx.invalid((*path, field), target.get(field), "must be positive")
    utilization = ival(target.get("averageUtilization"))
    if utilization is not None and utilization < 1:
        ctx.invalid((*path, "averageUtilization"), utilization, "must be greater than 0")
    value, average, util = (target.get(f) is not None for f in ("value", "averageValue", "averageUtilization"))
    if source in ("resource", "containerResource"):
        if not average and not util:
            ctx.add((*path, "averageUtilization"), "is required: set a target averageUtilization (percent) or "
                    "averageValue")
        elif average and util:
            ctx.add((*path, "averageValue"), "may not be set together with averageUtilization; keep one")
    elif source == "pods" and not average:
        ctx.add((*path, "averageValue"), "is required: a Pods metric needs a target averageValue")
    elif source in ("object", "external") and not value and not average:
        ctx.add((*path, "averageValue"), "is required: set a target value or averageValue")
    elif source == "external" and value and average:
        ctx.add((*path, "value"), "may not be set together with averageValue; keep one")


def _check_rules(ctx: Ctx, rules: dict[str, Any], path: P) -> None:
    window = ival(rules.get("stabilizationWindowSeconds"))
    if window is not None and not 0 <= window <= MAX_WINDOW:
        ctx.invalid((*path, "stabilizationWindowSeconds"), window, f"must be between 0 and {MAX_WINDOW}")
    select = rules.get("selectPolicy")
    if isinstance(select, str) and select not in _SELECT_POLICIES:
        ctx.unsupported((*path, "selectPolicy"), select, _SELECT_POLICIES)
    policies = rules.get("policies")
    if policies == []:  # absent: the defaults' policies; given empty: none at all
        ctx.add((*path, "policies"), "must specify at least one policy (or omit policies to keep the defaults)")
    tolerance = facts.parse_quantity(rules.get("tolerance"))
    if tolerance is not None and tolerance < 0:
        ctx.invalid((*path, "tolerance"), rules.get("tolerance"), "must be greater than or equal to 0")
    for i, policy in dicts(policies):
        here = (*path, "policies", i)
        kind = policy.get("type")
        if isinstance(kind, str) and kind not in _POLICY_TYPES:
            ctx.unsupported((*here, "type"), kind, _POLICY_TYPES)
        value, period = ival(policy.get("value")), ival(policy.get("periodSeconds"))
        if value is not None and value <= 0:
            ctx.invalid((*here, "value"), value, "must be greater than zero")
        if period is not None and not 0 < period <= MAX_PERIOD:
            ctx.invalid((*here, "periodSeconds"), period, f"must be greater than zero and at most {MAX_PERIOD}")
