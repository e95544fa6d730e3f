"""External: an object the cluster has that this stack does not make.

A Secret created by another tool (sealed-secrets, external-secrets, a CI job), the
``registry-creds`` every namespace gets, a ClusterRole a platform team installs, the
pods of another file of the same app behind this file's Service: the reference checks
would report them as missing. Declare them instead of switching the rules off::

    stack.add(External(kind="Secret", name="registry-creds"))
    stack.add(External(kind="Secret", name="db", keys=["password"]))   # keys checked too
    stack.add(External(kind="Service", name="api", ports=[80, "http"]))  # an Ingress's backend
    stack.add(External.pods({"app": "db"}, ports={"postgres": 5432}))   # a Service's pods

On the command line the same is ``--assume Secret/registry-creds``, ``--assume
Pod/app=db:postgres=5432`` (lint, render, check, explain, graph). An External is never
rendered: it only tells the checks what exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kubegen import facts
from kubegen.errors import BuilderError
from kubegen.location import Location
from kubegen.model._base import Builder, FrozenDict, check, check_labels, source_field, str_tuple, typed_fields

# Kinds whose pods a selector may find (what labels= declares).
POD_KINDS = tuple(facts.POD_TEMPLATE_PATHS)


def _keys(value: Any) -> tuple[str, ...] | None:
    return None if value is None else str_tuple(value)


def _labels(value: Mapping[str, str] | None) -> FrozenDict | None:
    return None if value is None else FrozenDict(value)


def _ports(value: Iterable[int | str] | Mapping[str, int] | None) -> tuple[tuple[str, int], ...] | None:
    """``[80, "http"]`` or ``{"http": 8080}`` as (name or "", number or 0) pairs."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        items = list(value.items())
        if not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in items):
            raise BuilderError(f"External: ports as a mapping name port names to numbers (got {dict(value)!r})")
        return tuple(items)
    if isinstance(value, (str, int)):
        value = [value]
    found: list[tuple[str, int]] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise BuilderError(f"External: a port is a number or a name (got {item!r})")
        found.append(("", item) if isinstance(item, int) else (item, 0))
    return tuple(found)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class External(Builder):
    """An object that exists in the cluster without this stack making it.

    - ``kind``: e.g. ``"Secret"``, ``"ConfigMap"``, ``"ServiceAccount"``, ``"ClusterRole"``,
      ``"PersistentVolumeClaim"``, ``"Service"``, ``"Deployment"`` (required).
    - ``name``: required, unless ``labels`` declares pods by their labels.
    - ``namespace``: Default: the Stack's (none for cluster-scoped kinds).
    - ``keys``: the data keys of a ConfigMap or Secret, checked against the keys pods read.
      Default: none (any key is taken to exist).
    - ``labels``: pods with these labels run in the namespace (the pods of a Service,
      budget or policy of this stack that another file or tool makes); for kinds that run
      pods (``External.pods(...)`` is ``kind="Pod"``). Default: none.
    - ``ports``: the ports those pods declare (``[5432]``, ``["http"]``, ``{"http": 8080}``),
      or the ports of a Service; checked like declared container/Service ports (a
      declared port has no protocol: a UDP or a TCP Service port may target it).
      Default: none (any port).
    """

    kind: str
    name: str = ""
    namespace: str | None = None
    keys: tuple[str, ...] | None = attrs.field(default=None, converter=_keys)
    labels: FrozenDict | None = attrs.field(default=None, converter=_labels)
    ports: tuple[tuple[str, int], ...] | None = attrs.field(default=None, converter=_ports)
    source: Location = source_field()

    external = True

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind[:1].isupper() or not self.kind.isalnum():
            raise BuilderError(f"External: kind {self.kind!r} must be a Kubernetes kind such as 'Secret'")
        if not isinstance(self.name, str) or not (self.name or self.labels):
            raise BuilderError(f"External {self.kind}: name must be a non-empty string (or labels= for pods)")
        owner = f"External {self.kind} {self.name!r}"
        if self.namespace is not None:
            check(owner, "namespace", self.namespace, facts.dns1123_label_problems)
        if self.keys is not None and self.kind not in ("ConfigMap", "Secret"):
            raise BuilderError(f"{owner}: keys= is for ConfigMaps and Secrets")
        if self.labels is not None:
            if self.kind not in POD_KINDS:
                raise BuilderError(f"{owner}: labels= declares pods: use a kind that runs them "
                                   f"({', '.join(POD_KINDS)}), e.g. External.pods({dict(self.labels)!r})")
            if not self.labels:
                raise BuilderError(f"{owner}: labels= needs at least one label (a selector picks pods by them)")
            check_labels(owner, "labels", self.labels)
        if self.ports is not None and self.labels is None and self.kind != "Service":
            raise BuilderError(f"{owner}: ports= is for a Service or for pods declared with labels=")

    @classmethod
    def pods(cls, labels: Mapping[str, str], *, ports: Iterable[int | str] | Mapping[str, int] | None = None,
             namespace: str | None = None) -> External:
        """Pods with ``labels`` that another file or tool runs (what a Service of this stack
        selects): ``External.pods({"app": "db"}, ports=[5432])``."""
        return cls(kind="Pod", labels=labels, ports=ports, namespace=namespace)

    def to_dict(self) -> dict[str, Any]:
        """What the checks see (never written out)."""
        meta: dict[str, Any] = {"name": self.name}
        if self.namespace is not None:
            meta["namespace"] = self.namespace
        if self.labels is not None:
            meta["labels"] = dict(self.labels)
        return {"kind": self.kind, "metadata": meta}
