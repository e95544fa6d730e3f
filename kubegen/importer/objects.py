"""Shared pieces of the per-kind candidates, and the simple kinds (ConfigMap, Secret, Namespace).

A candidate is only a proposal: :mod:`kubegen.importer.program` builds it and keeps
the first whose rendering is the input object again (else the object stays
``Raw``). So candidates may be optimistic; they must never be wrong silently.
"""

from __future__ import annotations

from typing import Any, Protocol

from kubegen import hooks
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

_META_KEYS = {"name", "generateName", "namespace", "labels", "annotations"}


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


def object_name(obj: dict[str, Any]) -> str:
    """The name builders take for ``obj``: ``metadata.name``, else the ``generateName``
    prefix without its trailing ``-`` (what a workload's default ``app`` label holds)."""
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if isinstance(name, str) and name:
        return name
    generate = meta.get("generateName") if isinstance(meta, dict) else None
    return generate.rstrip("-") if isinstance(generate, str) else ""


def _int_text(value: str) -> int | None:
    """The int a canonical integer text spells (``"-1"``), else None (``"+1"``, ``"01"``)."""
    try:
        number = int(value)
    except ValueError:
        return None
    return number if str(number) == value else None


def _items(value: Any, valid: tuple[str, ...], fold: bool) -> list[str] | None:
    """The items of a comma-separated hook annotation written the way ``Hook`` writes it."""
    if not isinstance(value, str) or not value:
        return None
    items = value.split(",")
    if any(item != item.strip() or (item.lower() if fold else item) not in valid for item in items):
        return None
    return items


def _one_or_list(items: list[str] | None) -> Any:
    return None if items is None else items[0] if len(items) == 1 else items


def gitops_fields(annotations: dict[str, str]) -> dict[str, Any]:
    """``hook=Hook...(...)`` and ``sync_wave=`` for the GitOps annotations written as the
    builders write them (removed from ``annotations``); anything else stays an annotation."""
    found: dict[str, Any] = {}
    if not any(key in annotations for key in hooks.KEYS):
        return found
    argo = _items(annotations.get(hooks.ARGOCD_HOOK), hooks.ARGOCD_PHASES, False)
    argo_delete = _items(annotations.get(hooks.ARGOCD_DELETE_POLICY), hooks.ARGOCD_DELETE_POLICIES, False)
    helm = _items(annotations.get(hooks.HELM_HOOK), hooks.HELM_EVENTS, True)
    helm_delete = _items(annotations.get(hooks.HELM_DELETE_POLICY), hooks.HELM_DELETE_POLICIES, True)
    weight_text = annotations.get(hooks.HELM_WEIGHT)
    weight = _int_text(weight_text) if isinstance(weight_text, str) and helm else None
    argo_kwargs = {"delete_policy": _one_or_list(argo_delete)} if argo and argo_delete else {}
    helm_kwargs: dict[str, Any] = {"weight": weight} if weight is not None else {}
    if helm and helm_delete:
        helm_kwargs["delete_policy"] = _one_or_list(helm_delete)
    taken = [key for key, used in ((hooks.ARGOCD_HOOK, argo), (hooks.ARGOCD_DELETE_POLICY, argo_kwargs),
                                   (hooks.HELM_HOOK, helm), (hooks.HELM_WEIGHT, weight is not None),
                                   (hooks.HELM_DELETE_POLICY, "delete_policy" in helm_kwargs)) if used]
    if argo and helm:
        both: dict[str, Any] = {"argocd_phases": argo, "helm_events": helm}
        both.update({f"argocd_{k}": v for k, v in argo_kwargs.items()})
        both.update({f"helm_{k}": v for k, v in helm_kwargs.items()})
        found["hook"] = call("Hook", **both)
    elif argo:
        found["hook"] = call("Hook.argocd", *argo, **argo_kwargs)
    elif helm:
        found["hook"] = call("Hook.helm", *helm, **helm_kwargs)
    wave = annotations.get(hooks.ARGOCD_SYNC_WAVE)
    if isinstance(wave, str) and _int_text(wave) is not None:
        found["sync_wave"] = _int_text(wave)
        taken.append(hooks.ARGOCD_SYNC_WAVE)
    for key in taken:
        del annotations[key]
    return found


def metadata(obj: dict[str, Any], labels_default: dict[str, Any] | None) -> dict[str, Any]:
    """``name=`` (or ``generate_name=``), ``namespace=``, ``labels=``, ``annotations=``,
    ``hook=``, ``sync_wave=`` (raises when metadata has more).

    ``name`` is always there (``""`` for an object with only a ``generateName``; the
    candidates' ``name=""`` is dropped when the call is written, see :func:`named`)."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        raise Unsupported("no metadata")
    meta = {k: v for k, v in meta.items() if not (k == "creationTimestamp" and v is None)}
    if not set(meta) <= _META_KEYS:
        raise Unsupported(f"metadata fields kubegen does not model: {sorted(set(meta) - _META_KEYS)}")
    name, generate = meta.get("name"), meta.get("generateName")
    if isinstance(name, str) and name and generate is not None:
        raise Unsupported("both metadata.name and metadata.generateName")
    if not (isinstance(name, str) and name) and not (isinstance(generate, str) and generate):
        raise Unsupported("no metadata.name")
    kwargs: dict[str, Any] = {"name": name if isinstance(name, str) else ""}
    if generate is not None:
        kwargs["generate_name"] = generate
    if meta.get("namespace") is not None:
        kwargs["namespace"] = meta["namespace"]
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    if not is_str_map(labels) or not is_str_map(annotations):
        raise Unsupported("labels or annotations that are not all strings")
    if labels != (labels_default or {}):
        kwargs["labels"] = labels
    gitops: dict[str, Any] = {}
    if annotations:
        annotations = dict(annotations)
        gitops = gitops_fields(annotations)
    if annotations:
        kwargs["annotations"] = annotations
    kwargs.update(gitops)
    return kwargs


def named(node: Call) -> Call:
    """``node`` without the ``name=""`` of an object that has only a ``generate_name``, whose
    ``generate_name=`` comes first instead."""
    if not any(key == "generate_name" for key, _ in node.kwargs):
        return node
    kwargs = dict(node.kwargs)
    if kwargs.get("name") != "":
        return node
    del kwargs["name"]
    ordered = {"generate_name": kwargs.pop("generate_name"), **kwargs}
    return Call(node.func, node.args, tuple(ordered.items()), node.receiver)


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


