"""The pods of a stack by label, and its Services by name: what the cross-object rules
(:mod:`kubegen.checks.wiring`, :mod:`kubegen.checks.policies`) and the network model
select from, in time linear in the number of objects (indexed by label pair, never
compared pairwise). Pods and Services the cluster has without the stack
(``External``/``--assume``) are in it too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from kubegen import facts, hooks
from kubegen.checks.assumed import Assumed, Port, selected_pods
from kubegen.location import Location
from kubegen.manifest import Manifest, custom_pod_template, pod_template

DEFAULT_NAMESPACE = "default"


class PodSet:
    """The pods one object runs: its template's labels and containers. ``declared``: pods
    an ``External``/``--assume`` declares instead (``ports_known`` False: any port)."""

    __slots__ = ("manifest", "namespace", "labels", "containers", "declared", "ports_known", "hook")

    def __init__(self, manifest: Manifest, namespace: str, labels: dict[str, Any], containers: list[Any],
                 *, declared: bool = False, ports_known: bool = True) -> None:
        self.manifest = manifest
        self.namespace = namespace
        self.labels = labels
        self.containers = containers
        self.declared = declared
        self.ports_known = ports_known
        annotations = manifest.metadata.get("annotations")
        # a Helm test Pod, an Argo CD PreSync Job: its tool runs it for a while, apart from the app
        self.hook = isinstance(annotations, dict) and hooks.is_hook(annotations)

    def has_labels(self, selector: dict[str, Any]) -> bool:
        """Whether these pods carry every pair of ``selector`` (what a Service selects)."""
        return all(self.labels.get(k) == v for k, v in selector.items())

    def serves(self, port: dict[str, Any], protocol: str) -> bool:
        """Whether the container ``port`` takes ``protocol`` (a declaration names ports,
        not their protocols: either serves)."""
        return self.declared or port.get("protocol", "TCP") == protocol

    def declared_ports(self) -> list[dict[str, Any]]:
        return [
            p for c in self.containers if isinstance(c, dict) and isinstance(c.get("ports"), list)
            for p in c["ports"] if isinstance(p, dict)
        ]


class DeclaredPods(Manifest):
    """Pods an ``External``/``--assume`` declares by their labels, as the index holds
    them (never checked, never written); messages name the declaration."""

    __slots__ = ("assumed",)

    def __init__(self, assumed: Assumed) -> None:
        meta = {"name": assumed.name, "labels": dict(assumed.labels or ())}
        super().__init__({"kind": assumed.kind, "metadata": meta}, assumed.source or Location("--assume"))
        self.assumed = assumed

    @property
    def label(self) -> str:
        return self.assumed.label


def declared_ports(ports: Sequence[Port]) -> list[dict[str, Any]]:
    """Declared (name, number) pairs as the container ports the rules read."""
    return [{k: v for k, v in (("name", name), ("containerPort", number)) if v} for name, number in ports]


class StackIndex:
    """Pod templates by (namespace, label, value) and Services by (namespace, name);
    pods and Services the cluster has without the stack (``assume``) too."""

    def __init__(self, manifests: Sequence[Manifest], assume: frozenset[Assumed] = frozenset()) -> None:
        self.podsets: list[PodSet] = []
        self.by_label: dict[tuple[str, str, Any], list[PodSet]] = defaultdict(list)
        self.services: dict[tuple[str, str], Manifest] = {}
        self.declared_services = {(a.namespace, a.name): a for a in assume if a.kind == "Service" and a.name}
        workloads: set[tuple[str, str, str]] = set()
        uids = {uid for m in manifests if isinstance(uid := m.metadata.get("uid"), str)}
        for m in manifests:
            kind = m.kind
            if kind == "Service":
                self.services.setdefault((m.namespace or DEFAULT_NAMESPACE, m.name), m)
            elif template := pod_template(m) if kind in facts.POD_TEMPLATE_PATHS else custom_pod_template(m.obj):
                # A second object of the same kind and name is one workload on apply (the
                # `duplicate` rule reports it); counting it twice would fake overlaps.
                name, namespace = m.name, m.namespace or DEFAULT_NAMESPACE
                identity = (kind, namespace, name)
                if (name and identity in workloads) or (uids and _controlled(m, uids)):
                    continue
                workloads.add(identity)
                meta = template.get("metadata")
                labels = meta.get("labels") if isinstance(meta, dict) else None
                spec = template.get("spec")
                containers = spec.get("containers") if isinstance(spec, dict) else None
                podset = PodSet(
                    m, namespace,
                    labels if isinstance(labels, dict) else {},
                    containers if isinstance(containers, list) else [],
                )
                self._add(podset)
        for assumed in selected_pods(assume):
            containers = [{"name": "declared", "ports": declared_ports(assumed.ports or ())}]
            for namespace in self._namespaces(assumed.namespace, manifests):
                self._add(PodSet(DeclaredPods(assumed), namespace, dict(assumed.labels or ()), containers,
                                 declared=True, ports_known=assumed.ports is not None))

    def _add(self, podset: PodSet) -> None:
        self.podsets.append(podset)
        for key, value in podset.labels.items():
            if isinstance(value, (str, int, float, bool)):
                self.by_label[(podset.namespace, key, value)].append(podset)

    @staticmethod
    def _namespaces(namespace: str | None, manifests: Sequence[Manifest]) -> list[str]:
        """Where declared pods run: their namespace, or (none given) every one the stack uses."""
        if namespace is not None:
            return [namespace]
        return sorted({m.namespace or DEFAULT_NAMESPACE for m in manifests}) or [DEFAULT_NAMESPACE]

    def declared_service(self, namespace: str, name: str) -> Assumed | None:
        """A Service the cluster has without the stack (``External``/``--assume``)."""
        return self.declared_services.get((namespace, name)) or self.declared_services.get((None, name))

    def serving(self, namespace: str, selector: dict[str, Any]) -> list[PodSet]:
        """The pod sets a Service with ``selector`` sends its traffic to: those it selects,
        but not the pods of hooks (``helm create``'s test Pod carries the app's labels),
        which run only while Helm or Argo CD runs them; unless it selects nothing else."""
        selected = self.select(namespace, selector)
        steady = [p for p in selected if not p.hook]
        return steady or selected

    def select(self, namespace: str, selector: dict[str, Any]) -> list[PodSet]:
        """The pod sets in ``namespace`` whose labels include every selector pair."""
        candidates: list[PodSet] | None = None
        for key, value in selector.items():
            if not isinstance(value, (str, int, float, bool)):
                return []
            found = self.by_label.get((namespace, key, value))
            if not found:
                return []
            if candidates is None or len(found) < len(candidates):
                candidates = found
        if not candidates:
            return []
        return [p for p in candidates if p.has_labels(selector)]


def _controlled(m: Manifest, uids: set[str]) -> bool:
    """Made by a controller that is in the input too (a live Deployment's ReplicaSet and
    their Pods, from `kubectl get all`): its pods are the controller's, not more workloads."""
    refs = m.metadata.get("ownerReferences")
    return isinstance(refs, list) and any(
        isinstance(r, dict) and r.get("controller") is True and r.get("uid") in uids for r in refs
    )


__all__ = ["DEFAULT_NAMESPACE", "DeclaredPods", "PodSet", "StackIndex", "declared_ports"]
