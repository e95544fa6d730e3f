"""Deployments, ReplicaSets, StatefulSets, DaemonSets and ReplicationControllers (apps
validation, and core's ValidateReplicationController): counts, update strategies, the
selector (rule ``workload-selector``) and the pod template."""

from __future__ import annotations

from typing import Any

from kubegen import names
from kubegen.checks import kubeversion
from kubegen.checks.validation import pods, versions
from kubegen.checks.validation.base import Ctx, P, dicts, ival, mapping, non_negative, sval
from kubegen.checks.validation.config import check_claim_templates
from kubegen.checks.validation.meta import check_label_selector, check_labels, int_or_percent, selector_matches
from kubegen.finding import flow_labels

SELECTOR = "workload-selector"
_RETENTION = ("Retain", "Delete")


def check_workload(ctx: Ctx, spec: dict[str, Any]) -> None:
    path: P = ("spec",)
    kind = ctx.kind
    for field in ("replicas", "minReadySeconds", "revisionHistoryLimit"):
        non_negative(ctx, spec, field, path)
    template = spec.get("template")
    if template is None and kind != "ReplicationController":
        template = {}
    claims: list[str] = []
    if kind == "StatefulSet":
        if not versions.since(ctx.target, "statefulset-pod-template"):
            ctx.lenient = (("spec", "volumeClaimTemplates"), ("spec", "template", "spec"))
            release = kubeversion.text(ctx.target)
            ctx.lenient_note = (f"the Kubernetes {release} API server accepts this in a StatefulSet (it checks "
                                "templates only since 1.34), but the pods or claims made from it would be refused")
        claims = check_claim_templates(ctx, spec.get("volumeClaimTemplates"), (*path, "volumeClaimTemplates"))
        # the server validates the template with one volume per claim template put first
        ctx.shifts = (((*path, "template", "spec", "volumes"), len(set(claims))),)
        _check_statefulset(ctx, spec, path)
    elif kind == "Deployment":
        _check_deployment(ctx, spec, path)
    elif kind == "DaemonSet":
        non_negative(ctx, spec, "templateGeneration", path)
        _check_daemonset_strategy(ctx, spec, path)
    if isinstance(template, dict):
        pods.check_template(ctx, template, (*path, "template"), claims)
        _check_selector(ctx, spec, template)


def _check_selector(ctx: Ctx, spec: dict[str, Any], template: dict[str, Any]) -> None:
    meta = mapping(template.get("metadata")) or {}
    labels = mapping(meta.get("labels")) or {}
    selector = spec.get("selector")
    where: P = ("spec", "selector")
    if ctx.kind == "ReplicationController":
        if selector is None or selector == {}:
            selector = labels  # defaults to the template's labels
            if not labels:
                ctx.add(where, "is required: set a selector or give the pod template labels", rule=SELECTOR)
                return
        if isinstance(selector, dict):
            check_labels(ctx, selector, where)
            selector = {"matchLabels": selector}
    else:
        if selector is None:
            example = flow_labels(labels) if labels else "{app: NAME}"
            ctx.add(where, f"is required in {ctx.m.api_version}: add selector: {{matchLabels: {example}}}",
                    rule=SELECTOR)
            return
        if not isinstance(selector, dict):
            return
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            ctx.add(where, f"is empty: an empty selector is invalid for a {ctx.kind}; it must select the template's "
                    "labels", rule=SELECTOR)
            return
        check_label_selector(ctx, selector, where)
    if not selector_matches(selector, labels):
        ctx.add(("spec", "template", "metadata", "labels"), f"{flow_labels(labels)} do not match spec.selector "
                f"{_describe(selector)}; the API server rejects this (`selector` does not match template `labels`): "
                "make the template labels include the selector", rule=SELECTOR)


def _describe(selector: dict[str, Any]) -> str:
    parts = []
    match = selector.get("matchLabels")
    if isinstance(match, dict) and match:
        parts.append(flow_labels(match))
    for _, expr in dicts(selector.get("matchExpressions")):
        parts.append(f"{expr.get('key')} {expr.get('operator')} {expr.get('values') or ''}".strip())
    return " and ".join(parts) or "{}"


def _check_deployment(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    deadline, ready = ival(spec.get("progressDeadlineSeconds")), ival(spec.get("minReadySeconds")) or 0
    if deadline is not None:
        non_negative(ctx, spec, "progressDeadlineSeconds", path)
        if deadline <= ready:
            ctx.invalid((*path, "progressDeadlineSeconds"), deadline, f"must be greater than minReadySeconds ({ready})")
    strategy = mapping(spec.get("strategy"))
    if strategy is None:
        return
    here = (*path, "strategy")
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate" and rolling is not None:
        ctx.add((*here, "rollingUpdate"), "may not be specified when strategy type is Recreate; remove it or use "
                "type: RollingUpdate")
    elif kind == "RollingUpdate" and isinstance(rolling, dict):
        where = (*here, "rollingUpdate")
        unavailable = int_or_percent(ctx, rolling, "maxUnavailable", where, max_100=True)
        surge = int_or_percent(ctx, rolling, "maxSurge", where, max_100=False)
        if "maxUnavailable" not in rolling:
            unavailable = 25
        if "maxSurge" not in rolling:
            surge = 25
        if unavailable == 0 and surge == 0:
            ctx.invalid((*where, "maxUnavailable"), rolling.get("maxUnavailable", 0), "may not be 0 when maxSurge is "
                        "0: a rollout could never make progress; make one of them at least 1")


def _check_daemonset_strategy(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    strategy = mapping(spec.get("updateStrategy"))
    if strategy is None or (strategy.get("type") or "RollingUpdate") != "RollingUpdate":
        return
    rolling = mapping(strategy.get("rollingUpdate")) or {}
    where = (*path, "updateStrategy", "rollingUpdate")
    unavailable = int_or_percent(ctx, rolling, "maxUnavailable", where, max_100=True)
    surge = int_or_percent(ctx, rolling, "maxSurge", where, max_100=True)
    unavailable = 1 if "maxUnavailable" not in rolling else unavailable
    surge = 0 if "maxSurge" not in rolling else surge
    if unavailable is None or surge is None:
        return
    if unavailable and surge:
        ctx.invalid((*where, "maxSurge"), rolling.get("maxSurge"), "may not be set when maxUnavailable is non-zero: "
                    "a DaemonSet takes one of them (set maxSurge: 0 or maxUnavailable: 0)")
    elif not unavailable and not surge:
        ctx.add((*where, "maxUnavailable"), "cannot be 0 when maxSurge is 0 (its default): make one of them at least 1")


def _check_statefulset(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    service = sval(spec.get("serviceName"))
    if service and versions.since(ctx.target, "statefulset-service-name"):
        problems = names.dns1123_label_problems(service)
        if problems:
            note = f" ({versions.applies(ctx.target, 'statefulset-service-name')}: it becomes the pods' subdomain)"
            ctx.problems((*path, "serviceName"), service, [p + note for p in problems],
                         fix=names.fix_dns_label)
    ordinals = mapping(spec.get("ordinals"))
    if ordinals is not None:
        non_negative(ctx, ordinals, "start", (*path, "ordinals"))
    retention = mapping(spec.get("persistentVolumeClaimRetentionPolicy"))
    for field in ("whenDeleted", "whenScaled"):
        value = (retention or {}).get(field)
        if isinstance(value, str) and value not in _RETENTION:
            ctx.unsupported((*path, "persistentVolumeClaimRetentionPolicy", field), value, _RETENTION)
    strategy = mapping(spec.get("updateStrategy"))
    if strategy is None:
        return
    here = (*path, "updateStrategy")
    kind, rolling = strategy.get("type") or "RollingUpdate", strategy.get("rollingUpdate")
    if kind == "OnDelete" and rolling is not None:
        ctx.add((*here, "rollingUpdate"), "is only allowed for updateStrategy type RollingUpdate; remove it")
    elif kind == "RollingUpdate" and isinstance(rolling, dict):
        where = (*here, "rollingUpdate")
        non_negative(ctx, rolling, "partition", where)
        if rolling.get("maxUnavailable") is not None:
            unavailable = int_or_percent(ctx, rolling, "maxUnavailable", where, max_100=True)
            if unavailable == 0:
                ctx.invalid((*where, "maxUnavailable"), rolling.get("maxUnavailable"), "cannot be 0")
