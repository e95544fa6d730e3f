"""Ingress as ``Ingress(...)``: one host with Prefix paths as ``paths={"/": svc}``, else ``rules=``.

Backends name the Service *variable* when the stack defines it (so the port is
checked when the app runs), else the Service's name and port.
"""

from __future__ import annotations

from typing import Any

from kubegen.importer.objects import Context, metadata, top
from kubegen.importer.pods import Unsupported, is_int, is_str_list
from kubegen.importer.pysource import Call, call


def _backend(backend: Any, ctx: Context) -> tuple[Any, Any]:
    """(service, port) for IngressPath; ``port`` None means "the Service's only port"."""
    if not isinstance(backend, dict) or set(backend) != {"service"}:
        raise Unsupported("a backend that is not a Service (e.g. a resource backend)")
    target = backend["service"]
    if not isinstance(target, dict) or set(target) != {"name", "port"} or not isinstance(target["name"], str):
        raise Unsupported("a backend Service without name and port")
    port_spec = target["port"]
    if not isinstance(port_spec, dict) or len(port_spec) != 1:
        raise Unsupported("a backend port that is neither a number nor a name")
    (how, port), = port_spec.items()
    if not ((how == "number" and is_int(port)) or (how == "name" and isinstance(port, str))):
        raise Unsupported("a backend port that is neither a number nor a name")
    found = ctx.service(target["name"])
    if found is not None:
        var, built = found
        numbers = [p.port for p in built.ports]
        if how == "number" and numbers == [port]:
            return var, None
        if (how == "number" and port in numbers) or (how == "name" and port in [p.name for p in built.ports]):
            return var, port
    return target["name"], port


def _path(item: Any, ctx: Context) -> tuple[str, str, Any, Any]:
    if not isinstance(item, dict) or set(item) != {"path", "pathType", "backend"}:
        raise Unsupported("a path without path, pathType or backend (pathType is required)")
    if not isinstance(item["path"], str) or not isinstance(item["pathType"], str):
        raise Unsupported("a path without path, pathType or backend (pathType is required)")
    service_ref, port = _backend(item["backend"], ctx)
    return item["path"], item["pathType"], service_ref, port


def _path_call(path: str, path_type: str, service_ref: Any, port: Any) -> Call:
    kwargs: dict[str, Any] = {"path": path, "service": service_ref}
    if port is not None:
        kwargs["port"] = port
    if path_type != "Prefix":
        kwargs["path_type"] = path_type
    return call("IngressPath", **kwargs)


def _rule(rule: Any, ctx: Context) -> tuple[Any, list[tuple[str, str, Any, Any]]]:
    if not isinstance(rule, dict) or not set(rule) <= {"host", "http"} or not isinstance(rule.get("host", ""), str):
        raise Unsupported("a rule without http paths")
    http = rule.get("http")
    if not isinstance(http, dict) or set(http) != {"paths"} or not isinstance(http["paths"], list) or not http["paths"]:
        raise Unsupported("a rule without http paths")
    return rule.get("host"), [_path(p, ctx) for p in http["paths"]]


def _tls(items: Any) -> list[Call]:
    out = []
    for item in items if isinstance(items, list) else [None]:
        if not isinstance(item, dict) or not {"hosts"} <= set(item) <= {"hosts", "secretName"} or not is_str_list(
                item["hosts"]) or not isinstance(item.get("secretName", ""), str):
            raise Unsupported("tls entries other than hosts + secretName")
        secret = {"secret_name": item["secretName"]} if "secretName" in item else {}  # none: the default certificate
        out.append(call("IngressTLS", hosts=item["hosts"], **secret))
    return out


_SPEC = {"ingressClassName", "defaultBackend", "tls", "rules"}


def ingress(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``Ingress(...)``: one host with Prefix paths as ``paths={"/": svc}``, else ``rules=``."""
    spec = top(obj, "spec")
    kwargs = metadata(obj, None)
    if not set(spec) <= _SPEC:
        raise Unsupported(f"spec fields kubegen's Ingress does not model: {sorted(set(spec) - _SPEC)}")
    head = {"name": kwargs.pop("name")}
    if "namespace" in kwargs:
        head["namespace"] = kwargs.pop("namespace")
    if "ingressClassName" in spec:
        head["ingress_class_name"] = spec["ingressClassName"]
    rules = [_rule(r, ctx) for r in spec.get("rules") or []]
    if "rules" in spec and not rules:
        raise Unsupported("an empty rules list")
    paths_seen = [p[0] for p in rules[0][1]] if len(rules) == 1 else []
    if len(rules) == 1 and all(p[1] == "Prefix" for p in rules[0][1]) and len(set(paths_seen)) == len(paths_seen):
        host, paths = rules[0]
        if host is not None:
            head["host"] = host
        head["paths"] = {p: ref if port is None else (ref, port) for p, _, ref, port in paths}
    elif rules:
        head["rules"] = [
            call("IngressRule", **({"host": host} if host is not None else {}),
                 paths=[_path_call(*p) for p in paths])
            for host, paths in rules
        ]
    if "defaultBackend" in spec:
        service_ref, port = _backend(spec["defaultBackend"], ctx)
        head["default_backend"] = _path_call("/", "Prefix", service_ref, port)
    if "tls" in spec:
        head["tls"] = _tls(spec["tls"])
    return [call("Ingress", **head, **kwargs)]


