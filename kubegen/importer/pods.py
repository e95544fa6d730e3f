"""Pod specs and containers as builder calls (``Container(...)``, ``Probe.http(...)``, ...).

Each function takes the API-shaped dict and returns the code model of the builder
call that renders it back. Fields a builder does not model go to its field-level
escape hatch (``extra=`` on a Container, ``pod_extra=`` on a workload); a value
in an unexpected shape is left there too, untouched, so nothing is lost.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from kubegen.importer.pysource import Call, Var, call

Ref = Callable[[str, str], "Var | str"]
"""Given a kind and a name, a variable of the generated app (or the name itself)."""


class Unsupported(Exception):
    """The object cannot be written with the typed builders (the caller falls back)."""


def dig(node: Any, *path: str) -> Any:
    """``node[path[0]][path[1]]...``, or None where a step is missing or not a mapping."""
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def is_str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def is_str_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def is_text(value: Any) -> bool:
    return isinstance(value, str)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def decode_b64(value: Any) -> bytes | None:
    """The bytes of a canonical base64 text (None if it would not re-encode the same)."""
    if not isinstance(value, str):
        return None
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if base64.b64encode(data).decode("ascii") == value else None


def kwargs_of(rest: dict[str, Any], spec: tuple[tuple[str, str, Callable[[Any], bool]], ...]) -> dict[str, Any]:
    """Move ``apiKey -> python_name`` fields whose values pass their test out of ``rest``."""
    out: dict[str, Any] = {}
    for key, name, ok in spec:
        if key in rest and ok(rest[key]):
            out[name] = rest.pop(key)
    return out


# --- container parts -----------------------------------------------------------


def _container_ports(ports: Any) -> Any:
    if not isinstance(ports, list) or not ports:
        return None
    items: list[Any] = []
    names: set[str] = set()
    all_named = True
    for port in ports:
        if not isinstance(port, dict) or not set(port) <= {"name", "containerPort", "protocol", "hostPort"}:
            return None
        number, name = port.get("containerPort"), port.get("name")
        protocol, host = port.get("protocol", "TCP"), port.get("hostPort")
        if not is_int(number) or not isinstance(protocol, str) or (host is not None and not is_int(host)):
            return None
        if name is not None and (not isinstance(name, str) or name in names):
            return None
        if name is not None:
            names.add(name)
        simple = protocol == "TCP" and host is None
        all_named = all_named and simple and name is not None
        if simple and name is None:
            items.append(number)
            continue
        kwargs: dict[str, Any] = {"container_port": number}
        if name is not None:
            kwargs["name"] = name
        if protocol != "TCP":
            kwargs["protocol"] = protocol
        if host is not None:
            kwargs["host_port"] = host
        items.append(call("ContainerPort", **kwargs))
    if all_named:
        return {p["name"]: p["containerPort"] for p in ports}
    return items


def _key_ref(kind: str, builder: str, arg: str, ref: Any, refs: Ref) -> Call | None:
    if not isinstance(ref, dict) or not set(ref) <= {"name", "key", "optional"}:
        return None
    name, key, optional = ref.get("name"), ref.get("key"), ref.get("optional")
    if not isinstance(name, str) or not isinstance(key, str) or not isinstance(optional, (bool, type(None))):
        return None
    kwargs: dict[str, Any] = {arg: refs(kind, name), "key": key}
    if optional is not None:
        kwargs["optional"] = optional
    return call(builder, **kwargs)


def _env_value(item: dict[str, Any], refs: Ref) -> Any:
    if set(item) == {"name", "value"}:
        return item["value"] if isinstance(item["value"], str) else None
    source = item.get("valueFrom")
    if set(item) != {"name", "valueFrom"} or not isinstance(source, dict) or len(source) != 1:
        return None
    (kind, ref), = source.items()
    typed: Call | None = None
    if kind == "configMapKeyRef":
        typed = _key_ref("ConfigMap", "ConfigMapKeyRef", "config_map", ref, refs)
    elif kind == "secretKeyRef":
        typed = _key_ref("Secret", "SecretKeyRef", "secret", ref, refs)
    elif kind == "fieldRef" and isinstance(ref, dict) and set(ref) == {"fieldPath"} and isinstance(
            ref["fieldPath"], str):
        typed = call("FieldRef", field_path=ref["fieldPath"])
    elif kind == "resourceFieldRef" and isinstance(ref, dict) and "resource" in ref \
            and set(ref) <= {"resource", "containerName", "divisor"} and all(isinstance(v, str) for v in ref.values()):
        typed = call("ResourceFieldRef", **kwargs_of(dict(ref), (
            ("resource", "resource", is_text), ("containerName", "container_name", is_text),
            ("divisor", "divisor", is_text))))
    # A source kubegen does not model (or in an unusual shape): the escape hatch for this
    # one variable, so the others stay typed.
    return typed if typed is not None else call("ValueFrom", source=source)


def _env(env: Any, refs: Ref) -> dict[str, Any] | None:
    if not isinstance(env, list) or not env:
        return None
    out: dict[str, Any] = {}
    for item in env:
        if not isinstance(item, dict):
            return None
        name = item.get("name")
        if not isinstance(name, str) or not name or "=" in name or name in out:
            return None
        value = _env_value(item, refs)
        if value is None:
            return None
        out[name] = value
    return out


def _env_from(items: Any, refs: Ref) -> list[Call] | None:
    if not isinstance(items, list) or not items:
        return None
    out = []
    for item in items:
        if not isinstance(item, dict):
            return None
        rest = dict(item)
        prefix = rest.pop("prefix", None)
        if len(rest) != 1 or not isinstance(prefix, (str, type(None))):
            return None
        (key, ref), = rest.items()
        target = {"configMapRef": ("ConfigMap", "config_map"), "secretRef": ("Secret", "secret")}.get(key)
        if target is None or not isinstance(ref, dict) or not {"name"} <= set(ref) <= {"name", "optional"} or (
                not isinstance(ref["name"], str) or not isinstance(ref.get("optional", False), bool)):
            return None
        kwargs: dict[str, Any] = {target[1]: refs(target[0], ref["name"])}
        if prefix is not None:
            kwargs["prefix"] = prefix
        if "optional" in ref:
            kwargs["optional"] = ref["optional"]
        out.append(call("EnvFrom", **kwargs))
    return out


def _resources(value: Any) -> Call | None:
    if not isinstance(value, dict) or not set(value) <= {"requests", "limits"}:
        return None
    if not all(is_str_map(v) for v in value.values()):
        return None
    kwargs = {k: v for k, v in (("requests", value.get("requests")), ("limits", value.get("limits"))) if v}
    return call("Resources", **kwargs)


_TIMING = (
    ("initialDelaySeconds", "initial_delay_seconds"), ("periodSeconds", "period_seconds"),
    ("timeoutSeconds", "timeout_seconds"), ("failureThreshold", "failure_threshold"),
    ("successThreshold", "success_threshold"),
)
_HANDLERS = ("httpGet", "tcpSocket", "exec", "grpc")


def _probe_handler(kind: str, spec: Any, timing: dict[str, Any]) -> Call:
    keys = set(spec) if isinstance(spec, dict) else set()
    port = spec.get("port") if isinstance(spec, dict) else None
    port_ok = is_int(port) or isinstance(port, str)
    if kind == "httpGet" and port_ok and "path" in keys and keys <= {"path", "port", "scheme"} \
            and isinstance(spec["path"], str) and isinstance(spec.get("scheme", ""), str):
        extra = {"scheme": spec["scheme"]} if "scheme" in spec else {}
        return call("Probe.http", spec["path"], port=port, **extra, **timing)
    if kind == "tcpSocket" and keys == {"port"} and port_ok:
        return call("Probe.tcp", port=port, **timing)
    if kind == "exec" and keys == {"command"} and is_str_list(spec["command"]):
        return call("Probe.exec", list(spec["command"]), **timing)
    if kind == "grpc" and is_int(port) and keys <= {"port", "service"} and isinstance(spec.get("service", ""), str):
        extra = {"service": spec["service"]} if "service" in spec else {}
        return call("Probe.grpc", port=port, **extra, **timing)
    return call("Probe", handler={kind: spec}, **timing)


def _probe(value: Any) -> Call | None:
    if not isinstance(value, dict):
        return None
    rest = dict(value)
    timing = {name: rest.pop(key) for key, name in _TIMING if key in rest}
    if not all(is_int(v) for v in timing.values()) or len(rest) != 1 or next(iter(rest)) not in _HANDLERS:
        return None
    (kind, spec), = rest.items()
    return _probe_handler(kind, spec, timing)


def _volume_mounts(value: Any) -> list[Call] | None:
    if not isinstance(value, list) or not value:
        return None
    out = []
    for mount in value:
        if not isinstance(mount, dict) or not set(mount) <= {"name", "mountPath", "readOnly", "subPath"}:
            return None
        kwargs = kwargs_of(dict(mount), (
            ("name", "name", lambda v: isinstance(v, str)),
            ("mountPath", "mount_path", lambda v: isinstance(v, str)),
            ("readOnly", "read_only", lambda v: isinstance(v, bool)),
            ("subPath", "sub_path", lambda v: isinstance(v, str)),
        ))
        if len(kwargs) != len(mount) or "name" not in kwargs or "mount_path" not in kwargs:
            return None
        out.append(call("VolumeMount", **kwargs))
    return out


# Container fields: API key, builder argument, converter (None result: leave it in extra=).
_CONTAINER_FIELDS: tuple[tuple[str, str, Callable[[Any, Ref], Any]], ...] = (
    ("command", "command", lambda v, r: list(v) if is_str_list(v) else None),
    ("args", "args", lambda v, r: list(v) if is_str_list(v) else None),
    ("ports", "ports", lambda v, r: _container_ports(v)),
    ("env", "env", _env),
    ("envFrom", "env_from", _env_from),
    ("resources", "resources", lambda v, r: _resources(v)),
    ("livenessProbe", "liveness_probe", lambda v, r: _probe(v)),
    ("readinessProbe", "readiness_probe", lambda v, r: _probe(v)),
    ("startupProbe", "startup_probe", lambda v, r: _probe(v)),
    ("volumeMounts", "volume_mounts", lambda v, r: _volume_mounts(v)),
    ("imagePullPolicy", "image_pull_policy", lambda v, r: v if isinstance(v, str) else None),
    ("workingDir", "working_dir", lambda v, r: v if isinstance(v, str) else None),
)


def container(value: Any, refs: Ref) -> Call:
    """``Container(...)`` for one container dict."""
    if not isinstance(value, dict):
        raise Unsupported("a container is not a mapping")
    rest = dict(value)
    name, image = rest.pop("name", None), rest.pop("image", None)
    if not isinstance(name, str) or not isinstance(image, str) or not image.strip():
        raise Unsupported("a container without name or image")
    kwargs: dict[str, Any] = {"name": name, "image": image}
    for key, arg, convert in _CONTAINER_FIELDS:
        if key in rest:
            converted = convert(rest[key], refs)
            if converted is not None:
                kwargs[arg] = converted
                del rest[key]
    if rest:
        kwargs["extra"] = rest
    return call("Container", **kwargs)


# --- pod spec -------------------------------------------------------------------


# Volume sources with a Volume classmethod: API key -> (only field, classmethod, kind it names).
_VOLUME_SOURCES = {
    "configMap": ("name", "Volume.config_map", "ConfigMap"),
    "secret": ("secretName", "Volume.secret", "Secret"),
    "persistentVolumeClaim": ("claimName", "Volume.pvc", "PersistentVolumeClaim"),
}
_ITEM_SOURCES = {"configMap": ("name", "Volume.config_map", "ConfigMap"),
                 "secret": ("secretName", "Volume.secret", "Secret")}


def _volume(value: Any, refs: Ref) -> Call:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise Unsupported("a volume without a name")
    rest = {k: v for k, v in value.items() if k != "name"}
    name = value["name"]
    if len(rest) == 1:
        (key, source), = rest.items()
        if key == "emptyDir" and source == {}:
            return call("Volume.empty_dir", name)
        known = _VOLUME_SOURCES.get(key)
        if known is not None and isinstance(source, dict) and set(source) == {known[0]} \
                and isinstance(source[known[0]], str):
            target = source[known[0]]
            return call(known[1], name, refs(known[2], target) if known[2] else target)
        items = _ITEM_SOURCES.get(key)
        if items is not None and isinstance(source, dict):
            typed = _items_volume(name, source, items, refs)
            if typed is not None:
                return typed
    return call("Volume", name=name, source=rest)


def _items_volume(name: str, source: dict[str, Any], how: tuple[str, str, str], refs: Ref) -> Call | None:
    """``Volume.config_map(name, cm, items={...}, optional=..., default_mode=...)``."""
    field, builder, kind = how
    if not isinstance(source.get(field), str) or not set(source) <= {field, "items", "optional", "defaultMode"}:
        return None
    kwargs: dict[str, Any] = {}
    items = source.get("items")
    if items is not None:
        if not isinstance(items, list) or not all(isinstance(i, dict) and set(i) == {"key", "path"} for i in items):
            return None
        kwargs["items"] = {i["key"]: i["path"] for i in items}
        if len(kwargs["items"]) != len(items):
            return None
    if "optional" in source:
        kwargs["optional"] = source["optional"]
    if "defaultMode" in source:
        kwargs["default_mode"] = source["defaultMode"]
    return call(builder, name, refs(kind, source[field]), **kwargs)


def _containers(value: Any, refs: Ref) -> list[Call] | None:
    if not isinstance(value, list) or not value:
        return None
    return [container(c, refs) for c in value]


def pull_secrets(value: Any, refs: Ref) -> list[Any] | None:
    """``imagePullSecrets`` as Secret variables or names (None: not in the simple shape)."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(v, dict) and set(v) == {"name"} and isinstance(v["name"], str) for v in value):
        return None
    return [refs("Secret", v["name"]) for v in value]


def pod_spec(spec: Any, refs: Ref) -> dict[str, Any]:
    """Builder keyword arguments for a pod spec (``containers=``, ``volumes=``, ``pod_extra=``...)."""
    if not isinstance(spec, dict):
        raise Unsupported("the pod spec is not a mapping")
    rest = dict(spec)
    containers = _containers(rest.pop("containers", None), refs)
    if containers is None:
        raise Unsupported("a pod without containers")
    kwargs: dict[str, Any] = {"containers": containers}
    init = _containers(rest.get("initContainers"), refs)
    if init is not None:
        kwargs["init_containers"] = init
        del rest["initContainers"]
    volumes = rest.get("volumes")
    if isinstance(volumes, list) and volumes:
        kwargs["volumes"] = [_volume(v, refs) for v in volumes]
        del rest["volumes"]
    kwargs.update(kwargs_of(rest, (
        ("nodeSelector", "node_selector", lambda v: is_str_map(v) and bool(v)),
        ("serviceAccountName", "service_account_name", lambda v: isinstance(v, str)),
        ("restartPolicy", "restart_policy", lambda v: isinstance(v, str)),
    )))
    if "service_account_name" in kwargs:
        kwargs["service_account_name"] = refs("ServiceAccount", kwargs["service_account_name"])
    secrets = pull_secrets(rest.get("imagePullSecrets"), refs)
    if secrets is not None:
        kwargs["image_pull_secrets"] = secrets
        del rest["imagePullSecrets"]
    if rest:
        kwargs["pod_extra"] = rest
    return kwargs
