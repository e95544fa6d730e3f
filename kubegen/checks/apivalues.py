"""The ``invalid-value`` rule: values the API server's validation rejects.

The ``schema`` rule checks shapes and types; this rule checks the values inside
well-shaped fields the way the API server's validation does (core, apps, batch and
networking validation): requests above limits, duplicate names in a pod, probes
without a handler, restart policies a controller does not accept, Service and
Ingress fields that conflict, oversized ConfigMaps, malformed CronJob schedules.
Defaults the server fills in first are honoured (``periodSeconds: 0`` becomes 10,
so it is not reported). Every check looks only at values of the shape it expects,
so malformed input never raises here.

This module holds the entry point and the pod spec checks; the other kinds live
in :mod:`kubegen.checks.apiobjects`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubegen import facts
from kubegen.checks import Report
from kubegen.checks.yamlvalues import dotted
from kubegen.manifest import Manifest, pod_template

RULE = "invalid-value"
P = tuple[str | int, ...]

_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_DNS_POLICIES = ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_HOOK_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")
_VALUE_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
_PROBE_FIELDS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold")
_CONTROLLERS = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet"})


def check_api_values(manifests: Sequence[Manifest], report: Report) -> None:
    """Run ``invalid-value`` on every manifest (called from ``check_objects``)."""
    if RULE in report.options.ignore:
        return
    from kubegen.checks import apiobjects

    for m in manifests:
        kind = m.kind
        base = facts.POD_TEMPLATE_PATHS.get(kind)
        if base is not None:
            template = pod_template(m)
            spec = template.get("spec") if template is not None else None
            if isinstance(spec, dict):
                check_pod_spec(m, spec, (*base, "spec"), report)
        checker = apiobjects.CHECKERS.get(kind)
        if checker is not None:
            checker(m, report)


def int_value(value: Any) -> int | None:
    """``value`` when it is an integer (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def bad(report: Report, m: Manifest, path: P, message: str) -> None:
    """Report ``invalid-value`` at ``path`` with ``Kind 'name': field.path ...``."""
    report.add(RULE, m, f"{m.label}: {dotted(path)} {message}", path)


def non_negative(report: Report, m: Manifest, owner: dict[str, Any], field: str, path: P) -> None:
    """The API's ValidateNonnegativeField."""
    value = int_value(owner.get(field))
    if value is not None and value < 0:
        bad(report, m, (*path, field), f"is {value}; it must be 0 or more")


def one_of(report: Report, m: Manifest, owner: dict[str, Any], field: str, path: P, allowed: Sequence[str]) -> None:
    """A string field that takes one of a fixed set of values."""
    value = owner.get(field)
    if isinstance(value, str) and value not in allowed:
        close = facts.suggest(value, allowed, cutoff=0.5)
        hint = f"; did you mean {close!r}?" if close else ""
        bad(report, m, (*path, field), f"is {value!r}; supported values: {', '.join(allowed)}{hint}")


def dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The (index, item) pairs of a list that are mappings."""
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


# --- pod spec ----------------------------------------------------------------

def check_pod_spec(m: Manifest, spec: dict[str, Any], path: P, report: Report) -> None:
    """Everything ``invalid-value`` checks in one pod spec at ``path``."""
    containers = spec.get("containers")
    if containers == []:
        bad(report, m, (*path, "containers"),
            "is empty; a pod needs at least one container (add one under containers:)")
    _check_restart_policy(m, spec, path, report)
    one_of(report, m, spec, "dnsPolicy", path, _DNS_POLICIES)
    deadline = int_value(spec.get("activeDeadlineSeconds"))
    if deadline is not None and deadline < 1:
        bad(report, m, (*path, "activeDeadlineSeconds"), f"is {deadline}; it must be 1 or more (or omit it)")
    grace = int_value(spec.get("terminationGracePeriodSeconds"))
    if grace is not None and grace < 0:
        # Not rejected (old objects hold such values): the API warns and treats it as 1.
        report.add(RULE, m, f"{m.label}: {dotted((*path, 'terminationGracePeriodSeconds'))} is {grace}; the "
                   "API server warns and treats a negative grace period as 1 second; set 0 or more",
                   (*path, "terminationGracePeriodSeconds"), severity="warning")
    _unique_names(m, report, [(path, "volumes", spec.get("volumes"))], "volume")
    _unique_names(
        m, report,
        [(path, "initContainers", spec.get("initContainers")), (path, "containers", containers)],
        "container",
    )
    _unique_host_ports(m, spec, path, report)
    for field in ("initContainers", "containers"):
        for ci, container in dicts(spec.get(field)):
            _check_container(m, container, (*path, field, ci), field == "initContainers", report)
            if spec.get("hostNetwork") is True:
                _check_host_network_ports(m, container, (*path, field, ci), report)


def _check_restart_policy(m: Manifest, spec: dict[str, Any], path: P, report: Report) -> None:
    policy = spec.get("restartPolicy")
    if policy is not None and not isinstance(policy, str):
        return
    rpath = (*path, "restartPolicy")
    if m.kind in _CONTROLLERS:
        if policy not in (None, "Always"):
            bad(report, m, rpath, f"is {policy!r}; a {m.kind}'s pods must use Always (remove restartPolicy)")
    elif m.kind in ("Job", "CronJob"):
        if policy is None:
            bad(report, m, path, f"has no restartPolicy; a {m.kind}'s pods must set restartPolicy: "
                "OnFailure or Never (the default Always is rejected)")
        elif policy not in ("OnFailure", "Never"):
            bad(report, m, rpath, f"is {policy!r}; a {m.kind}'s pods must use OnFailure or Never")
    else:
        one_of(report, m, spec, "restartPolicy", path, _RESTART_POLICIES)


def _unique_names(m: Manifest, report: Report, lists: list[tuple[P, str, Any]], what: str) -> None:
    seen: dict[str, str] = {}
    for path, field, items in lists:
        for i, item in dicts(items):
            name = item.get("name")
            if not isinstance(name, str):
                continue
            here = dotted((*path, field, i))
            if name in seen:
                bad(report, m, (*path, field, i, "name"),
                    f"{name!r} is already the name of {seen[name]}; {what} names must be unique in a pod "
                    "(rename one)")
            else:
                seen[name] = here


def _unique_host_ports(m: Manifest, spec: dict[str, Any], path: P, report: Report) -> None:
    """A hostPort/protocol/hostIP may be claimed once per pod."""
    seen: dict[tuple[int, Any, Any], str] = {}
    for field in ("initContainers", "containers"):
        for ci, c in dicts(spec.get(field)):
            for pi, port in dicts(c.get("ports")):
                host = int_value(port.get("hostPort"))
                if not host:
                    continue
                key = (host, port.get("protocol") or "TCP", port.get("hostIP") or "")
                where = (*path, field, ci, "ports", pi, "hostPort")
                if key in seen:
                    bad(report, m, where, f"{host}/{key[1]} is already claimed by {seen[key]}; a host port "
                        "can be used once per pod")
                else:
                    seen[key] = dotted(where)


def _check_container(m: Manifest, c: dict[str, Any], path: P, init: bool, report: Report) -> None:
    one_of(report, m, c, "imagePullPolicy", path, _PULL_POLICIES)
    _check_ports(m, c, path, report)
    _check_mounts(m, c, path, report)
    for ei, env in dicts(c.get("env")):
        _check_env(m, env, (*path, "env", ei), report)
    resources = c.get("resources")
    if isinstance(resources, dict):
        _check_resources(m, resources, (*path, "resources"), report)
    sidecar = not init or c.get("restartPolicy") == "Always"
    for probe_field in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(probe_field)
        if not isinstance(probe, dict):
            continue
        ppath = (*path, probe_field)
        if not sidecar:
            bad(report, m, ppath, "is set on an init container; only containers (or sidecar init containers "
                "with restartPolicy: Always) may have it; remove it")
        elif probe_field == "lifecycle":
            for hook in ("postStart", "preStop"):
                if isinstance(probe.get(hook), dict):
                    _check_handler(m, probe[hook], (*ppath, hook), _HOOK_HANDLERS, report)
        else:
            _check_probe(m, probe, ppath, probe_field, report)


def _check_host_network_ports(m: Manifest, c: dict[str, Any], path: P, report: Report) -> None:
    for pi, port in dicts(c.get("ports")):
        number, host = int_value(port.get("containerPort")), int_value(port.get("hostPort"))
        if number is not None and host not in (None, 0, number):
            bad(report, m, (*path, "ports", pi, "hostPort"),
                f"is {host} but containerPort is {number}; with hostNetwork: true they must be equal "
                "(remove hostPort)")


def _check_ports(m: Manifest, c: dict[str, Any], path: P, report: Report) -> None:
    names: dict[str, int] = {}
    for pi, port in dicts(c.get("ports")):
        ppath = (*path, "ports", pi)
        number = int_value(port.get("containerPort"))
        if number is not None and not 1 <= number <= 65535:
            bad(report, m, (*ppath, "containerPort"), f"is {number}; it must be between 1 and 65535")
        host = int_value(port.get("hostPort"))
        if host is not None and host != 0 and not 1 <= host <= 65535:
            bad(report, m, (*ppath, "hostPort"), f"is {host}; it must be between 1 and 65535 (or omit it)")
        name = port.get("name")
        if isinstance(name, str):
            if name in names:
                bad(report, m, (*ppath, "name"),
                    f"{name!r} is already the name of ports[{names[name]}]; port names must be unique "
                    "in a container (rename one)")
            else:
                names[name] = pi


def _check_mounts(m: Manifest, c: dict[str, Any], path: P, report: Report) -> None:
    seen: dict[str, int] = {}
    for mi, mount in dicts(c.get("volumeMounts")):
        mount_path = mount.get("mountPath")
        if not isinstance(mount_path, str):
            continue
        mpath = (*path, "volumeMounts", mi, "mountPath")
        if not mount_path:
            bad(report, m, mpath, "is empty; give the directory to mount at (e.g. /data)")
        elif mount_path in seen:
            bad(report, m, mpath, f"{mount_path!r} is already mounted by volumeMounts[{seen[mount_path]}]; "
                "each mountPath must be unique in a container")
        else:
            seen[mount_path] = mi


def _check_env(m: Manifest, env: dict[str, Any], path: P, report: Report) -> None:
    source = env.get("valueFrom")
    if not isinstance(source, dict):
        return
    name = env.get("name")
    value = env.get("value")
    if isinstance(value, str) and value:
        bad(report, m, (*path, "valueFrom"),
            f"is set together with value {value!r} for env var {name!r}; keep one of value and valueFrom")
    given = [k for k in _VALUE_SOURCES if source.get(k) is not None]
    if not given:
        bad(report, m, (*path, "valueFrom"),
            f"of env var {name!r} names no source; set one of {', '.join(_VALUE_SOURCES)}")
    elif len(given) > 1:
        bad(report, m, (*path, "valueFrom"),
            f"of env var {name!r} names {len(given)} sources ({', '.join(given)}); keep exactly one")


def _check_resources(m: Manifest, resources: dict[str, Any], path: P, report: Report) -> None:
    requests, limits = resources.get("requests"), resources.get("limits")
    for field, amounts in (("requests", requests), ("limits", limits)):
        if not isinstance(amounts, dict):
            continue
        for resource, text in amounts.items():
            amount = facts.parse_quantity(text)
            if amount is not None and amount < 0:
                bad(report, m, (*path, field, resource), f"is {text!r}; a quantity must not be negative")
    if not isinstance(requests, dict) or not isinstance(limits, dict):
        return
    for resource, text in requests.items():
        if resource not in limits:
            continue
        request, limit = facts.parse_quantity(text), facts.parse_quantity(limits[resource])
        if request is not None and limit is not None and request > limit:
            bad(report, m, (*path, "requests", resource),
                f"is {text!r}, more than its limit {limits[resource]!r}; a request must be less than "
                "or equal to the limit (raise the limit or lower the request)")


def _check_handler(m: Manifest, owner: dict[str, Any], path: P, kinds: Sequence[str], report: Report) -> None:
    """A probe or lifecycle hook names exactly one handler."""
    handlers = [h for h in kinds if owner.get(h) is not None]
    if not handlers:
        bad(report, m, path, f"has no handler; set one of {', '.join(kinds)}")
    elif len(handlers) > 1:
        bad(report, m, path, f"has {len(handlers)} handlers ({', '.join(handlers)}); keep exactly one")


def _check_probe(m: Manifest, probe: dict[str, Any], path: P, which: str, report: Report) -> None:
    _check_handler(m, probe, path, _HANDLERS, report)
    for field in _PROBE_FIELDS:
        non_negative(report, m, probe, field, path)
    success = int_value(probe.get("successThreshold"))
    if which != "readinessProbe" and success is not None and success > 1:
        bad(report, m, (*path, "successThreshold"), f"is {success}; it must be 1 for a {which} (remove it)")
    grace = int_value(probe.get("terminationGracePeriodSeconds"))
    if grace is not None and which == "readinessProbe":
        bad(report, m, (*path, "terminationGracePeriodSeconds"), "must not be set on a readinessProbe; remove it")
    elif grace is not None and grace < 1:
        bad(report, m, (*path, "terminationGracePeriodSeconds"), f"is {grace}; it must be 1 or more (or omit it)")
