"""Security contexts of pods and containers (core validation's ValidateSecurityContext,
validatePodSpecSecurityContext, seccomp and AppArmor profiles, sysctls)."""

from __future__ import annotations

from typing import Any

from kubegen import names
from kubegen.checks.validation.base import Ctx, P, dicts, items, ival, mapping, sval
from kubegen.checks.validation.paths import Key
from kubegen.checks.validation.volumes import local_path_problems

ID_MAX = 2**31 - 1
_IPC_SYSCTLS = ("kernel.shm", "kernel.msg", "kernel.sem", "fs.mqueue.")
_SELINUX_CHANGE_POLICIES = ("Recursive", "MountOption")
_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_MIRROR = "kubernetes.io/config.mirror"
_SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
_SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"
_APPARMOR_CONTAINER = "container.apparmor.security.beta.kubernetes.io/"
_INT32 = names.lazy_pattern(r"(-?[1-9][0-9]*|0)\Z")


def _check_id(ctx: Ctx, owner: dict[str, Any], field: str, path: P) -> None:
    value = ival(owner.get(field))
    if value is not None and not 0 <= value <= ID_MAX:
        ctx.invalid((*path, field), value, f"must be between 0 and {ID_MAX}, inclusive")


def check_profiles(ctx: Ctx, owner: dict[str, Any], path: P) -> None:
    """seccompProfile and appArmorProfile (their types are enum-checked by the schema rule)."""
    seccomp = mapping(owner.get("seccompProfile"))
    if seccomp is not None:
        here = (*path, "seccompProfile")
        local = seccomp.get("localhostProfile")
        if seccomp.get("type") == "Localhost":
            if local is None:
                ctx.required((*here, "localhostProfile"), "must be set when the seccomp type is Localhost")
            elif isinstance(local, str):
                ctx.problems((*here, "localhostProfile"), local, local_path_problems(local, reserved=False))
        elif local is not None and seccomp.get("type") is not None:
            ctx.add((*here, "localhostProfile"), "can only be set when the seccomp type is Localhost")
    apparmor = mapping(owner.get("appArmorProfile"))
    if apparmor is not None:
        here = (*path, "appArmorProfile")
        local = apparmor.get("localhostProfile")
        if apparmor.get("type") == "Localhost":
            text = sval(local)
            if local is None or (text is not None and not text.strip()):
                ctx.required((*here, "localhostProfile"), "must be set when the AppArmor type is Localhost")
            elif text is not None and text != text.strip():
                ctx.invalid((*here, "localhostProfile"), text, "must not be padded with whitespace",
                            suggestion=text.strip())
            elif text is not None and len(text) > 4095:
                ctx.add((*here, "localhostProfile"), "must be no more than 4095 characters")
        elif local is not None and apparmor.get("type") in ("RuntimeDefault", "Unconfined"):
            ctx.add((*here, "localhostProfile"), "can only be set when the AppArmor type is Localhost")


def check_container_security(ctx: Ctx, sc: dict[str, Any], path: P, host_users: bool) -> None:
    _check_id(ctx, sc, "runAsUser", path)
    _check_id(ctx, sc, "runAsGroup", path)
    if sc.get("procMount") == "Unmasked" and host_users:
        ctx.add((*path, "procMount"), "'Unmasked' requires hostUsers: false in the pod spec")
    check_profiles(ctx, sc, path)
    if sc.get("allowPrivilegeEscalation") is False:
        if sc.get("privileged") is True:
            ctx.add(path, "cannot set allowPrivilegeEscalation to false and privileged to true")
        capabilities = mapping(sc.get("capabilities")) or {}
        added = capabilities.get("add")
        if isinstance(added, list) and "CAP_SYS_ADMIN" in added:
            ctx.add(path, "cannot set allowPrivilegeEscalation to false and add capability CAP_SYS_ADMIN")


def check_pod_security(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    check_host_users(ctx, spec, path)
    sc = mapping(spec.get("securityContext"))
    if sc is None:
        return
    here = (*path, "securityContext")
    for field in ("fsGroup", "runAsUser", "runAsGroup"):
        _check_id(ctx, sc, field, here)
    for i, gid in items(sc.get("supplementalGroups")):
        value = ival(gid)
        if value is not None and not 0 <= value <= ID_MAX:
            ctx.invalid((*here, "supplementalGroups", i), value, f"must be between 0 and {ID_MAX}, inclusive")
    if sc.get("shareProcessNamespace") is True and spec.get("hostPID") is True:
        ctx.add((*here, "shareProcessNamespace"), "and hostPID cannot both be enabled")
    _check_sysctls(ctx, sc.get("sysctls"), (*here, "sysctls"), spec)
    check_profiles(ctx, sc, here)
    policy = sc.get("seLinuxChangePolicy")
    if isinstance(policy, str) and policy not in _SELINUX_CHANGE_POLICIES:
        ctx.unsupported((*here, "seLinuxChangePolicy"), policy, _SELINUX_CHANGE_POLICIES)


def check_host_users(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    """A pod in its own user namespace (hostUsers: false) may not share the host's others."""
    if spec.get("hostUsers") is False:
        for field in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(field) is True:
                ctx.add((*path, field), "may not be true when hostUsers is false")


def _check_sysctls(ctx: Ctx, sysctls: Any, path: P, spec: dict[str, Any]) -> None:
    seen: set[str] = set()
    for i, sysctl in dicts(sysctls):
        name = sysctl.get("name")
        where = (*path, i, "name")
        if name == "":
            ctx.required(where, "the sysctl to set (e.g. net.ipv4.ip_local_port_range)")
            continue
        if not isinstance(name, str):
            continue
        problems = names.sysctl_name_problems(name)
        if problems:
            ctx.problems(where, name, problems)
        elif name in seen:
            ctx.invalid(where, name, "is set twice")
        seen.add(name)
        dotted = name.replace("/", ".")
        if spec.get("hostNetwork") is True and dotted.startswith("net."):
            ctx.invalid(where, name, "may not be set when hostNetwork is true (it would change the node's network "
                        "namespace)")
        if spec.get("hostIPC") is True and dotted.startswith(_IPC_SYSCTLS):
            ctx.invalid(where, name, "may not be set when hostIPC is true")


def check_pod_annotations(ctx: Ctx, annotations: Any, spec: dict[str, Any], path: P) -> None:
    """ValidatePodSpecificAnnotations (pods and pod templates): a mirror-pod annotation
    needs a nodeName, the pod-deletion-cost is a 32-bit integer, the deprecated seccomp
    annotations name a profile, the deprecated AppArmor annotations name a container of
    the pod and a profile."""
    if not isinstance(annotations, dict):
        return
    containers = {sval(c.get("name")) for f in ("containers", "initContainers", "ephemeralContainers")
                  for _, c in dicts(spec.get(f))}
    for key, value in annotations.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        where = (*path, Key(key))
        if key == _MIRROR and not spec.get("nodeName"):
            ctx.invalid(where, value, "needs spec.nodeName: only the kubelet creates mirror pods, for its node")
        elif key == _DELETION_COST and not (_INT32.match(value) and -2**31 <= int(value) < 2**31):
            ctx.invalid(where, value, "must be a 32-bit integer (no sign '+', no leading zeros)")
        elif key == _SECCOMP_POD or key.startswith(_SECCOMP_CONTAINER):
            ctx.problems(where, value, _seccomp_annotation_problems(value))
        elif key.startswith(_APPARMOR_CONTAINER):
            container = key[len(_APPARMOR_CONTAINER):]
            if container not in containers:
                ctx.invalid(where, container, "is not a container of the pod: the AppArmor annotation "
                            f"{_APPARMOR_CONTAINER}<container> must name one (container not found)")
            if value not in ("", "runtime/default", "unconfined") and not value.startswith("localhost/"):
                ctx.invalid(where, value, "is not an AppArmor profile: use runtime/default, unconfined or "
                            "localhost/<profile> (or securityContext.appArmorProfile)")


def _seccomp_annotation_problems(value: str) -> list[str]:
    """ValidateSeccompProfile: runtime/default, docker/default, unconfined or localhost/<path>."""
    if value in ("runtime/default", "docker/default", "unconfined"):
        return []
    if value.startswith("localhost/"):
        return local_path_problems(value[len("localhost/"):], reserved=False)
    return ["must be a valid seccomp profile: runtime/default, unconfined or localhost/<path> (or use "
            "securityContext.seccompProfile)"]
