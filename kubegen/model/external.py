"""External: an object the cluster has that this stack does not make.

A Secret created by another tool (sealed-secrets, external-secrets, a CI job), the
``registry-creds`` every namespace gets, a ClusterRole a platform team installs: the
reference checks would report them as missing. Declare them instead of switching the
rules off::

    stack.add(External(kind="Secret", name="registry-creds"))
    stack.add(External(kind="Secret", name="db", keys=["password"]))   # keys checked too

On the command line the same is ``--assume Secret/registry-creds`` (lint, render, check,
explain, graph). An External is never rendered: it only tells the checks what exists.
"""

from __future__ import annotations

from typing import Any

import attrs

from kubegen import facts
from kubegen.errors import BuilderError
from kubegen.location import Location
from kubegen.model._base import Builder, check, source_field, str_tuple, typed_fields


def _keys(value: Any) -> tuple[str, ...] | None:
    return None if value is None else str_tuple(value)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class External(Builder):
    """An object that exists in the cluster without this stack making it.

    - ``kind``: e.g. ``"Secret"``, ``"ConfigMap"``, ``"ServiceAccount"``, ``"ClusterRole"``,
      ``"PersistentVolumeClaim"``, ``"Service"`` (required).
    - ``name``: (required).
    - ``namespace``: Default: the Stack's (none for cluster-scoped kinds).
    - ``keys``: the data keys of a ConfigMap or Secret, checked against the keys pods read.
      Default: none (any key is taken to exist).
    """

    kind: str
    name: str
    namespace: str | None = None
    keys: tuple[str, ...] | None = attrs.field(default=None, converter=_keys)
    source: Location = source_field()

    external = True

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind[:1].isupper() or not self.kind.isalnum():
            raise BuilderError(f"External: kind {self.kind!r} must be a Kubernetes kind such as 'Secret'")
        if not isinstance(self.name, str) or not self.name:
            raise BuilderError(f"External {self.kind}: name must be a non-empty string")
        if self.namespace is not None:
            check(f"External {self.kind} {self.name!r}", "namespace", self.namespace, facts.dns1123_label_problems)
        if self.keys is not None and self.kind not in ("ConfigMap", "Secret"):
            raise BuilderError(f"External {self.kind} {self.name!r}: keys= is for ConfigMaps and Secrets")

    def to_dict(self) -> dict[str, Any]:
        """What the checks see (never written out)."""
        meta: dict[str, Any] = {"name": self.name}
        if self.namespace is not None:
            meta["namespace"] = self.namespace
        return {"kind": self.kind, "metadata": meta}
