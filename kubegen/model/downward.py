"""Env values from the pod itself (Kubernetes' downward API): its own fields
(``FieldRef(field_path="status.podIP")``) and a container's requests and limits
(``ResourceFieldRef(resource="limits.memory")``). Used in ``Container(env={...})``."""

from __future__ import annotations

from typing import Any

import attrs

from kubegen import facts
from kubegen.model._base import check, typed_fields
from kubegen.model.env import EnvSource


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class FieldRef(EnvSource):
    """Env value from the pod's own fields, e.g. ``FieldRef(field_path="status.podIP")``."""

    field_path: str

    def to_dict(self) -> dict[str, Any]:
        return {"fieldRef": {"fieldPath": self.field_path}}


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ResourceFieldRef(EnvSource):
    """Env value from a container's own requests or limits, e.g.
    ``ResourceFieldRef(resource="limits.memory", divisor="1Mi")``.

    - ``resource``: ``limits.cpu``, ``limits.memory``, ``requests.cpu``, ... (required).
    - ``container_name``: whose resources (required in a pod with several containers).
      Default: none (this container).
    - ``divisor``: the unit of the value, a quantity. Default: none (``1``).
    """

    resource: str
    container_name: str | None = None
    divisor: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.divisor is not None:
            check("ResourceFieldRef", "divisor", self.divisor, facts.quantity_problems)

    def to_dict(self) -> dict[str, Any]:
        ref: dict[str, Any] = {}
        if self.container_name is not None:
            ref["containerName"] = self.container_name
        if self.divisor is not None:
            ref["divisor"] = self.divisor
        ref["resource"] = self.resource
        return {"resourceFieldRef": ref}


__all__ = ["FieldRef", "ResourceFieldRef"]
