"""The ``invalid-value`` rule for everything but the pod spec: workloads, Services,
Ingresses, ConfigMaps, Secrets, Jobs and CronJobs (see :mod:`kubegen.checks.apivalues`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from kubegen import facts
from kubegen.checks import Report
from kubegen.checks.apivalues import RULE, P, bad, dicts, int_value, non_negative, one_of
from kubegen.facts import cron_schedule_problem, lazy_pattern
from kubegen.manifest import Manifest

MAX_CONFIG_BYTES = 1024 * 1024
_PERCENT = lazy_pattern(r"[0-9]+%\Z")
_BAD_PATH_PARTS = ("//", "/./", "/../", "%2f", "%2F")


def _spec(m: Manifest) -> dict[str, Any] | None:
    spec = m.obj.get("spec")
    return spec if isinstance(spec, dict) else None


# --- workloads ---------------------------------------------------------------

def _check_workload(m: Manifest, report: Report) -> None:
    spec = _spec(m)
    if spec is None:
        return
    path: P = ("spec",)
    for field in ("replicas", "minReadySeconds", "revisionHistoryLimit"):
        non_negative(report, m, spec, field, path)
    if m.kind == "Deployment":
        _check_deployment(m, spec, report)
    elif m.kind == "DaemonSet":
        rolling = _strategy(m, spec, "updateStrategy", "OnDelete", forbid_rolling=False, report=report)
        if rolling is not None:
            _check_rolling(m, rolling, (*path, "updateStrategy", "rollingUpdate"), (1, 0), report, daemon=True)
    elif m.kind == "StatefulSet":
        one_of(report, m, spec, "podManagementPolicy", path, ("OrderedReady", "Parallel"))
        rolling = _strategy(m, spec, "updateStrategy", "OnDelete", forbid_rolling=True, report=report)
        if rolling is not None:
            non_negative(report, m, rolling, "partition", (*path, "updateStrategy", "rollingUpdate"))


def _strategy(
    m: Manifest, spec: dict[str, Any], field: str, other: str, *, forbid_rolling: bool, report: Report
) -> dict[str, Any] | None:
    """Check ``spec.<field>.type`` (RollingUpdate or ``other``); the rollingUpdate mapping to
    validate when the type is RollingUpdate (the default), else None."""
    strategy = spec.get(field)
    if not isinstance(strategy, dict):
        return None
    spath: P = ("spec", field)
    one_of(report, m, strategy, "type", spath, ("RollingUpdate", other))
    rolling = strategy.get("rollingUpdate")
    kind = strategy.get("type", "RollingUpdate")
    if kind == other and rolling is not None and forbid_rolling:
        bad(report, m, (*spath, "rollingUpdate"),
            f"is set but {field} type is {other}; remove rollingUpdate or use type: RollingUpdate")
    return rolling if kind == "RollingUpdate" and isinstance(rolling, dict) else None


def _check_deployment(m: Manifest, spec: dict[str, Any], report: Report) -> None:
    deadline, ready = int_value(spec.get("progressDeadlineSeconds")), int_value(spec.get("minReadySeconds"))
    if deadline is not None and deadline <= (ready or 0):
        bad(report, m, ("spec", "progressDeadlineSeconds"),
            f"is {deadline}; it must be greater than minReadySeconds ({ready or 0})")
    rolling = _strategy(m, spec, "strategy", "Recreate", forbid_rolling=True, report=report)
    if rolling is not None:
        _check_rolling(m, rolling, ("spec", "strategy", "rollingUpdate"), ("25%", "25%"), report, daemon=False)


def _check_rolling(
    m: Manifest, rolling: dict[str, Any], path: P, defaults: tuple[Any, Any], report: Report, *, daemon: bool
) -> None:
    """maxUnavailable/maxSurge: an integer >= 0 or 'N%'; not both zero (after ``defaults``).
    A DaemonSet also takes at most 100% of either and not both non-zero."""
    zero: dict[str, bool] = {}
    nonzero: dict[str, bool] = {}
    for field, default in zip(("maxUnavailable", "maxSurge"), defaults, strict=True):
        value = rolling.get(field, default)
        if value is None:
            value = default
        number = int_value(value)
        if isinstance(value, str):
            if not _PERCENT.match(value):
                hint = f"; did you mean {value.strip()}%?" if value.strip().isdigit() else ""
                bad(report, m, (*path, field),
                    f"is {value!r}; write an integer or a percentage such as '25%'{hint}")
                continue
            number = int(value[:-1])
            if (field == "maxUnavailable" or daemon) and number > 100:
                bad(report, m, (*path, field), f"is {value!r}; it must not be more than 100%")
        elif number is not None and number < 0:
            bad(report, m, (*path, field), f"is {number}; it must be 0 or more")
        zero[field] = number == 0
        nonzero[field] = number is not None and number > 0
    if zero.get("maxUnavailable") and zero.get("maxSurge"):
        where = (*path, "maxUnavailable") if "maxUnavailable" in rolling else path
        bad(report, m, where, "and maxSurge are both 0, so a rollout could never make progress; "
            "make one of them at least 1")
    elif daemon and nonzero.get("maxUnavailable") and nonzero.get("maxSurge"):
        where = (*path, "maxSurge") if "maxSurge" in rolling else path
        bad(report, m, where, "and maxUnavailable are both non-zero; a DaemonSet takes one of them "
            "(set maxSurge: 0 or maxUnavailable: 0)")


# --- Services ----------------------------------------------------------------

def _check_service(m: Manifest, report: Report) -> None:
    spec = _spec(m)
    if spec is None:
        return
    path: P = ("spec",)
    stype = spec.get("type", "ClusterIP")
    if spec.get("clusterIP") == "None" and stype in ("NodePort", "LoadBalancer"):
        bad(report, m, (*path, "clusterIP"),
            f"is None (headless), which a {stype} Service cannot be; remove clusterIP or use type: ClusterIP")
    if stype == "ExternalName":
        if spec.get("clusterIP") not in (None, ""):
            bad(report, m, (*path, "clusterIP"),
                f"is {spec['clusterIP']!r}, but an ExternalName Service has no cluster IP; remove clusterIP")
        name = spec.get("externalName")
        if name is None or name == "":
            bad(report, m, path, "has type ExternalName but no externalName; add externalName: a DNS name "
                "such as db.example.com")
        elif isinstance(name, str):
            problems = facts.dns1123_subdomain_problems(name[:-1] if name.endswith(".") else name)
            if problems:
                bad(report, m, (*path, "externalName"), f"{name!r} is not a DNS name: " + "; ".join(problems))
    one_of(report, m, spec, "sessionAffinity", path, ("None", "ClientIP"))
    one_of(report, m, spec, "internalTrafficPolicy", path, ("Cluster", "Local"))
    one_of(report, m, spec, "ipFamilyPolicy", path, ("SingleStack", "PreferDualStack", "RequireDualStack"))
    policy = spec.get("externalTrafficPolicy")
    if isinstance(policy, str) and policy:
        external = stype in ("NodePort", "LoadBalancer") or (stype == "ClusterIP" and bool(spec.get("externalIPs")))
        if not external:
            bad(report, m, (*path, "externalTrafficPolicy"),
                f"is set on a {stype} Service; it only applies to NodePort and LoadBalancer Services "
                "(or ones with externalIPs); remove it")
        else:
            one_of(report, m, spec, "externalTrafficPolicy", path, ("Cluster", "Local"))


# --- Ingress -----------------------------------------------------------------

def _check_ingress(m: Manifest, report: Report) -> None:
    spec = _spec(m)
    if spec is None or m.api_version != "networking.k8s.io/v1":
        return
    rules = spec.get("rules")
    if spec.get("defaultBackend") is None and not rules:
        bad(report, m, ("spec",), "has neither defaultBackend nor rules; add at least one of them")
    if isinstance(spec.get("defaultBackend"), dict):
        _check_backend(m, spec["defaultBackend"], ("spec", "defaultBackend"), report)
    for ri, rule in dicts(rules):
        rpath: P = ("spec", "rules", ri)
        if isinstance(rule.get("host"), str):
            _check_host(m, rule["host"], (*rpath, "host"), report)
        http = rule.get("http")
        for pi, entry in dicts(http.get("paths") if isinstance(http, dict) else None):
            ppath: P = (*rpath, "http", "paths", pi)
            _check_ingress_path(m, entry, ppath, report)
            if isinstance(entry.get("backend"), dict):
                _check_backend(m, entry["backend"], (*ppath, "backend"), report)
    for ti, tls in dicts(spec.get("tls")):
        hosts = tls.get("hosts")
        for hi, host in enumerate(hosts if isinstance(hosts, list) else []):
            if isinstance(host, str):
                _check_host(m, host, ("spec", "tls", ti, "hosts", hi), report)


def _check_host(m: Manifest, host: str, path: P, report: Report) -> None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        bad(report, m, path, f"{host!r} is an IP address; an Ingress host must be a DNS name (omit host to "
            "match every host)")
        return
    name = host[2:] if host.startswith("*.") else host
    problems = facts.dns1123_subdomain_problems(name)
    if "*" in name:
        problems = ["may contain a wildcard only as its whole first label ('*.example.com')"]
    if problems:
        bad(report, m, path, f"{host!r} is not a valid host: " + "; ".join(problems))


def _check_ingress_path(m: Manifest, entry: dict[str, Any], path: P, report: Report) -> None:
    one_of(report, m, entry, "pathType", path, ("Exact", "Prefix", "ImplementationSpecific"))
    kind, value = entry.get("pathType"), entry.get("path")
    if not isinstance(value, str) or kind not in ("Exact", "Prefix", "ImplementationSpecific"):
        return
    if kind == "ImplementationSpecific" and not value:
        return
    if not value.startswith("/"):
        bad(report, m, (*path, "path"), f"{value!r} must be an absolute path (try {'/' + value!r})")
    elif kind != "ImplementationSpecific":
        parts = [p for p in _BAD_PATH_PARTS if p in value]
        if parts or value.endswith(("/..", "/.")):
            bad(report, m, (*path, "path"), f"{value!r} must not contain '//', '/./', '/../' or '%2f', nor end "
                f"with '/.' or '/..' (pathType {kind})")


def _check_backend(m: Manifest, backend: dict[str, Any], path: P, report: Report) -> None:
    service, resource = backend.get("service"), backend.get("resource")
    if service is not None and resource is not None:
        bad(report, m, path, "sets both service and resource; keep one")
    elif service is None and resource is None:
        bad(report, m, path, "sets neither service nor resource; add service: {name: ..., port: {number: ...}}")
    port = service.get("port") if isinstance(service, dict) else None
    if isinstance(port, dict):
        ppath = (*path, "service", "port")
        name, number = port.get("name"), port.get("number")
        if name is not None and number is not None:
            bad(report, m, ppath, f"sets both name {name!r} and number {number!r}; keep one")
        elif name is None and number is None:
            bad(report, m, ppath, "sets neither name nor number; add number: PORT or name: PORT-NAME")
        else:
            numeric = int_value(number)
            if numeric is not None and not 1 <= numeric <= 65535:
                bad(report, m, (*ppath, "number"), f"is {numeric}; it must be between 1 and 65535")


# --- ConfigMaps and Secrets --------------------------------------------------

def _check_config(m: Manifest, report: Report) -> None:
    fields = ("data", "binaryData") if m.kind == "ConfigMap" else ("data", "stringData")
    keys: dict[str, str] = {}
    size = 0
    for field in fields:
        data = m.obj.get(field)
        if not isinstance(data, dict):
            continue
        for key, value in data.items():
            if not isinstance(key, str):
                continue
            problems = facts.config_key_problems(key)
            if problems:
                bad(report, m, (field, key), "is not a valid key: " + "; ".join(problems))
            if m.kind == "ConfigMap" and key in keys:
                bad(report, m, (field, key), f"is also a key of {keys[key]}; a key may appear in only one of "
                    "data and binaryData")
            keys.setdefault(key, field)
            if isinstance(value, str):
                size += _stored_size(m.kind, field, value)
    if m.kind == "Secret":
        _check_secret_type(m, keys, report)
    if size > MAX_CONFIG_BYTES:
        first = next(f for f in fields if isinstance(m.obj.get(f), dict))
        report.add(RULE, m, f"{m.label} holds {size} bytes of data; a {m.kind} may hold at most "
                   f"{MAX_CONFIG_BYTES} (1 MiB); split it or mount the data from elsewhere", (first,))


def _check_secret_type(m: Manifest, keys: dict[str, str], report: Report) -> None:
    """Typed Secrets must carry their type's keys (stringData counts: it is merged into data)."""
    stype = m.obj.get("type")
    needed = facts.SECRET_TYPE_KEYS.get(stype) if isinstance(stype, str) else None
    if needed is None:
        return
    if stype == "kubernetes.io/basic-auth":
        missing = [] if keys.keys() & {"username", "password"} else ["username or password"]
    else:
        missing = [k for k in needed if k not in keys]
    if missing:
        report.add(RULE, m, f"{m.label} has type {stype} but no {' and no '.join(missing)} key; add "
                   f"{' and '.join(missing)} under data or stringData", ("type",))


def _stored_size(kind: str, field: str, value: str) -> int:
    """How many bytes the API counts for one value (base64 fields count decoded; keys do not count)."""
    if field == "binaryData" or (kind == "Secret" and field == "data"):
        text = "".join(value.split())
        return len(text) * 3 // 4 - (len(text) - len(text.rstrip("=")))
    return len(value.encode("utf-8"))


# --- Jobs and CronJobs -------------------------------------------------------

def _check_job_spec(m: Manifest, spec: dict[str, Any], path: P, report: Report) -> None:
    for field in ("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
        non_negative(report, m, spec, field, path)
    one_of(report, m, spec, "completionMode", path, ("NonIndexed", "Indexed"))
    if spec.get("completionMode") == "Indexed" and spec.get("completions") is None:
        bad(report, m, (*path, "completionMode"), "is Indexed, which needs completions; add completions: N")


def _check_job(m: Manifest, report: Report) -> None:
    spec = _spec(m)
    if spec is not None:
        _check_job_spec(m, spec, ("spec",), report)


def _check_cronjob(m: Manifest, report: Report) -> None:
    spec = _spec(m)
    if spec is None:
        return
    path: P = ("spec",)
    schedule = spec.get("schedule")
    if isinstance(schedule, str):
        problem = cron_schedule_problem(schedule)
        if problem:
            bad(report, m, (*path, "schedule"), f"{schedule!r} {problem}")
    one_of(report, m, spec, "concurrencyPolicy", path, ("Allow", "Forbid", "Replace"))
    for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        non_negative(report, m, spec, field, path)
    job = spec.get("jobTemplate")
    if isinstance(job, dict) and isinstance(job.get("spec"), dict):
        _check_job_spec(m, job["spec"], (*path, "jobTemplate", "spec"), report)


CHECKERS: dict[str, Callable[[Manifest, Report], None]] = {
    "Deployment": _check_workload,
    "ReplicaSet": _check_workload,
    "ReplicationController": _check_workload,
    "StatefulSet": _check_workload,
    "DaemonSet": _check_workload,
    "Service": _check_service,
    "Ingress": _check_ingress,
    "ConfigMap": _check_config,
    "Secret": _check_config,
    "Job": _check_job,
    "CronJob": _check_cronjob,
}
