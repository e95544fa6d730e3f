"""Selection rules: objects that act on pods picked by a selector or a target reference.

- ``hpa-target``: a HorizontalPodAutoscaler's ``scaleTargetRef`` names a workload of the
  stack that can be scaled (at the apiVersion that serves it), whose containers all
  request the resource a utilisation target is a percentage of; two autoscalers on one
  workload fight (warning).
- ``pdb-selector``: a PodDisruptionBudget's selector matches pods.
- ``pdb-eviction`` (warning): a budget that allows no eviction at all (node drains hang),
  or pods covered by two budgets (the eviction API refuses them).
- ``netpol-selector``: a NetworkPolicy's pod selector, and each same-namespace peer
  selector of its rules, matches pods (a policy for no pod protects nothing; a peer that
  matches nothing allows nothing).
- ``netpol-port``: a named port in an ingress rule that no selected pod declares.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubegen import facts
from kubegen.checks import Report
from kubegen.checks.k8sdata import group_of
from kubegen.checks.references import POLICY_KINDS, Known, namespace_of, report_missing, text_of
from kubegen.checks.validation.base import dicts
from kubegen.checks.validation.meta import selector_matches
from kubegen.checks.wiring import PodSet, StackIndex, dangling_message, declare_hint, missing_pods
from kubegen.finding import flow_selector, quoted
from kubegen.manifest import Manifest, pod_template

_NOT_SCALABLE = frozenset({"DaemonSet", "Pod", "Job", "CronJob", "Service", "ConfigMap", "Secret", "Ingress"})


def check_policies(manifests: Sequence[Manifest], known: Known, report: Report) -> None:
    mine = [m for m in manifests if m.kind in POLICY_KINDS]
    if not mine:
        return  # no pod index to build
    index = StackIndex(manifests, report.options.assume)
    scaled = _check_hpas([m for m in mine if m.kind == "HorizontalPodAutoscaler"], manifests, known, report)
    budgets: dict[int, list[Manifest]] = {}
    for m in mine:
        if m.kind == "PodDisruptionBudget":
            for podset in _check_pdb(m, index, scaled, report):
                budgets.setdefault(id(podset), []).append(m)
        elif m.kind == "NetworkPolicy":
            _check_network_policy(m, index, report)
    for podset in index.podsets:
        covering = budgets.get(id(podset), [])
        if len(covering) > 1:
            names = ", ".join(b.label for b in covering)
            report.add("pdb-eviction", covering[1],
                       f"{covering[1].label}: the pods of {podset.manifest.label} are covered by {len(covering)} "
                       f"budgets ({names}); the eviction API refuses pods with more than one, so drains hang: "
                       "keep one budget per workload", ("spec", "selector"), severity="warning")


def select(index: StackIndex, namespace: str, selector: dict[str, Any]) -> list[PodSet]:
    """The pod sets of ``namespace`` a LabelSelector (``matchLabels`` and
    ``matchExpressions``) picks; an empty selector picks them all."""
    labels = selector.get("matchLabels")
    labels = labels if isinstance(labels, dict) else {}
    expressions = {"matchExpressions": selector.get("matchExpressions")}
    found = index.select(namespace, labels) if labels else [p for p in index.podsets if p.namespace == namespace]
    return [p for p in found if selector_matches(expressions, p.labels)]


def _no_pods(m: Manifest, rule: str, selector: dict[str, Any], path: tuple[str | int, ...], namespace: str,
             index: StackIndex, report: Report, consequence: str) -> None:
    labels = selector.get("matchLabels")
    missing = None
    if isinstance(labels, dict) and labels and not selector.get("matchExpressions"):
        text = dangling_message(m, namespace, labels, index)
        missing = missing_pods(namespace, labels, None)
    else:
        text = f"{m.label}: selector {flow_selector(selector)} matches no pod template in namespace {namespace!r}"
    report.add(rule, m, declare_hint(f"{text}; {consequence}", missing), path, missing=missing)


# --- HorizontalPodAutoscaler ---------------------------------------------------------


def _check_hpas(hpas: list[Manifest], manifests: Sequence[Manifest], known: Known, report: Report) -> dict[int, int]:
    """Check each autoscaler; the lowest replica count each autoscaled workload may reach
    (by ``id`` of the workload manifest)."""
    lowest: dict[int, int] = {}
    defaulted = _defaulted_requests(manifests) if hpas else {}
    claimed: dict[tuple[str, str, str], Manifest] = {}
    for m in hpas:
        spec = m.obj.get("spec")
        ref = spec.get("scaleTargetRef") if isinstance(spec, dict) else None
        if not isinstance(spec, dict) or not isinstance(ref, dict):
            continue
        kind, name = text_of(ref.get("kind")), text_of(ref.get("name"))
        if kind is None or name is None:
            continue
        namespace = namespace_of(m)
        path = ("spec", "scaleTargetRef")
        if kind in _NOT_SCALABLE:
            report.add("hpa-target", m, f"{m.label}: scales {kind} {name!r}, which has no replica count to set "
                       f"(scalable: {', '.join(facts.SCALABLE_KINDS)})", (*path, "kind"))
            continue
        served = facts.SCALABLE_KINDS.get(kind)
        version = ref.get("apiVersion")
        target = known.objects.get((kind, namespace, name))
        if served is not None and isinstance(version, str) and version and group_of(version) != group_of(served):
            # the controller maps the group and kind to a resource: the version does not matter
            report.add("hpa-target", m, f"{m.label}: scaleTargetRef names {kind} at apiVersion {version}, whose API "
                       f"group has no {kind}: the autoscaler cannot read its scale; use apiVersion: {served}",
                       (*path, "apiVersion"))
        elif not version and "/" in (served or (target.api_version if target is not None else "/")):
            # the controller maps the kind in the apiVersion's group: none is the core group
            fix = served or (target.api_version if target is not None else f"the apiVersion that serves {kind}")
            report.add("hpa-target", m, f"{m.label}: scaleTargetRef names {kind} {name!r} without an apiVersion, "
                       f"so the autoscaler looks for it in the core API group, which has no {kind} (FailedGetScale: "
                       f"no matches for kind \"{kind}\" in group \"\"); add apiVersion: {fix}", path)
        if target is None:
            if not known.find(kind, namespace, name)[0]:
                report_missing(report, "hpa-target", m, (*path, "name"), "scaleTargetRef", kind, name, namespace,
                               known, "it would scale nothing")
            continue
        first = claimed.setdefault((kind, namespace, name), m)
        if first is not m:
            report.add("hpa-target", m, f"{m.label}: {first.label} ({first.locate()}) scales {target.label} too; two "
                       "autoscalers fight over its replica count: keep one", (*path, "name"), severity="warning")
        minimum = spec.get("minReplicas", 1)
        lowest[id(target)] = minimum if isinstance(minimum, int) and not isinstance(minimum, bool) else 1
        if first is m:
            _fixed_replicas(m, target, report)
        _check_requests(m, spec, target, defaulted.get(namespace, frozenset()), report)
    return lowest


def _fixed_replicas(m: Manifest, target: Manifest, report: Report) -> None:
    """A replica count in the manifest of an autoscaled workload: each apply resets it."""
    spec = target.obj.get("spec")
    count = spec.get("replicas") if isinstance(spec, dict) else None
    if count is None:
        return
    report.add("hpa-target", target, f"{target.label}: spec.replicas: {quoted(count)} while {m.label} scales it: "
               f"every kubectl apply (and GitOps sync) sets it back to {quoted(count)} pods before the autoscaler "
               "scales it again; leave replicas out (replicas=None in kubegen) and let the autoscaler's "
               "minReplicas decide", ("spec", "replicas"), severity="warning")


def _defaulted_requests(manifests: Sequence[Manifest]) -> dict[str, frozenset[str]]:
    """Per namespace, the resources its LimitRanges give containers a request for when they
    name none (``defaultRequest``, which defaults to ``default``, which defaults to ``max``)."""
    found: dict[str, set[str]] = {}
    for m in manifests:
        spec = m.obj.get("spec") if m.kind == "LimitRange" else None
        for _, item in dicts(spec.get("limits") if isinstance(spec, dict) else None):
            if item.get("type") != "Container":
                continue
            for field in ("defaultRequest", "default", "max"):
                if isinstance(item.get(field), dict):
                    found.setdefault(namespace_of(m), set()).update(k for k in item[field] if isinstance(k, str))
    return {k: frozenset(v) for k, v in found.items()}


def _utilisation_targets(m: Manifest, spec: dict[str, Any]) -> list[tuple[str, str | None, tuple[str | int, ...]]]:
    """(resource, container or None, path) of every utilisation target (autoscaling/v1's
    targetCPUUtilizationPercentage; v2 metrics, or the default CPU target when none)."""
    if m.api_version == "autoscaling/v1":
        return [("cpu", None, ("spec",))]
    metrics = spec.get("metrics")
    if metrics is None or metrics == []:
        return [("cpu", None, ("spec",))]  # the controller's default: 80% CPU utilisation
    found: list[tuple[str, str | None, tuple[str | int, ...]]] = []
    for i, metric in dicts(metrics):
        for key, container_key in (("resource", None), ("containerResource", "container")):
            body = metric.get(key)
            if not isinstance(body, dict):
                continue
            target = body.get("target")
            utilisation = (isinstance(target, dict) and target.get("type") == "Utilization") or (
                "targetAverageUtilization" in body)  # autoscaling/v2beta1's spelling
            resource = text_of(body.get("name"))
            if utilisation and resource is not None:
                container = text_of(body.get(container_key)) if container_key else None
                found.append((resource, container, ("spec", "metrics", i, key)))
    return found


def _check_requests(m: Manifest, spec: dict[str, Any], target: Manifest, defaulted: frozenset[str],
                    report: Report) -> None:
    template = pod_template(target)
    pod = template.get("spec") if template is not None else None
    if not isinstance(pod, dict):
        return
    # the controller sums the requests of the containers and of the sidecars (init
    # containers that keep running: restartPolicy Always)
    containers = [c for _, c in dicts(pod.get("containers"))] + [
        c for _, c in dicts(pod.get("initContainers")) if c.get("restartPolicy") == "Always"]
    for resource, wanted, path in _utilisation_targets(m, spec):
        chosen = [c for c in containers if wanted is None or c.get("name") == wanted]
        if wanted is not None and not chosen:
            hint = facts.no_such("containers", wanted, [str(c.get("name")) for c in containers],
                                 "name one of them")
            report.add("hpa-target", m, f"{m.label}: a {resource} target names container {quoted(wanted)}, which "
                       f"{target.label} does not have{hint}", (*path, "container"))
            continue
        if resource in defaulted:
            continue  # a LimitRange of the namespace gives every container a request
        missing = [c.get("name") for c in chosen if not _requests(c, resource)]
        if missing:
            default = " (no metrics: the controller's default 80% CPU)" if path == ("spec",) else ""
            report.add("hpa-target", m, f"{m.label}: a {resource} utilisation target{default} is a percentage of "
                       f"the pods' {resource} requests, but in {target.label} container(s) "
                       f"{', '.join(quoted(c) for c in missing)} request no {resource}: the autoscaler cannot "
                       f"compute it and never scales; add resources.requests.{resource}", path)


def _requests(container: dict[str, Any], resource: str) -> bool:
    resources = container.get("resources")
    if not isinstance(resources, dict):
        return False
    return any(isinstance(resources.get(f), dict) and resource in resources[f] for f in ("requests", "limits"))


# --- PodDisruptionBudget -------------------------------------------------------------


def _replicas(podset: PodSet, scaled: dict[int, int]) -> int | None:
    """The fewest pods the workload runs (None: depends on the cluster, e.g. a DaemonSet)."""
    m = podset.manifest
    if podset.declared:
        return None  # pods another file or tool runs: how many is not known here
    if id(m) in scaled:
        return scaled[id(m)]
    spec = m.obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    if m.kind == "Pod":
        return 1
    if m.kind in ("DaemonSet", "CronJob"):
        return None
    value = spec.get("parallelism" if m.kind == "Job" else "replicas", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_pdb(m: Manifest, index: StackIndex, scaled: dict[int, int], report: Report) -> list[PodSet]:
    spec = m.obj.get("spec")
    if not isinstance(spec, dict):
        return []
    selector = spec.get("selector")
    namespace = namespace_of(m)
    if not isinstance(selector, dict):
        return []
    chosen = select(index, namespace, selector)
    if not chosen:
        _no_pods(m, "pdb-selector", selector, ("spec", "selector"), namespace, index, report,
                 "the budget protects nothing")
        return []
    names = ", ".join(sorted({p.manifest.label for p in chosen}))
    blocked = None
    counts = [_replicas(p, scaled) for p in chosen]
    total = None if None in counts else sum(c for c in counts if c is not None)
    reason = facts.budget_blocks_evictions(spec.get("maxUnavailable"), spec.get("minAvailable"), total, f" of {names}")
    if reason is not None:
        blocked = ("maxUnavailable" if reason.startswith("maxUnavailable") else "minAvailable", reason)
    if blocked is not None:
        report.add("pdb-eviction", m, f"{m.label}: {blocked[1]}, so no pod may ever be evicted: every node drain "
                   "and cluster upgrade hangs on these pods; allow at least one (e.g. maxUnavailable: 1)",
                   ("spec", blocked[0]), severity="warning")
    return chosen


# --- NetworkPolicy -------------------------------------------------------------------


def _check_network_policy(m: Manifest, index: StackIndex, report: Report) -> None:
    spec = m.obj.get("spec")
    if not isinstance(spec, dict):
        return
    namespace = namespace_of(m)
    selector = spec.get("podSelector")
    chosen: list[PodSet] = []
    if isinstance(selector, dict):
        chosen = select(index, namespace, selector)
        if not chosen and selector:
            _no_pods(m, "netpol-selector", selector, ("spec", "podSelector"), namespace, index, report,
                     "the policy applies to no pod")
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for ri, rule in dicts(spec.get(direction)):
            for pi, peer in dicts(rule.get(peers_key)):
                _check_peer(m, peer, (("spec", direction, ri, peers_key, pi)), namespace, index, report)
            if direction == "ingress" and chosen:
                _check_named_ports(m, rule, ("spec", direction, ri), chosen, report)


def _check_peer(m: Manifest, peer: dict[str, Any], path: tuple[str | int, ...], namespace: str, index: StackIndex,
                report: Report) -> None:
    pods = peer.get("podSelector")
    if not isinstance(pods, dict) or not pods:
        return
    spaces = peer.get("namespaceSelector")
    if spaces is not None:
        labels = spaces.get("matchLabels") if isinstance(spaces, dict) else None
        only = labels.get("kubernetes.io/metadata.name") if isinstance(labels, dict) and len(labels) == 1 else None
        if not isinstance(only, str) or not any(p.namespace == only for p in index.podsets):
            return  # pods of namespaces the stack may not hold
        namespace = only
    if not select(index, namespace, pods):
        _no_pods(m, "netpol-selector", pods, (*path, "podSelector"), namespace, index, report,
                 "this rule allows nothing")


def _check_named_ports(m: Manifest, rule: dict[str, Any], path: tuple[str | int, ...], chosen: list[PodSet],
                       report: Report) -> None:
    if not all(podset.ports_known for podset in chosen):
        return  # pods declared elsewhere without their ports
    declared = {p.get("name") for podset in chosen for p in podset.declared_ports()}
    for pi, port in dicts(rule.get("ports")):
        name = port.get("port")
        if isinstance(name, str) and name not in declared:
            names = sorted(n for n in declared if isinstance(n, str))
            close = facts.suggest(name, names)
            hint = f"; did you mean {close!r}?" if close else f" (declared: {', '.join(names) or 'none named'})"
            report.add("netpol-port", m, f"{m.label}: rule allows port {name!r}, but no pod it selects declares a "
                       f"port of that name{hint}; the rule opens nothing", (*path, "ports", pi, "port"))


__all__ = ["check_policies", "select"]
