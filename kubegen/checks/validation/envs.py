"""A container's ``env`` and ``envFrom`` (core validation's ValidateEnv, ValidateEnvFrom
and the downward API field selectors)."""

from __future__ import annotations

import re
from typing import Any

from kubegen import names
from kubegen.checks.validation import versions
from kubegen.checks.validation.base import Ctx, P, dicts, mapping, required_text, sval
from kubegen.checks.validation.resources import canonical_quantity

VALUE_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
ENV_FIELD_PATHS = (
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
)
VOLUME_FIELD_PATHS = ("metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid")
RESOURCE_FIELDS = (
    "limits.cpu", "limits.ephemeral-storage", "limits.memory",
    "requests.cpu", "requests.ephemeral-storage", "requests.memory",
)
_HUGEPAGES = ("requests.hugepages-", "limits.hugepages-")
_SUBSCRIPT = names.lazy_pattern(r"(metadata\.(?:labels|annotations))\['(.*)'\]\Z", re.DOTALL)
_ALIASES = {"spec.host": "spec.nodeName"}
_CPU_DIVISORS = ("1m", "1")
_BYTE_DIVISORS = ("1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei")


def name_problems(ctx: Ctx, name: str) -> list[str]:
    relaxed = versions.since(ctx.target, "relaxed-env-names")
    problems = names.env_var_name_problems(name, relaxed)
    if problems and not relaxed:
        problems = [p + f" ({versions.applies(ctx.target, 'relaxed-env-names')})" for p in problems]
    return problems


def check_env(ctx: Ctx, env: Any, path: P) -> None:
    for i, var in dicts(env):
        name = var.get("name")
        if name == "":
            ctx.required((*path, i, "name"), "the variable's name")
        elif isinstance(name, str):
            problems = name_problems(ctx, name)
            if problems:
                ctx.problems((*path, i, "name"), name, problems)
        source = mapping(var.get("valueFrom"))
        if source is not None:
            _check_value_from(ctx, source, (*path, i, "valueFrom"), var.get("value"))


def _check_value_from(ctx: Ctx, source: dict[str, Any], path: P, value: Any) -> None:
    given = [k for k in VALUE_SOURCES if source.get(k) is not None]
    if not given:
        ctx.add(path, f"must specify one of: {', '.join(VALUE_SOURCES)}")
    elif isinstance(value, str) and value:
        ctx.add(path, f"may not be specified when value is not empty (value {value!r}); keep one of value and "
                "valueFrom")
    elif len(given) > 1:
        ctx.add(path, f"may not have more than one field specified at a time (has {', '.join(given)}); keep one")
    field_ref = mapping(source.get("fieldRef"))
    if field_ref is not None:
        check_field_ref(ctx, field_ref, (*path, "fieldRef"), ENV_FIELD_PATHS)
    resource_ref = mapping(source.get("resourceFieldRef"))
    if resource_ref is not None:
        check_resource_field_ref(ctx, resource_ref, (*path, "resourceFieldRef"), volume=False)
    for kind, field in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
        ref = mapping(source.get(field))
        if ref is not None:
            _check_key_ref(ctx, ref, (*path, field), kind)


def check_field_ref(ctx: Ctx, ref: dict[str, Any], path: P, allowed: tuple[str, ...]) -> None:
    """validateObjectFieldSelector: ``metadata.labels['k']`` / ``metadata.annotations['k']``
    everywhere (the key a qualified name), any other path from ``allowed``; ``spec.host``
    is read as ``spec.nodeName`` (ConvertDownwardAPIFieldLabel's old-client alias)."""
    api_version, field_path = ref.get("apiVersion"), sval(ref.get("fieldPath"))
    if api_version not in (None, "", "v1"):
        ctx.invalid((*path, "apiVersion"), api_version, "is not supported; the downward API reads v1 pod fields "
                    "(remove apiVersion)", suggestion="v1")
    if ref.get("fieldPath") == "":
        ctx.required((*path, "fieldPath"), f"one of {', '.join(allowed)}")
        return
    if field_path is None:
        return
    subscript = _SUBSCRIPT.match(field_path)
    if subscript:
        key = subscript.group(2).lower() if subscript.group(1) == "metadata.annotations" else subscript.group(2)
        ctx.problems((*path, "fieldPath"), field_path, names.qualified_name_problems(key))
    elif field_path.endswith("']") and "['" in field_path:
        ctx.invalid((*path, "fieldPath"), field_path, "does not support subscripts (only metadata.labels['KEY'] and "
                    "metadata.annotations['KEY'] do)")
    elif (_ALIASES.get(field_path, field_path)) not in allowed:
        ctx.unsupported((*path, "fieldPath"), field_path, allowed)


def check_resource_field_ref(ctx: Ctx, ref: dict[str, Any], path: P, *, volume: bool) -> None:
    resource = ref.get("resource")
    if volume and not ref.get("containerName"):
        ctx.required((*path, "containerName"), "the container whose resources to expose")
    elif resource == "" or (resource is None and not volume):
        ctx.required((*path, "resource"), f"one of {', '.join(RESOURCE_FIELDS)}")
    elif isinstance(resource, str) and resource not in RESOURCE_FIELDS and not resource.startswith(_HUGEPAGES):
        ctx.unsupported((*path, "resource"), resource, RESOURCE_FIELDS)
    divisor = ref.get("divisor")
    if isinstance(resource, str) and divisor not in (None, "", 0, "0"):
        allowed = _CPU_DIVISORS if resource.endswith(".cpu") else _BYTE_DIVISORS
        canonical = canonical_quantity(divisor)  # the server compares Quantity.String(): 1000m is 1
        if (resource.endswith((".cpu", ".memory", ".ephemeral-storage")) or resource.startswith(_HUGEPAGES)) \
                and canonical is not None and canonical not in allowed:
            ctx.unsupported((*path, "divisor"), str(divisor), allowed, why=f" for {resource}")


def _check_key_ref(ctx: Ctx, ref: dict[str, Any], path: P, kind: str) -> None:
    name = required_text(ctx, ref, "name", path, f"the {kind} to read (its metadata.name)")
    if name is not None:
        ctx.problems((*path, "name"), name, names.dns1123_subdomain_problems(name))
    key = ref.get("key")
    if key == "":
        ctx.required((*path, "key"), f"the key of the {kind} to read")
    elif isinstance(key, str):
        ctx.problems((*path, "key"), key, names.config_key_problems(key))


def check_env_from(ctx: Ctx, sources: Any, path: P) -> None:
    for i, source in dicts(sources):
        here = (*path, i)
        prefix = sval(source.get("prefix"))
        if prefix:
            ctx.problems((*here, "prefix"), prefix, name_problems(ctx, prefix))
        given = [k for k in ("configMapRef", "secretRef") if source.get(k) is not None]
        if not given:
            ctx.add(here, "must specify one of: configMapRef or secretRef")
        elif len(given) > 1:
            ctx.add(here, "may not have more than one field specified at a time (configMapRef and secretRef); "
                    "use one envFrom entry for each")
        for field in given:
            ref = mapping(source.get(field))
            if ref is None:
                continue
            name = ref.get("name")
            if name is None or name == "":
                ctx.required((*here, field, "name"), f"the {'ConfigMap' if field == 'configMapRef' else 'Secret'} "
                             "to read")
            elif isinstance(name, str):
                masked = name[:-2] + "a" if len(name) > 1 and name.endswith("-") else name
                ctx.problems((*here, field, "name"), name, names.dns1123_subdomain_problems(masked))
