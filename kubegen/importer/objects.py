"""Shared pieces of the per-kind candidates, and the simple kinds (ConfigMap, Secret, Namespace).

A candidate is only a proposal: :mod:`kubegen.importer.program` builds it and keeps
the first whose rendering is the input object again (else the object stays
``Raw``). So candidates may be optimistic; they must never be wrong silently.
"""

from __future__ import annotations

from typing import Any, Protocol

from kubegen.importer.pods import Unsupported, decode_b64, is_str_map
from kubegen.importer.pysource import Call, Var, call

API_VERSIONS = {
    "Pod": "v1", "Service": "v1", "ConfigMap": "v1", "Secret": "v1", "Namespace": "v1",
    "PersistentVolumeClaim": "v1", "ServiceAccount": "v1",
    "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
    "Job": "batch/v1", "CronJob": "batch/v1",
    "Ingress": "networking.k8s.io/v1", "NetworkPolicy": "networking.k8s.io/v1",
    "Role": "rbac.authorization.k8s.io/v1", "ClusterRole": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1", "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2", "PodDisruptionBudget": "policy/v1",
}
"""The kinds kubegen models, with the apiVersion its builders write."""

_META_KEYS = {"name", "namespace", "labels", "annotations"}


class Context(Protocol):
    """What a candidate may ask about the rest of the stack (objects already built)."""

    def refs(self, kind: str, name: str) -> Var | str:
        """A variable of the app for the object ``kind``/``name``, else the name itself."""

    def workload_for(self, selector: dict[str, str]) -> tuple[Var, Any] | None:
        """A typed workload whose ``expose()`` selector is exactly ``selector``."""

    def service(self, name: str) -> tuple[Var, Any] | None:
        """The typed Service called ``name`` (same namespace)."""

    def find(self, kind: str, name: str) -> tuple[Var, Any] | None:
        """The typed object ``kind``/``name`` of the app (same namespace; any for
        cluster-scoped kinds)."""


def metadata(obj: dict[str, Any], labels_default: dict[str, Any] | None) -> dict[str, Any]:
    """``name=``, ``namespace=``, ``labels=``, ``annotations=`` (raises when metadata has more)."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        raise Unsupported("no metadata")
    meta = {k: v for k, v in meta.items() if not (k == "creationTimestamp" and v is None)}
    if not set(meta) <= _META_KEYS or not isinstance(meta.get("name"), str):
        raise Unsupported(f"metadata fields kubegen does not model: {sorted(set(meta) - _META_KEYS)}")
    kwargs: dict[str, Any] = {"name": meta["name"]}
    if meta.get("namespace") is not None:
        kwargs["namespace"] = meta["namespace"]
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    if not is_str_map(labels) or not is_str_map(annotations):
        raise Unsupported("labels or annotations that are not all strings")
    if labels != (labels_default or {}):
        kwargs["labels"] = labels
    if annotations:
        kwargs["annotations"] = annotations
    return kwargs


def _top_problem(obj: dict[str, Any], extra: set[str]) -> str:
    if extra:
        return f"fields kubegen's {obj['kind']} does not model: {sorted(extra)}"
    return f"apiVersion {obj.get('apiVersion')!r} (kubegen's {obj['kind']} writes {API_VERSIONS[obj['kind']]!r})"


def top(obj: dict[str, Any], *allowed: str) -> dict[str, Any]:
    """The object's spec (a copy); raises unless its apiVersion and top-level fields are modeled."""
    extra = set(obj) - {"apiVersion", "kind", "metadata", "status", *allowed}
    if extra or obj.get("apiVersion") != API_VERSIONS[obj["kind"]]:
        raise Unsupported(_top_problem(obj, extra))
    spec = obj.get("spec", {})
    if not isinstance(spec, dict):
        raise Unsupported("spec is not a mapping")
    return dict(spec)


# --- config --------------------------------------------------------------------------


def _binary(value: Any) -> dict[str, bytes]:
    if not isinstance(value, dict):
        raise Unsupported("binary data that is not a mapping")
    out = {}
    for key, text in value.items():
        data = decode_b64(text)
        if not isinstance(key, str) or data is None:
            raise Unsupported("binary data that is not canonical base64")
        out[key] = data
    return out


def _strings(value: Any) -> dict[str, str]:
    if not is_str_map(value):
        raise Unsupported("data values that are not all strings")
    return dict(value)


def _secret_type(value: Any) -> Any:
    return None if value == "Opaque" else value


# Config kinds: API field -> builder argument, converter (None: leave the argument out).
_CONFIG: dict[str, tuple[tuple[str, str, Any], ...]] = {
    "ConfigMap": (
        ("data", "data", _strings), ("binaryData", "binary_data", _binary),
        ("immutable", "immutable", lambda v: v),
    ),
    "Secret": (
        ("stringData", "string_data", _strings), ("data", "data", _binary), ("type", "type", _secret_type),
        ("immutable", "immutable", lambda v: v),
    ),
}


def config(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``ConfigMap(...)`` / ``Secret(...)`` (binary data as ``bytes``)."""
    fields = _CONFIG[obj["kind"]]
    top(obj, *(key for key, _, _ in fields))
    kwargs = metadata(obj, None)
    head = {"name": kwargs.pop("name")}
    for key, arg, convert in fields:
        if key in obj:
            value = convert(obj[key])
            if value is not None:
                head[arg] = value
    return [call(obj["kind"], **head, **kwargs)]


def namespace(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``Namespace(...)`` (the Stack's own namespace is usually implied instead)."""
    top(obj)
    return [call("Namespace", **metadata(obj, None))]


