"""Pod specs, in Pods and in every workload's pod template (core validation's
ValidatePodSpec, ValidatePodTemplateSpec and the pod-only rules of ValidatePodCreate)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubegen import names
from kubegen.checks.validation import containers, scheduling, security
from kubegen.checks.validation.base import Ctx, P, dicts, items, ival, mapping, required_text, sval
from kubegen.checks.validation.containers import PodFacts
from kubegen.checks.validation.meta import check_annotations, check_labels
from kubegen.checks.validation.resources import check_pod_resources, check_resources
from kubegen.checks.validation.volumes import check_volumes

INT32_MAX = 2**31 - 1
MAX_NAMESERVERS = 3
MAX_SEARCHES = 32
MAX_SEARCH_CHARS = 2048
# Controllers whose pods must restart Always and may not set activeDeadlineSeconds.
ALWAYS_RESTART = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet"})
JOBS = frozenset({"Job", "CronJob"})
_OS = ("linux", "windows")
_WINDOWS_FORBIDDEN = ("appArmorProfile", "seLinuxOptions", "seccompProfile", "fsGroup", "fsGroupChangePolicy",
                      "sysctls", "runAsUser", "runAsGroup", "supplementalGroups", "supplementalGroupsPolicy",
                      "seLinuxChangePolicy")
_WINDOWS_FORBIDDEN_CONTAINER = ("appArmorProfile", "seLinuxOptions", "seccompProfile", "capabilities",
                                "readOnlyRootFilesystem", "privileged", "allowPrivilegeEscalation", "procMount",
                                "runAsUser", "runAsGroup")


def check_template(ctx: Ctx, template: dict[str, Any], path: P, claim_templates: Sequence[str] = ()) -> None:
    """A PodTemplateSpec: labels, annotations and the pod spec (a missing spec is an
    empty one: the server then asks for containers)."""
    meta = mapping(template.get("metadata"))
    if meta is not None:
        check_labels(ctx, meta.get("labels"), (*path, "metadata", "labels"))
        check_annotations(ctx, meta.get("annotations"), (*path, "metadata", "annotations"))
    spec = template.get("spec")
    if spec is None:
        spec = {}
    if isinstance(spec, dict):
        check_pod_spec(ctx, spec, (*path, "spec"), list(claim_templates), pod=False)
        if meta is not None:
            security.check_pod_annotations(ctx, meta.get("annotations"), spec, (*path, "metadata", "annotations"))


def check_pod_spec(ctx: Ctx, spec: dict[str, Any], path: P, claim_templates: list[str], *, pod: bool) -> None:
    volumes = check_volumes(ctx, spec, path, claim_templates, pod)
    restart = spec.get("restartPolicy")
    restart_text = restart if isinstance(restart, str) and restart else "Always"
    grace = ival(spec.get("terminationGracePeriodSeconds"))
    facts = PodFacts(volumes, grace if grace is not None else 30, restart_text, spec.get("hostUsers") is not False,
                     {c["name"] for _, c in dicts(spec.get("resourceClaims")) if isinstance(c.get("name"), str)})
    regular = spec.get("containers")
    if regular is None or regular == []:
        ctx.required((*path, "containers"), "a pod needs at least one container (add containers: with a name and "
                     "an image)")
    _check_container_names(ctx, spec, path)
    for field in ("containers", "initContainers"):
        for ci, c in dicts(spec.get(field)):
            # the image reference (whitespace too) is the ``image`` rule's (kubegen.checks.images)
            containers.check_container(ctx, c, (*path, field, ci), facts, init=field == "initContainers")
    containers.check_host_ports(ctx, spec, path)
    if spec.get("hostNetwork") is True:
        containers.check_host_network_ports(ctx, spec, path, pod)
    ephemeral = spec.get("ephemeralContainers")
    if isinstance(ephemeral, list) and ephemeral:
        why = "cannot be set on create (add them with kubectl debug)" if pod else "are not allowed in a pod template"
        ctx.add((*path, "ephemeralContainers"), why)
    _check_restart_policy(ctx, restart, path)
    _check_dns(ctx, spec, path)
    check_labels(ctx, spec.get("nodeSelector"), (*path, "nodeSelector"))
    security.check_pod_security(ctx, spec, path)
    scheduling.check_scheduling(ctx, spec, path)
    _check_names(ctx, spec, path, pod)
    _check_deadline(ctx, spec, path)
    if grace is not None and grace < 0:
        # Not rejected (old objects hold such values): the server warns and treats it as 1.
        ctx.add((*path, "terminationGracePeriodSeconds"), f"{grace} is negative: the API server warns and treats "
                "a negative grace period as 1 second; set 0 or more", severity="warning")
    for i, alias in dicts(spec.get("hostAliases")):
        ip = sval(alias.get("ip"))
        if ip is not None:
            ctx.problems((*path, "hostAliases", i, "ip"), ip, names.ip_problems(ip))
        for j, host in items(alias.get("hostnames")):
            if isinstance(host, str):
                ctx.problems((*path, "hostAliases", i, "hostnames", j), host, names.dns1123_subdomain_problems(host))
    for i, gate in dicts(spec.get("readinessGates")):
        condition = sval(gate.get("conditionType"))
        if condition is not None:
            ctx.problems((*path, "readinessGates", i, "conditionType"), condition,
                         names.qualified_name_problems(condition))
    _check_scheduling_gates(ctx, spec.get("schedulingGates"), (*path, "schedulingGates"))
    _check_claims(ctx, spec.get("resourceClaims"), (*path, "resourceClaims"))
    check_pod_resources(ctx, spec, path)
    overhead = mapping(spec.get("overhead"))
    if overhead is not None:
        check_resources(ctx, {"limits": overhead}, (*path, "overhead"), set())
    _check_os(ctx, spec, path)


def _check_container_names(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    """Container names are unique among containers and init containers."""
    seen: dict[str, str] = {}
    for field in ("containers", "initContainers"):
        for ci, c in dicts(spec.get(field)):
            name = c.get("name")
            if not isinstance(name, str) or not name:
                continue
            if name in seen:
                ctx.invalid((*path, field, ci, "name"), name, f"is already the name of {seen[name]}; container "
                            "names must be unique in a pod (rename one)")
            else:
                seen[name] = f"{field}[{ci}]"


def _check_restart_policy(ctx: Ctx, restart: Any, path: P) -> None:
    if restart is None:
        restart = ""
    if not isinstance(restart, str):
        return
    where = (*path, "restartPolicy")
    if ctx.kind in ALWAYS_RESTART and restart not in ("", "Always"):
        ctx.unsupported(where, restart, ("Always",), why=f" for a {ctx.kind}'s pods (remove restartPolicy)")
    elif ctx.kind in JOBS and restart in ("", "Always"):
        ctx.add(where, f"is required: a {ctx.kind}'s pods must set restartPolicy OnFailure or Never (the default "
                "Always is not allowed)")
    elif ctx.kind in JOBS and restart not in ("OnFailure", "Never"):
        ctx.unsupported(where, restart, ("OnFailure", "Never"), why=f" for a {ctx.kind}")


def _check_dns(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    config = spec.get("dnsConfig")
    if spec.get("dnsPolicy") == "None":
        if config is None:
            ctx.add((*path, "dnsConfig"), "is required: must provide dnsConfig when dnsPolicy is None (e.g. "
                    "dnsConfig: {nameservers: [10.96.0.10]})")
            return
        if isinstance(config, dict) and not config.get("nameservers"):
            ctx.add((*path, "dnsConfig", "nameservers"), "is required: must provide at least one DNS nameserver "
                    "when dnsPolicy is None")
    if not isinstance(config, dict):
        return
    here = (*path, "dnsConfig")
    servers = config.get("nameservers")
    if isinstance(servers, list):
        if len(servers) > MAX_NAMESERVERS:
            ctx.invalid((*here, "nameservers"), servers, f"must not have more than {MAX_NAMESERVERS} nameservers "
                        f"(has {len(servers)})")
        for i, server in enumerate(servers):
            if isinstance(server, str):
                ctx.problems((*here, "nameservers", i), server, names.ip_problems(server))
    searches = config.get("searches")
    if isinstance(searches, list):
        if len(searches) > MAX_SEARCHES:
            ctx.add((*here, "searches"), f"must not have more than {MAX_SEARCHES} search paths (has {len(searches)})")
        if len(" ".join(s for s in searches if isinstance(s, str))) > MAX_SEARCH_CHARS:
            ctx.add((*here, "searches"), f"must not have more than {MAX_SEARCH_CHARS} characters (including spaces) "
                    "in the search list")
        for i, search in enumerate(searches):
            if isinstance(search, str) and search != ".":
                domain = search[:-1] if search.endswith(".") else search
                ctx.problems((*here, "searches", i), search, names.dns1123_subdomain_problems(domain.replace("_", "a")))
    for i, option in dicts(config.get("options")):
        if not option.get("name"):
            ctx.add((*here, "options", i), "is required: must not be empty (give the option a name)")


def _check_names(ctx: Ctx, spec: dict[str, Any], path: P, pod: bool) -> None:
    """Names of other objects a pod spec refers to."""
    for field in ("serviceAccountName", "nodeName", "priorityClassName", "runtimeClassName"):
        value = sval(spec.get(field))
        if value:
            ctx.problems((*path, field), value, names.dns1123_subdomain_problems(value))
    if spec.get("runtimeClassName") == "":
        ctx.problems((*path, "runtimeClassName"), "", names.dns1123_subdomain_problems(""))
    if ctx.kind != "StatefulSet":  # the StatefulSet controller sets both on its pods
        for field in ("hostname", "subdomain"):
            value = sval(spec.get(field))
            if value:
                ctx.problems((*path, field), value, names.dns1123_label_problems(value))
    if pod and spec.get("nodeName") and spec.get("schedulingGates"):
        ctx.add((*path, "nodeName"), "cannot be set until all schedulingGates have been cleared")


def _check_deadline(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is None:
        return
    value = ival(deadline)
    if value is not None and not 1 <= value <= INT32_MAX:
        ctx.invalid((*path, "activeDeadlineSeconds"), value, f"must be between 1 and {INT32_MAX}, inclusive (or "
                    "omit it)")
    if ctx.kind in ALWAYS_RESTART:
        ctx.add((*path, "activeDeadlineSeconds"), f"is not supported in a {ctx.kind}'s pods (its pods run until "
                "replaced); remove it")


def _check_scheduling_gates(ctx: Ctx, gates: Any, path: P) -> None:
    seen: set[str] = set()
    for i, gate in dicts(gates):
        name = sval(gate.get("name"))
        if name is None:
            continue
        ctx.problems((*path, i), name, names.qualified_name_problems(name))
        if name in seen:
            ctx.invalid((*path, i), name, "is listed twice")
        seen.add(name)


def _check_claims(ctx: Ctx, claims: Any, path: P) -> None:
    seen: set[str] = set()
    for i, claim in dicts(claims):
        name = claim.get("name")
        if name == "":
            ctx.required((*path, i, "name"), "a name the containers' resources.claims can refer to")
        elif isinstance(name, str):
            if name in seen:
                ctx.invalid((*path, i, "name"), name, "is listed twice")
            seen.add(name)
            ctx.problems((*path, i, "name"), name, names.dns1123_label_problems(name))
        sources = [k for k in ("resourceClaimName", "resourceClaimTemplateName") if claim.get(k) is not None]
        if len(sources) != 1:
            ctx.add((*path, i), "must specify exactly one of resourceClaimName and resourceClaimTemplateName")
        for field in sources:
            value = sval(claim.get(field))
            if value is not None:
                ctx.problems((*path, i, field), value, names.dns1123_subdomain_problems(value))


def _check_os(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    os_spec = mapping(spec.get("os"))
    if os_spec is None:
        return
    name = required_text(ctx, os_spec, "name", (*path, "os"), "linux or windows")
    if name is not None and name not in _OS:
        ctx.unsupported((*path, "os", "name"), name, _OS)
        return
    sc = mapping(spec.get("securityContext")) or {}
    if name == "linux":
        if sc.get("windowsOptions") is not None:
            ctx.add((*path, "securityContext", "windowsOptions"), "cannot be set for a linux pod")
        for field in ("initContainers", "containers"):
            for ci, c in dicts(spec.get(field)):
                csc = mapping(c.get("securityContext")) or {}
                if csc.get("windowsOptions") is not None:
                    ctx.add((*path, field, ci, "securityContext", "windowsOptions"), "cannot be set for a linux pod")
        return
    for key in _WINDOWS_FORBIDDEN:
        if sc.get(key) not in (None, []):
            ctx.add((*path, "securityContext", key), "cannot be set for a windows pod")
    for key in ("hostPID", "hostIPC", "shareProcessNamespace", "hostUsers"):
        if spec.get(key) is True or (key in ("shareProcessNamespace", "hostUsers") and spec.get(key) is not None):
            ctx.add((*path, key), "cannot be set for a windows pod")
    for field in ("initContainers", "containers"):
        for ci, c in dicts(spec.get(field)):
            csc = mapping(c.get("securityContext")) or {}
            for key in _WINDOWS_FORBIDDEN_CONTAINER:
                if csc.get(key) is not None:
                    ctx.add((*path, field, ci, "securityContext", key), "cannot be set for a windows pod")
