"""Resource requirements and quantities (core validation's validateResourceRequirements,
validateContainerResourceName, ValidateResourceQuantityValue)."""

from __future__ import annotations

import re
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


_DECIMAL_SUFFIXES = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}
_BINARY_SUFFIXES = ((60, "Ei"), (50, "Pi"), (40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki"))


def canonical_quantity(value: Any) -> str | None:
    """A quantity as the API server prints it (apimachinery's Quantity.String()): ``1000m``
    -> ``1``, ``1024Ki`` -> ``1Mi``, ``1000`` -> ``1k``; the notation (binary, decimal or
    exponent) is the one written. None when ``value`` is no quantity."""
    amount = facts.parse_quantity(value)
    if amount is None:
        return None
    top, bottom = amount.numerator, amount.denominator
    text = str(value).strip()
    binary = text.endswith("i")
    exponent_form = not binary and bool(re.search(r"[eE][+-]?\d+\Z", text))
    if binary and bottom == 1 and abs(top) >= 1024:
        for bits, suffix in _BINARY_SUFFIXES:
            if top % (1 << bits) == 0:
                return f"{top // (1 << bits)}{suffix}"
        return str(top)
    for exponent in range(18, -10, -3):
        scaled, scale = (top, bottom * 10**exponent) if exponent >= 0 else (top * 10**-exponent, bottom)
        if scaled % scale == 0:
            mantissa = scaled // scale
            if exponent_form:
                return f"{mantissa}e{exponent}" if exponent else str(mantissa)
            return f"{mantissa}{_DECIMAL_SUFFIXES[exponent]}"
    return None


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


def _pod_resource_name_problems(name: str) -> list[str]:
    """validatePodResourceName: pod-level resources are cpu, memory and hugepages."""
    if name in _QOS or is_hugepages(name):
        return []
    return container_resource_name_problems(name) or ["is not supported at pod level (cpu, memory, hugepages-<size>)"]


def _hugepages_problem(name: str, amount: facts.Quantity) -> str | None:
    """IsHugePageResourceValueDivisible: a whole number of pages of the name's size."""
    page = facts.parse_quantity(name[len("hugepages-"):])
    if page is None or page <= 0 or page.denominator != 1:
        return f"cannot be checked against page size {name[len('hugepages-'):]!r}, which is no whole quantity"
    whole = -(-amount.numerator // amount.denominator)  # Quantity.Value() rounds up
    if whole % page.numerator:
        return f"must be a whole number of {name[len('hugepages-'):]} pages"
    return None


def check_resources(ctx: Ctx, resources: dict[str, Any], path: P, claims: set[str], *,
                    pod_level: bool = False) -> dict[str, dict[str, facts.Quantity]]:
    """validateResourceRequirements: names, quantities, requests within limits, hugepages;
    returns the parsed amounts ("limits"/"requests" -> name -> amount)."""
    limits, requests = mapping(resources.get("limits")) or {}, mapping(resources.get("requests")) or {}
    parsed: dict[str, dict[str, facts.Quantity]] = {"limits": {}, "requests": {}}
    name_problems = _pod_resource_name_problems if pod_level else container_resource_name_problems
    for field, amounts in (("limits", limits), ("requests", requests)):
        here = (*path, field)  # a finding's path is (*here, Key(name))
        for name, text in amounts.items():
            if not isinstance(name, str):
                continue
            problems = name_problems(name)
            if pod_level and name == "pids":  # per-pod PID limits (KEP 6063) are a feature newer than GA
                ctx.add((*here, Key(name)), "'pids' at pod level needs the per-pod PID limit feature, which an API "
                        "server of this release may not enable; without it the pod is refused", severity="warning")
                continue
            if problems:
                fix = facts.suggest(name, STANDARD_CONTAINER_RESOURCES, cutoff=0.6)
                ctx.invalid((*here, Key(name)), name, "is not a resource name: " + "; ".join(problems), suggestion=fix)
                continue
            amount = facts.parse_quantity(text)
            if amount is None:
                continue
            parsed[field][name] = amount
            if amount < 0:
                ctx.invalid((*here, Key(name)), text, "must be greater than or equal to 0")
            elif integer_resource(name) and amount.denominator != 1:
                ctx.invalid((*here, Key(name)), text,
                            "must be an integer (extended resources are counted in whole units)")
            elif is_hugepages(name) and (problem := _hugepages_problem(name, amount)):
                ctx.invalid((*here, Key(name)), text, problem)
    asked = (*path, "requests")  # a finding's path is (*asked, Key(name))
    for name, request in parsed["requests"].items():
        limit = parsed["limits"].get(name)
        if limit is None:
            if not overcommit_allowed(name):
                ctx.add((*path, "limits"), f"must set a limit for {name}: it cannot be overcommitted, so its limit "
                        f"must equal its request ({requests[name]})")
        elif not overcommit_allowed(name) and request != limit:
            ctx.invalid((*asked, Key(name)), requests[name], f"must be equal to the {name} limit of {limits[name]} "
                        f"({name} cannot be overcommitted)")
        elif request > limit:
            ctx.invalid((*asked, Key(name)), requests[name], f"must be less than or equal to the {name} limit of "
                        f"{limits[name]} (raise the limit or lower the request)")
    used = set(parsed["limits"]) | set(parsed["requests"])
    if any(is_hugepages(n) for n in used) and not used & set(_QOS):
        ctx.add(path, "hugepages require a cpu or memory request or limit as well")
    if pod_level:
        if resources.get("claims") is not None:
            ctx.add((*path, "claims"), "cannot be set for resources at pod level (claims belong to containers)")
    else:
        _check_claims(ctx, resources.get("claims"), (*path, "claims"), claims)
    return parsed


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


def check_pod_resources(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    """Pod-level resources (validatePodResources): cpu, memory and hugepages only; each
    container's limit within the pod's limit, the containers' requests within a pod-level
    request that is set (validatePodResourceConsistency)."""
    resources = mapping(spec.get("resources"))
    if resources is None:
        return
    pod = check_resources(ctx, resources, (*path, "resources"), set(), pod_level=True)
    totals: dict[str, facts.Quantity] = {}
    init_peak: dict[str, facts.Quantity] = {}
    zero = facts.Quantity(0)
    for field in ("initContainers", "containers"):
        for ci, c in dicts(spec.get(field)):
            own = mapping(c.get("resources")) or {}
            sidecar = field == "initContainers" and c.get("restartPolicy") == "Always"
            for kind, amounts in (("limits", mapping(own.get("limits")) or {}), ("requests",
                                                                                   mapping(own.get("requests")) or {})):
                for name, text in amounts.items():
                    amount = facts.parse_quantity(text)
                    if amount is None or not isinstance(name, str):
                        continue
                    limit = pod["limits"].get(name)
                    if kind == "limits" and field == "containers" and limit is not None and amount > limit:
                        ctx.invalid((*path, field, ci, "resources", "limits", Key(name)), text, "must be less than "
                                    f"or equal to the pod-level limit of {resources['limits'][name]}")
                    if kind == "requests":
                        if field == "containers" or sidecar:
                            total = totals.get(name, zero)
                            totals[name] = facts.Quantity(total.numerator * amount.denominator + amount.numerator
                                                          * total.denominator, total.denominator * amount.denominator)
                        else:
                            init_peak[name] = max(init_peak.get(name, zero), amount)
    for name, request in pod["requests"].items():
        needed = max(totals.get(name, zero), init_peak.get(name, zero))
        if needed > request:
            aggregate = f"{needed.numerator / needed.denominator:g}"
            ctx.invalid((*path, "resources", "requests", Key(name)), resources["requests"][name], "must be greater "
                        f"than or equal to the containers' aggregate request of {aggregate}")
