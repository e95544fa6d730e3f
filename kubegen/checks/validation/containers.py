"""One container of a pod spec (core validation's validateContainerCommon and the rules
for regular, init and sidecar containers): names, ports, env, mounts, resources, probes,
lifecycle hooks, security context."""

from __future__ import annotations

from typing import Any

from kubegen import names
from kubegen.checks.validation import envs
from kubegen.checks.validation.base import Ctx, P, dicts, ival, mapping, non_negative, sval
from kubegen.checks.validation.paths import field_path
from kubegen.checks.validation.resources import check_resources
from kubegen.checks.validation.security import check_container_security
from kubegen.checks.validation.volumes import Volumes, local_path_problems

PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
HOOK_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")
_PROBE_COUNTERS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold")
_RESIZE_RESOURCES = ("cpu", "memory")
_RESIZE_POLICIES = ("NotRequired", "RestartContainer")


class PodFacts:
    """What container validation needs to know about the pod around it."""

    __slots__ = ("volumes", "grace", "restart", "host_users", "claims")

    def __init__(self, volumes: Volumes, grace: int | None, restart: str, host_users: bool, claims: set[str]) -> None:
        self.volumes = volumes
        self.grace = grace
        self.restart = restart
        self.host_users = host_users
        self.claims = claims


def check_container(ctx: Ctx, c: dict[str, Any], path: P, pod: PodFacts, *, init: bool) -> None:
    name = c.get("name")
    if name == "":
        ctx.required((*path, "name"), "give the container a name (a lowercase RFC 1123 label)")
    elif isinstance(name, str):
        ctx.problems((*path, "name"), name, names.dns1123_label_problems(name), rule="name",
                     fix=names.fix_dns_label)
    if c.get("image") == "":
        ctx.required((*path, "image"), "name the image to run (e.g. nginx:1.27)")
    if init:
        policy = c.get("restartPolicy")
        if isinstance(policy, str) and policy not in ("Always", "OnFailure", "Never"):
            ctx.unsupported((*path, "restartPolicy"), policy, ("Always",),
                            why=" for an init container (Always makes it a sidecar)")
    _check_ports(ctx, c, path)
    envs.check_env(ctx, c.get("env"), (*path, "env"))
    envs.check_env_from(ctx, c.get("envFrom"), (*path, "envFrom"))
    _check_mounts(ctx, c, path, pod.volumes)
    _check_devices(ctx, c, path, pod.volumes)
    resources = mapping(c.get("resources"))
    if resources is not None:
        check_resources(ctx, resources, (*path, "resources"), pod.claims)
    _check_resize_policy(ctx, c.get("resizePolicy"), (*path, "resizePolicy"), pod.restart, init)
    security = mapping(c.get("securityContext"))
    if security is not None:
        check_container_security(ctx, security, (*path, "securityContext"), pod.host_users)
    sidecar = init and c.get("restartPolicy") == "Always"
    if init and not sidecar:
        for field in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
            if c.get(field) is not None:
                ctx.add((*path, field), "may not be set on an init container unless it is a sidecar "
                        "(restartPolicy: Always); remove it")
        return
    lifecycle = mapping(c.get("lifecycle"))
    if lifecycle is not None:
        for hook in ("postStart", "preStop"):
            handler = mapping(lifecycle.get(hook))
            if handler is not None:
                _check_handler(ctx, handler, (*path, "lifecycle", hook), HOOK_HANDLERS, pod.grace)
    for which in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = mapping(c.get(which))
        if probe is not None:
            _check_probe(ctx, probe, (*path, which), which, pod.grace)


def _check_ports(ctx: Ctx, c: dict[str, Any], path: P) -> None:
    seen: dict[str, int] = {}
    for i, port in dicts(c.get("ports")):
        here = (*path, "ports", i)
        name = sval(port.get("name"))
        if name:
            problems = names.port_name_problems(name)
            if problems:
                ctx.problems((*here, "name"), name, problems, rule="name")
            elif name in seen:
                ctx.invalid((*here, "name"), name, f"is already the name of ports[{seen[name]}]; port names must "
                            "be unique in a container (rename one)")
            else:
                seen[name] = i
        number = port.get("containerPort")
        if ival(number) == 0:
            ctx.required((*here, "containerPort"), "the port the container listens on (1-65535)")
        elif ival(number) is not None:
            ctx.problems((*here, "containerPort"), number, names.port_number_problems(ival(number) or 0))
        host = ival(port.get("hostPort"))
        if host:
            ctx.problems((*here, "hostPort"), host, names.port_number_problems(host))


def _check_mounts(ctx: Ctx, c: dict[str, Any], path: P, volumes: Volumes) -> None:
    seen: dict[str, int] = {}
    devices = {sval(d.get("name")) for _, d in dicts(c.get("volumeDevices"))}
    device_paths = {sval(d.get("devicePath")) for _, d in dicts(c.get("volumeDevices"))}
    privileged = (mapping(c.get("securityContext")) or {}).get("privileged") is True
    for i, mount in dicts(c.get("volumeMounts")):
        here = (*path, "volumeMounts", i)
        name = mount.get("name")
        if name == "":
            ctx.required((*here, "name"), "name the volume to mount")
        elif isinstance(name, str):
            volumes.check_mount_name(ctx, name, (*here, "name"), c.get("name"))
            if name in devices:
                ctx.invalid((*here, "name"), name, "is also used by volumeDevices; a volume is either mounted or "
                            "a device")
        mount_path = mount.get("mountPath")
        if mount_path == "":
            ctx.required((*here, "mountPath"), "the directory to mount the volume at (e.g. /data)")
        elif isinstance(mount_path, str):
            if mount_path in seen:
                ctx.invalid((*here, "mountPath"), mount_path,
                            f"is already mounted by volumeMounts[{seen[mount_path]}]; each mountPath must be unique "
                            "in a container")
            else:
                seen[mount_path] = i
            if mount_path in device_paths:
                ctx.invalid((*here, "mountPath"), mount_path, "is also a devicePath of volumeDevices")
        _check_sub_paths(ctx, mount, here)
        propagation = mount.get("mountPropagation")
        if propagation == "Bidirectional" and not privileged:
            ctx.add((*here, "mountPropagation"), "Bidirectional mount propagation is available only to privileged "
                    "containers (set securityContext.privileged: true or use HostToContainer)")
        _check_recursive_read_only(ctx, mount, here)


def _check_sub_paths(ctx: Ctx, mount: dict[str, Any], here: P) -> None:
    sub, expr = sval(mount.get("subPath")), sval(mount.get("subPathExpr"))
    for field, value in (("subPath", sub), ("subPathExpr", expr)):
        if value:  # image volumes accept both since 1.33 (they were alpha, off by default, before)
            ctx.problems((*here, field), value, local_path_problems(value, reserved=False))
    if sub and expr:
        ctx.invalid((*here, "subPathExpr"), expr, "and subPath are mutually exclusive; keep one")


def _check_recursive_read_only(ctx: Ctx, mount: dict[str, Any], here: P) -> None:
    value = mount.get("recursiveReadOnly")
    if not isinstance(value, str) or value == "Disabled":
        return
    where = (*here, "recursiveReadOnly")
    if value not in ("Enabled", "IfPossible"):
        ctx.unsupported(where, value, ("Disabled", "IfPossible", "Enabled"))
        return
    if mount.get("readOnly") is not True:
        ctx.add(where, f"{value!r} may only be set when readOnly is true")
    if mount.get("mountPropagation") not in (None, "None"):
        ctx.add(where, f"{value!r} may only be set when mountPropagation is None or not set")


def _check_devices(ctx: Ctx, c: dict[str, Any], path: P, volumes: Volumes) -> None:
    names_seen: set[str] = set()
    paths_seen: set[str] = set()
    mounts = {sval(m.get("name")) for _, m in dicts(c.get("volumeMounts"))}
    for i, device in dicts(c.get("volumeDevices")):
        here = (*path, "volumeDevices", i)
        name, device_path = sval(device.get("name")), sval(device.get("devicePath"))
        if device.get("name") == "":
            ctx.required((*here, "name"), "name the volume to attach")
        elif name is not None:
            if name in names_seen:
                ctx.invalid((*here, "name"), name, "must be unique")
            names_seen.add(name)
            volumes.check_device_name(ctx, name, (*here, "name"))
            if name in mounts:
                ctx.invalid((*here, "name"), name, "is also in volumeMounts; a volume is either mounted or a device")
        if device.get("devicePath") == "":
            ctx.required((*here, "devicePath"), "the path of the device in the container")
        elif device_path is not None:
            if device_path in paths_seen:
                ctx.invalid((*here, "devicePath"), device_path, "must be unique")
            paths_seen.add(device_path)
            if ".." in device_path.split("/"):
                ctx.invalid((*here, "devicePath"), device_path, "can not contain backsteps ('..')")


def _check_resize_policy(ctx: Ctx, policies: Any, path: P, pod_restart: str, init: bool) -> None:
    seen: set[str] = set()
    for i, policy in dicts(policies):
        resource, restart = policy.get("resourceName"), policy.get("restartPolicy")
        if isinstance(resource, str):
            if resource in seen:
                ctx.invalid((*path, i), resource, "is listed twice")
            seen.add(resource)
            if resource == "":
                ctx.required((*path, i, "resourceName"), "cpu or memory")
            elif resource not in _RESIZE_RESOURCES:
                ctx.unsupported((*path, i, "resourceName"), resource, _RESIZE_RESOURCES)
        if isinstance(restart, str):
            if restart == "":
                ctx.required((*path, i, "restartPolicy"), "NotRequired or RestartContainer")
            elif restart not in _RESIZE_POLICIES:
                ctx.unsupported((*path, i, "restartPolicy"), restart, _RESIZE_POLICIES)
            elif pod_restart == "Never" and restart != "NotRequired":
                ctx.invalid((*path, i, "restartPolicy"), restart, "must be NotRequired when the pod's restartPolicy "
                            "is Never")


def _check_handler(ctx: Ctx, owner: dict[str, Any], path: P, kinds: tuple[str, ...], grace: int | None) -> None:
    """A probe or lifecycle hook names exactly one handler, and that handler is valid."""
    given = [h for h in kinds if owner.get(h) is not None]
    if not given:
        ctx.add(path, f"must specify a handler type: one of {', '.join(kinds)}")
        return
    for extra in given[1:]:
        ctx.add((*path, extra), f"may not be set: {path[-1]} already uses {given[0]} and may specify only one "
                "handler type; remove one")
    handler = mapping(owner.get(given[0]))
    if handler is None:
        return
    here = (*path, given[0])
    if given[0] == "exec" and not handler.get("command"):
        ctx.required((*here, "command"), "the command to run (a list such as [cat, /tmp/healthy])")
    elif given[0] in ("httpGet", "tcpSocket"):
        _check_port_ref(ctx, handler.get("port"), (*here, "port"))
        for j, header in dicts(handler.get("httpHeaders") if given[0] == "httpGet" else None):
            name = sval(header.get("name"))
            if name is not None:
                ctx.problems((*here, "httpHeaders", j, "name"), name, names.http_header_name_problems(name))
    elif given[0] == "grpc":
        port = ival(handler.get("port"))
        if port is not None:
            ctx.problems((*here, "port"), port, names.port_number_problems(port))
    elif given[0] == "sleep":
        seconds = ival(handler.get("seconds"))
        if seconds is not None and (seconds < 0 or (grace is not None and seconds > grace)):
            limit = f" ({grace})" if grace is not None else ""
            ctx.invalid((*here, "seconds"), seconds, f"must be non-negative and at most terminationGracePeriodSeconds"
                        f"{limit}")


def _check_port_ref(ctx: Ctx, port: Any, path: P) -> None:
    if isinstance(port, str):
        ctx.problems(path, port, names.port_name_problems(port), rule="name")
    elif ival(port) is not None:
        ctx.problems(path, port, names.port_number_problems(ival(port) or 0))


def _check_probe(ctx: Ctx, probe: dict[str, Any], path: P, which: str, grace: int | None) -> None:
    _check_handler(ctx, probe, path, PROBE_HANDLERS, grace)
    for field in _PROBE_COUNTERS:
        non_negative(ctx, probe, field, path)
    success = ival(probe.get("successThreshold"))
    if which != "readinessProbe" and success is not None and success > 1:
        ctx.invalid((*path, "successThreshold"), success, f"must be 1 for a {which} (remove it)")
    probe_grace = probe.get("terminationGracePeriodSeconds")
    if probe_grace is not None and which == "readinessProbe":
        ctx.add((*path, "terminationGracePeriodSeconds"), "must not be set for a readinessProbe; remove it")
    elif ival(probe_grace) is not None and (ival(probe_grace) or 0) <= 0:
        ctx.invalid((*path, "terminationGracePeriodSeconds"), probe_grace, "must be greater than 0 (or omit it)")


def check_host_ports(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    """A hostPort/protocol/hostIP may be claimed once among the containers (init
    containers run one by one: each on its own)."""
    claimed: dict[tuple[Any, ...], str] = {}
    for field in ("containers", "initContainers"):
        for ci, c in dicts(spec.get(field)):
            own: dict[tuple[Any, ...], str] = {}
            pool = claimed if field == "containers" else own
            for pi, port in dicts(c.get("ports")):
                host = ival(port.get("hostPort"))
                if not host:
                    continue
                key = (host, port.get("protocol") or "TCP", port.get("hostIP") or "")
                where = (*path, field, ci, "ports", pi, "hostPort")
                if key in pool:
                    ctx.invalid(where, host, f"({key[1]}) is already claimed by {pool[key]}; a host port can be used "
                                "once per pod")
                else:
                    pool[key] = field_path(where)


def check_host_network_ports(ctx: Ctx, spec: dict[str, Any], path: P, pod: bool) -> None:
    """With hostNetwork, hostPort must equal containerPort (templates may leave it 0)."""
    for ci, c in dicts(spec.get("containers")):
        for pi, port in dicts(c.get("ports")):
            number, host = ival(port.get("containerPort")), ival(port.get("hostPort")) or 0
            if number is not None and (pod or host != 0) and host != number:
                ctx.invalid((*path, "containers", ci, "ports", pi, "hostPort"), host,
                            f"must match containerPort ({number}) when hostNetwork is true (remove hostPort)")
