"""Resource requirements and quantities (core validation's validateResourceRequirements,
validateContainerResourceName, ValidateResourceQuantityValue)."""

from __future__ import annotations

from typing import Any

from kubegen import facts, names
from kubegen.checks.validation.base import Ctx, P, dicts, mapping
from kubegen.checks.validation.paths import Key

STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
# Standard resource names valid anywhere (quota, limit ranges): core's standardResources.
_STANDARD_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers",
    "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "storage", "requests.storage",
    "services.nodeports", "services.loadbalancers",
})
_QOS = ("cpu", "memory")


def is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _native(name: str) -> bool:
    """No '/' or a kubernetes.io prefix: a resource Kubernetes itself defines."""
    prefix, slash, _ = name.partition("/")
    return not slash or prefix == "kubernetes.io" or prefix.endswith(".kubernetes.io")


def overcommit_allowed(name: str) -> bool:
    """cpu, memory, storage may be requested below their limit; hugepages and extended resources may not."""
    return _native(name) and not is_hugepages(name)


def integer_resource(name: str) -> bool:
    """Extended resources (GPUs, devices) are counted in whole units."""
    return not _native(name)


def container_resource_name_problems(name: str) -> list[str]:
    problems = names.qualified_name_problems(name)
    if problems:
        return problems
    if "/" not in name:
        if name not in _STANDARD_RESOURCES and not is_hugepages(name):
            problems.append("must be a standard resource type or fully qualified")
        if name not in STANDARD_CONTAINER_RESOURCES and not is_hugepages(name):
            problems.append(f"must be a standard resource for containers ({', '.join(STANDARD_CONTAINER_RESOURCES)}, "
                            "hugepages-<size>) or an extended resource such as example.com/gpu")
    elif not _native(name) and (name.startswith("requests.") or names.qualified_name_problems("requests." + name)):
        problems.append("doesn't follow the extended resource name standard")
    return problems


def check_resources(ctx: Ctx, resources: dict[str, Any], path: P, claims: set[str]) -> None:
    limits, requests = mapping(resources.get("limits")) or {}, mapping(resources.get("requests")) or {}
    parsed: dict[str, dict[str, facts.Quantity]] = {"limits": {}, "requests": {}}
    for field, amounts in (("limits", limits), ("requests", requests)):
        for name, text in amounts.items():
            if not isinstance(name, str):
                continue
            where = (*path, field, Key(name))
            problems = container_resource_name_problems(name)
            if problems:
                fix = facts.suggest(name, STANDARD_CONTAINER_RESOURCES, cutoff=0.6)
                ctx.invalid(where, name, "is not a resource name: " + "; ".join(problems), suggestion=fix)
                continue
            amount = facts.parse_quantity(text)
            if amount is None:
                continue
            parsed[field][name] = amount
            if amount < 0:
                ctx.invalid(where, text, "must be greater than or equal to 0")
            elif integer_resource(name) and amount.denominator != 1:
                ctx.invalid(where, text, "must be an integer (extended resources are counted in whole units)")
    for name, request in parsed["requests"].items():
        limit = parsed["limits"].get(name)
        where = (*path, "requests", Key(name))
        if limit is None:
            if not overcommit_allowed(name):
                ctx.add((*path, "limits"), f"must set a limit for {name}: it cannot be overcommitted, so its limit "
                        f"must equal its request ({requests[name]})")
        elif not overcommit_allowed(name) and request != limit:
            ctx.invalid(where, requests[name], f"must be equal to the {name} limit of {limits[name]} ({name} cannot "
                        "be overcommitted)")
        elif request > limit:
            ctx.invalid(where, requests[name], f"must be less than or equal to the {name} limit of {limits[name]} "
                        "(raise the limit or lower the request)")
    used = set(parsed["limits"]) | set(parsed["requests"])
    if any(is_hugepages(n) for n in used) and not used & set(_QOS):
        ctx.add(path, "hugepages require a cpu or memory request or limit as well")
    _check_claims(ctx, resources.get("claims"), (*path, "claims"), claims)


def _check_claims(ctx: Ctx, entries: Any, path: P, claims: set[str]) -> None:
    seen: set[str] = set()
    for i, entry in dicts(entries):
        name = entry.get("name")
        if name == "":
            ctx.required((*path, i, "name"), "the name of one of the pod's resourceClaims")
        if not isinstance(name, str) or not name:
            continue
        request = entry.get("request")
        key = f"{name}/{request}" if isinstance(request, str) and request else name
        if key in seen:
            ctx.invalid((*path, i), key, "is listed twice")
        seen.add(key)
        if name not in claims:
            listed = ", ".join(sorted(claims)) if claims else "none"
            ctx.invalid((*path, i, "name"), name, f"is not one of the pod's spec.resourceClaims ({listed})")
