"""Objects read back from a cluster (``kubectl get -o yaml``) as a person would have written them.

An object *looks live* when its metadata carries what only the API server writes
(``uid``, ``resourceVersion``, ``generation``, ``managedFields``, ``selfLink`` or a
``creationTimestamp`` that is not null). From such an object import drops:

- what the server populated (:data:`SERVER_POPULATED`): those metadata fields,
  ``status``, the ``kubectl.kubernetes.io/last-applied-configuration`` and
  controllers' annotations, a Service's allocated ``clusterIP``/``clusterIPs`` (kept
  when ``None``: headless) and its ``ipFamilies`` when the policy is SingleStack
  (the cluster's family, not a choice), what admission adds to a Pod, a Namespace's
  name label and finalizer;
- every field equal to an API default, through the one list the normaliser uses
  (:data:`kubegen.importer.normalize.API_DEFAULTS`);
- whole objects the cluster made by itself: those owned by a controller in the input
  (``kubectl get all`` lists a Deployment's ReplicaSets and Pods) and those every
  cluster has (``kube-root-ca.crt``, the ``default`` ServiceAccount, the
  ``kubernetes`` Service). The app's header names them.

Allocated ``nodePort`` values are kept: clients outside the cluster may rely on
them (delete them in the app to let the cluster choose again).

Objects that do not look live (hand-written files, ``kubegen render`` output) are
imported as they are: a default the author spelled out stays in the app, so an
app's own output imports back to the same app.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubegen.importer.normalize import normalise
from kubegen.importer.pods import dig
from kubegen.manifest import Manifest
from kubegen.values import copy_data

_LIVE_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink")
_SERVER_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
)
_NODE_TOLERATIONS = [
    {"effect": "NoExecute", "key": f"node.kubernetes.io/{key}", "operator": "Exists", "tolerationSeconds": 300}
    for key in ("not-ready", "unreachable")
]
_NAME_LABEL = "kubernetes.io/metadata.name"  # on every Namespace, set by the server
# Objects every cluster makes by itself: (kind, namespace or None for any, name).
_CLUSTER_MADE = (("ConfigMap", None, "kube-root-ca.crt"), ("Service", "default", "kubernetes"),
                 ("ServiceAccount", None, "default"))

SERVER_POPULATED: tuple[str, ...] = (
    *(f"metadata.{key}" for key in _LIVE_METADATA),
    "metadata.name when the server generated it from metadata.generateName",
    *(f"metadata.annotations[{key}]" for key in _SERVER_ANNOTATIONS),
    "status",
    "Service spec.clusterIP (unless None), spec.clusterIPs",
    "Service spec.ipFamilies (one family, SingleStack policy)",
    "Pod spec.nodeName, serviceAccount(Name): default, priority: 0 with preemptionPolicy: PreemptLowerPriority,"
    " the not-ready/unreachable tolerations (300 s), the kube-api-access-* volume and its mounts",
    f"Namespace metadata.labels[{_NAME_LABEL}] (its own name), spec.finalizers: [kubernetes]",
)
"""What the API server (or ``kubectl apply``) writes into a stored object."""


def looks_live(obj: dict[str, Any]) -> bool:
    """True when ``obj`` carries metadata only the API server writes."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return False
    return any(key in meta for key in _LIVE_METADATA if key != "creationTimestamp") \
        or meta.get("creationTimestamp") is not None


def _strip_server_fields(obj: dict[str, Any]) -> set[str]:
    """Remove what the server populated from ``obj`` (in place); the names of what went."""
    gone = {"status"} if obj.pop("status", None) is not None else set()
    meta = obj["metadata"]
    gone |= {key for key in _LIVE_METADATA if meta.pop(key, None) is not None}
    generate, name = meta.get("generateName"), meta.get("name")
    if isinstance(generate, str) and generate and isinstance(name, str) and name.startswith(generate):
        del meta["name"]  # the server's completion of generateName: the author wrote the prefix
        gone.add("metadata.name generated from metadata.generateName")
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        gone |= {f"the {key} annotation" for key in _SERVER_ANNOTATIONS if annotations.pop(key, None) is not None}
        if not annotations:
            del meta["annotations"]
    spec = obj.get("spec")
    if obj.get("kind") == "Namespace":
        return gone | _strip_namespace(obj)
    if not isinstance(spec, dict):
        return gone
    if obj.get("kind") == "Pod":
        return gone | _strip_pod(spec)
    if obj.get("kind") == "Service":
        return gone | _strip_service(spec)
    return gone


def _strip_namespace(obj: dict[str, Any]) -> set[str]:
    gone = set()
    meta = obj["metadata"]
    labels = meta.get("labels")
    if isinstance(labels, dict) and labels.get(_NAME_LABEL) == meta.get("name"):
        del labels[_NAME_LABEL]
        gone.add(f"the {_NAME_LABEL} label")
        if not labels:
            del meta["labels"]
    if obj.get("spec") == {"finalizers": ["kubernetes"]}:
        del obj["spec"]
        gone.add("the kubernetes finalizer")
    return gone


def _strip_service(spec: dict[str, Any]) -> set[str]:
    gone = set()
    if spec.get("clusterIP") != "None":
        gone |= {key for key in ("clusterIP", "clusterIPs") if spec.pop(key, None) is not None}
    families = spec.get("ipFamilies")
    if isinstance(families, list) and len(families) == 1 and spec.get("ipFamilyPolicy", "SingleStack") == "SingleStack":
        del spec["ipFamilies"]
        gone.add("ipFamilies")
    return gone


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found = [c for key in ("initContainers", "containers") if isinstance(spec.get(key), list) for c in spec[key]]
    return [c for c in found if isinstance(c, dict)]


def _strip_pod(spec: dict[str, Any]) -> set[str]:
    """What admission and the scheduler add to a Pod (not to pod templates)."""
    gone = {key for key in ("nodeName",) if spec.pop(key, None) is not None}
    if spec.get("serviceAccount") == spec.get("serviceAccountName"):
        gone |= {"serviceAccount"} if spec.pop("serviceAccount", None) is not None else set()
    if spec.get("serviceAccountName") == "default":
        del spec["serviceAccountName"]
        gone.add("serviceAccountName")
    if spec.get("priority") == 0 and spec.get("preemptionPolicy") == "PreemptLowerPriority" \
            and "priorityClassName" not in spec:
        del spec["priority"], spec["preemptionPolicy"]
        gone.add("priority")
    tolerations = spec.get("tolerations")
    if isinstance(tolerations, list) and any(t in _NODE_TOLERATIONS for t in tolerations):
        spec["tolerations"] = [t for t in tolerations if t not in _NODE_TOLERATIONS]
        gone.add("tolerations")
    volumes = spec.get("volumes")
    volumes = volumes if isinstance(volumes, list) else []
    token = {v["name"] for v in volumes if isinstance(v, dict) and "projected" in v
             and str(v.get("name")).startswith("kube-api-access-")}
    if token:
        gone.add("the kube-api-access volume")
        spec["volumes"] = [v for v in volumes if not (isinstance(v, dict) and v.get("name") in token)]
        for container in _containers(spec):
            mounts = container.get("volumeMounts")
            if isinstance(mounts, list):
                container["volumeMounts"] = [m for m in mounts if not (isinstance(m, dict) and m.get("name") in token)]
    for key in ("tolerations", "volumes"):
        if spec.get(key) == []:
            del spec[key]
    for container in _containers(spec):
        if container.get("volumeMounts") == []:
            del container["volumeMounts"]
    return gone


def _paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Every path in ``node`` (list items as ``[]``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _paths(value, path)
    elif isinstance(node, list):
        for value in node:
            yield from _paths(value, prefix + "[]")


def _removed(before: Any, after: Any) -> set[str]:
    """The paths of ``before`` that are gone in ``after``, reduced to their top-most."""
    gone = set(_paths(before)) - set(_paths(after))
    return {p for p in gone if not any(p[:i] in gone for i, ch in enumerate(p) if ch in ".[")}


@dataclass
class LiveSummary:
    """What was dropped from live objects, for the header of the generated app."""

    objects: int = 0
    left_out: list[str] = field(default_factory=list)
    server: set[str] = field(default_factory=set)
    defaults: set[str] = field(default_factory=set)
    node_ports: int = 0

    def comment(self, width: int) -> list[str]:
        """The header comment lines (without ``# ``), empty when no object looked live."""
        text = ""
        if self.objects:
            plural = "s" if self.objects != 1 else ""
            text = (f"{self.objects} object{plural} read from a cluster: dropped what the server wrote "
                    f"({', '.join(sorted(self.server))})")
            if self.defaults:
                text += f" and fields equal to API defaults ({', '.join(sorted(self.defaults))})"
            text += "."
        if self.left_out:
            text += f" Left out what the cluster makes by itself: {', '.join(self.left_out)}."
        if self.node_ports:
            them = "them" if self.node_ports != 1 else "it"
            text += (f" Kept {self.node_ports} allocated nodePort{'s' if self.node_ports != 1 else ''}"
                     f" (clients may rely on {them}): delete {them} to let the cluster choose.")
        return textwrap.wrap(text.strip(), width, break_on_hyphens=False, break_long_words=False)


_VAGUE = frozenset({"apiVersion", "kind", "status", "type", "scheme", "protocol", "targetPort"})


def _labels(paths: set[str], kind: Any) -> set[str]:
    """Defaults' names in the header: the field, with its parent's (or the kind) when the
    field alone says little. A pod template's ``creationTimestamp: null`` is not named:
    the server-written list already says creationTimestamp."""
    out = set()
    for path in paths:
        parts = path.replace("[]", "").split(".")
        if parts[-1] == "creationTimestamp":
            continue
        if parts[-1] not in _VAGUE:
            out.add(parts[-1])
        else:
            out.add(".".join(parts[-2:]) if len(parts) > 1 else f"{kind}.{parts[-1]}")
    return out


def _made_by_cluster(manifest: Manifest, owners: dict[str, str]) -> str | None:
    """How the header names ``manifest`` when the cluster made it (None: a person did)."""
    label = f"{manifest.kind} {manifest.name}"
    for ref in manifest.metadata.get("ownerReferences") or ():
        if isinstance(ref, dict) and ref.get("controller") is True and ref.get("uid") in owners:
            return f"{label} (by {owners[ref['uid']]})"
    for kind, namespace, name in _CLUSTER_MADE:
        if (manifest.kind, manifest.name) == (kind, name) and namespace in (None, manifest.namespace):
            return label
    return None


def as_written(manifests: Sequence[Manifest]) -> tuple[list[Manifest], LiveSummary]:
    """``manifests`` with live objects stripped of server-populated fields and API defaults,
    and without the live objects the cluster made by itself: those a controller in the
    input owns (a Deployment's ReplicaSets and Pods) and those every cluster has (the
    ``kube-root-ca.crt`` ConfigMap, the ``default`` ServiceAccount, the ``kubernetes``
    Service)."""
    summary = LiveSummary()
    owners = {m.metadata["uid"]: f"{m.kind} {m.name}" for m in manifests if isinstance(m.metadata.get("uid"), str)}
    out = []
    for manifest in manifests:
        if not looks_live(manifest.obj):
            out.append(manifest)
            continue
        made = _made_by_cluster(manifest, owners)
        if made is not None:
            summary.left_out.append(made)
            continue
        summary.objects += 1
        obj = copy_data(manifest.obj)
        summary.server |= _strip_server_fields(obj)
        written = normalise(obj)
        summary.defaults |= _labels(_removed(obj, written), obj.get("kind"))
        ports = dig(written, "spec", "ports")
        if written.get("kind") == "Service" and isinstance(ports, list):
            summary.node_ports += sum(1 for p in ports if isinstance(p, dict) and "nodePort" in p)
        out.append(Manifest(written, manifest.origin))
    return out, summary
