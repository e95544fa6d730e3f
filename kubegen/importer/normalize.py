"""The one normaliser: two manifests mean the same object when their normal forms are equal.

Builders write some fields the API would fill in anyway (``type: ClusterIP``), and
leave out some that input YAML spells out (``protocol: TCP`` on a container port).
:func:`normalise` removes every value that equals the API server's default, so
an imported app that renders ``type: ClusterIP`` where the YAML had no ``type``
still counts as the same object. The defaults removed, and only these:

- ``status`` (server-written) and ``metadata.creationTimestamp: null`` (kubectl noise),
  on the object and on pod templates;
- empty ``metadata.labels`` / ``metadata.annotations`` maps, on the object and on pod
  templates;
- Service ``spec.type: ClusterIP``; Service port ``protocol: TCP``; Service port
  ``targetPort`` equal to its ``port``;
- container and init-container port ``protocol: TCP``; container ``resources: {}``;
- ``spec.replicas: 1`` of Deployment, StatefulSet, ReplicaSet and ReplicationController;
- Secret ``type: Opaque``.
"""

from __future__ import annotations

import copy
from typing import Any

from kubegen.location import Location
from kubegen.manifest import Manifest, pod_template

_NOWHERE = Location("<normalise>")
_REPLICATED = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})

API_DEFAULTS: tuple[str, ...] = (
    "status",
    "metadata.creationTimestamp: null",
    "metadata.labels: {}",
    "metadata.annotations: {}",
    "Service spec.type: ClusterIP",
    "Service spec.ports[].protocol: TCP",
    "Service spec.ports[].targetPort: <port>",
    "containers[].ports[].protocol: TCP",
    "containers[].resources: {}",
    "spec.replicas: 1 (Deployment, StatefulSet, ReplicaSet, ReplicationController)",
    "Secret type: Opaque",
)
"""What :func:`normalise` treats as "not set" (the API server's defaults)."""


def _drop(mapping: Any, key: str, default: Any) -> None:
    if isinstance(mapping, dict) and key in mapping and mapping[key] == default:
        del mapping[key]


def _metadata(meta: Any) -> None:
    if isinstance(meta, dict):
        _drop(meta, "creationTimestamp", None)
        _drop(meta, "labels", {})
        _drop(meta, "annotations", {})


def _ports(ports: Any, service: bool) -> None:
    if not isinstance(ports, list):
        return
    for port in ports:
        if isinstance(port, dict):
            _drop(port, "protocol", "TCP")
            if service and "port" in port:
                _drop(port, "targetPort", port["port"])


def _pod_spec(spec: Any) -> None:
    if not isinstance(spec, dict):
        return
    for key in ("initContainers", "containers"):
        containers = spec.get(key)
        if isinstance(containers, list):
            for container in containers:
                if isinstance(container, dict):
                    _ports(container.get("ports"), service=False)
                    _drop(container, "resources", {})


def normalise(obj: Any) -> Any:
    """A deep copy of ``obj`` with every API default listed in :data:`API_DEFAULTS` removed."""
    if not isinstance(obj, dict):
        return copy.deepcopy(obj)
    out: dict[str, Any] = copy.deepcopy(obj)
    out.pop("status", None)
    kind = out.get("kind")
    _metadata(out.get("metadata"))
    spec = out.get("spec")
    template = pod_template(Manifest(out, _NOWHERE))
    if template is not None:
        if template is not out:
            template.pop("status", None)
            _metadata(template.get("metadata"))
        _pod_spec(template.get("spec"))
    if kind == "Service" and isinstance(spec, dict):
        _drop(spec, "type", "ClusterIP")
        _ports(spec.get("ports"), service=True)
    if kind in _REPLICATED:
        _drop(spec, "replicas", 1)
    if kind == "Secret":
        _drop(out, "type", "Opaque")
    return out
