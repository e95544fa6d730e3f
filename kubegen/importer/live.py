"""Objects read back from a cluster (``kubectl get -o yaml``) as a person would have written them.

An object *looks live* when its metadata carries what only the API server writes
(``uid``, ``resourceVersion``, ``generation``, ``managedFields``, ``selfLink`` or a
``creationTimestamp`` that is not null). From such an object import drops:

- what the server populated (:data:`SERVER_POPULATED`): those metadata fields,
  ``status``, the ``kubectl.kubernetes.io/last-applied-configuration`` and
  ``deployment.kubernetes.io/revision`` annotations, a Service's allocated
  ``clusterIP``/``clusterIPs`` (kept when ``None``: headless) and its ``ipFamilies``
  when the policy is SingleStack (the cluster's family, not a choice);
- every field equal to an API default, through the one list the normaliser uses
  (:data:`kubegen.importer.normalize.API_DEFAULTS`).

Allocated ``nodePort`` values are kept: clients outside the cluster may rely on
them (delete them in the app to let the cluster choose again).

Objects that do not look live (hand-written files, ``kubegen render`` output) are
imported as they are: a default the author spelled out stays in the app, so an
app's own output imports back to the same app.
"""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubegen.importer.normalize import normalise
from kubegen.importer.pods import dig
from kubegen.manifest import Manifest

_LIVE_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink")
_SERVER_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision")

SERVER_POPULATED: tuple[str, ...] = (
    *(f"metadata.{key}" for key in _LIVE_METADATA),
    *(f"metadata.annotations[{key}]" for key in _SERVER_ANNOTATIONS),
    "status",
    "Service spec.clusterIP (unless None), spec.clusterIPs",
    "Service spec.ipFamilies (one family, SingleStack policy)",
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
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        gone |= {f"the {key} annotation" for key in _SERVER_ANNOTATIONS if annotations.pop(key, None) is not None}
        if not annotations:
            del meta["annotations"]
    spec = obj.get("spec")
    if obj.get("kind") != "Service" or not isinstance(spec, dict):
        return gone
    if spec.get("clusterIP") != "None":
        gone |= {key for key in ("clusterIP", "clusterIPs") if spec.pop(key, None) is not None}
    families = spec.get("ipFamilies")
    if isinstance(families, list) and len(families) == 1 and spec.get("ipFamilyPolicy", "SingleStack") == "SingleStack":
        del spec["ipFamilies"]
        gone.add("ipFamilies")
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
    server: set[str] = field(default_factory=set)
    defaults: set[str] = field(default_factory=set)
    node_ports: int = 0

    def comment(self, width: int) -> list[str]:
        """The header comment lines (without ``# ``), empty when no object looked live."""
        if not self.objects:
            return []
        plural = "s" if self.objects != 1 else ""
        text = (
            f"{self.objects} object{plural} read from a cluster: dropped what the server wrote "
            f"({', '.join(sorted(self.server))})"
        )
        if self.defaults:
            text += f" and fields equal to API defaults ({', '.join(sorted(self.defaults))})"
        text += "."
        if self.node_ports:
            them = "them" if self.node_ports != 1 else "it"
            text += (f" Kept {self.node_ports} allocated nodePort{'s' if self.node_ports != 1 else ''}"
                     f" (clients may rely on {them}): delete {them} to let the cluster choose.")
        return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)


_VAGUE = frozenset({"apiVersion", "type", "scheme", "protocol", "targetPort"})


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


def as_written(manifests: Sequence[Manifest]) -> tuple[list[Manifest], LiveSummary]:
    """``manifests`` with live objects stripped of server-populated fields and API defaults."""
    summary = LiveSummary()
    out = []
    for manifest in manifests:
        if not looks_live(manifest.obj):
            out.append(manifest)
            continue
        summary.objects += 1
        obj = copy.deepcopy(manifest.obj)
        summary.server |= _strip_server_fields(obj)
        written = normalise(obj)
        summary.defaults |= _labels(_removed(obj, written), obj.get("kind"))
        ports = dig(written, "spec", "ports")
        if written.get("kind") == "Service" and isinstance(ports, list):
            summary.node_ports += sum(1 for p in ports if isinstance(p, dict) and "nodePort" in p)
        out.append(Manifest(written, manifest.origin))
    return out, summary
