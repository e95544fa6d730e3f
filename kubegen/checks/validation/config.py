"""ConfigMaps, Secrets, Namespaces, ServiceAccounts and PersistentVolumeClaims (core
validation's ValidateConfigMap, ValidateSecret, ValidateNamespace,
ValidatePersistentVolumeClaim)."""

from __future__ import annotations

from typing import Any

from kubegen import facts, names
from kubegen.checks.validation.base import Ctx, P, items, mapping, sval
from kubegen.checks.validation.meta import check_finalizers
from kubegen.checks.validation.paths import Key
from kubegen.checks.validation.volumes import check_claim_spec

MAX_BYTES = 1024 * 1024


def check_config_map(ctx: Ctx, obj: dict[str, Any]) -> None:
    size = 0
    data, binary = mapping(obj.get("data")) or {}, mapping(obj.get("binaryData")) or {}
    for field, values in (("data", data), ("binaryData", binary)):
        for key, value in values.items():
            if not isinstance(key, str):
                continue
            ctx.problems((field, Key(key)), key, names.config_key_problems(key))
            if field == "data" and key in binary:
                ctx.invalid((field, Key(key)), key, "is also a key of binaryData; a key may appear in only one of "
                            "data and binaryData")
            if isinstance(value, str):
                size += _decoded_size(value) if field == "binaryData" else len(value.encode())
    if size > MAX_BYTES:
        first = "data" if data else "binaryData"
        ctx.add((first,), f"holds {size} bytes; a ConfigMap may hold at most {MAX_BYTES} (1 MiB); split it or mount "
                "the data from elsewhere")


def check_secret(ctx: Ctx, obj: dict[str, Any]) -> None:
    """Secrets: stringData is merged into data before validation (the server then names
    data[key]); typed Secrets need their keys."""
    data, string_data = mapping(obj.get("data")) or {}, mapping(obj.get("stringData")) or {}
    size = 0
    for field, values in (("data", data), ("stringData", string_data)):
        for key, value in values.items():
            if not isinstance(key, str):
                continue
            merged = f" (stringData is merged into data[{key}])" if field == "stringData" else ""
            problems = names.config_key_problems(key)
            if problems:
                ctx.invalid((field, Key(key)), key, "is not a valid data key" + merged + ": " + "; ".join(problems))
            if isinstance(value, str):
                size += _decoded_size(value) if field == "data" else len(value.encode())
    if size > MAX_BYTES:
        ctx.add(("data",), f"holds {size} bytes; a Secret may hold at most {MAX_BYTES} (1 MiB)")
    stype = sval(obj.get("type"))
    keys = set(data) | set(string_data)
    if stype == "kubernetes.io/service-account-token":
        annotations = mapping((mapping(obj.get("metadata")) or {}).get("annotations")) or {}
        if not annotations.get("kubernetes.io/service-account.name"):
            ctx.add(("metadata", "annotations", Key("kubernetes.io/service-account.name")), "is required: a "
                    "Secret of type kubernetes.io/service-account-token names its ServiceAccount in this annotation")
    needed = facts.SECRET_TYPE_KEYS.get(stype or "")
    if needed is None:
        return
    if stype == "kubernetes.io/basic-auth":
        missing = [] if keys & set(needed) else list(needed)
        holds = " or ".join(needed)
    elif stype == "kubernetes.io/ssh-auth":  # the key must hold something, not merely be present
        missing = [k for k in needed if not (data.get(k) or string_data.get(k))]
        holds = "a non-empty " + needed[0]
    else:
        missing = [k for k in needed if k not in keys]
        holds = " and ".join(needed)
    for key in missing:
        ctx.add(("type",), f"{stype} requires data[{key}]: a Secret of this type must hold {holds}; add {key} under "
                "data (base64) or stringData")
    if stype in ("kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"):
        _check_docker_json(ctx, data, string_data, needed[0])


def _check_docker_json(ctx: Ctx, data: dict[str, Any], string_data: dict[str, Any], key: str) -> None:
    if key in string_data and isinstance(string_data[key], str):
        text, where = string_data[key], ("stringData", Key(key))
    elif isinstance(data.get(key), str):
        import base64  # only for Secrets with data
        import binascii

        try:
            text = base64.b64decode("".join(data[key].split()), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return  # the schema rule reports bad base64
        where = ("data", Key(key))
    else:
        return
    import json  # only for Secrets holding a Docker config

    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        ctx.add(where, f"is not valid JSON ({exc.msg} at character {exc.pos}); it must hold a Docker config")
        return
    if not isinstance(parsed, dict):
        ctx.add(where, "must hold a JSON object (a Docker config)")


def _decoded_size(value: str) -> int:
    text = "".join(value.split())
    return len(text) * 3 // 4 - (len(text) - len(text.rstrip("=")))


def check_namespace(ctx: Ctx, obj: dict[str, Any]) -> None:
    spec = mapping(obj.get("spec"))
    if spec is not None:
        check_finalizers(ctx, spec.get("finalizers"), ("spec", "finalizers"))


def check_pvc(ctx: Ctx, obj: dict[str, Any]) -> None:
    spec = obj.get("spec")
    if spec is None or isinstance(spec, dict):
        check_claim_spec(ctx, spec or {}, ("spec",))


def check_claim_templates(ctx: Ctx, templates: Any, path: P) -> list[str]:
    """A StatefulSet's volumeClaimTemplates: each a claim with a name; returns the names."""
    found = []
    for i, template in items(templates):
        if not isinstance(template, dict):
            continue
        here = (*path, i)
        meta = mapping(template.get("metadata")) or {}
        name = meta.get("name")
        if isinstance(name, str) and name:
            found.append(name)
            ctx.problems((*here, "metadata", "name"), name, names.dns1123_label_problems(name))
        spec = template.get("spec")
        if spec is None or isinstance(spec, dict):
            check_claim_spec(ctx, spec or {}, (*here, "spec"))
    return found
