"""StatefulSet: pods with stable names and storage (its own module: an app without one
does not pay for building the class)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from kubegen.errors import BuilderError, reject
from kubegen.model._base import as_list, optional_name, typed_fields
from kubegen.model.pvc import PersistentVolumeClaim
from kubegen.model.workload import _Scalable


def _to_claims(value: Iterable[PersistentVolumeClaim] | None) -> Any:
    return as_list(value, (PersistentVolumeClaim,), "[PersistentVolumeClaim(name=..., storage=...)]")


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class StatefulSet(_Scalable):
    """Pods with stable names and storage (``name-0``, ``name-1``, ...).

    - ``service_name``: the headless Service (or its name) that gives the pods DNS names
      (required).
    - ``replicas``: Default: 1; ``None`` leaves it to an autoscaler (see :class:`Deployment`).
    - ``volume_claim_templates``: ``[PersistentVolumeClaim(...)]``, one claim per pod and
      template, mounted by the claim's name (``claim.mount("/data")``). Default: none.
    - plus every field of :class:`Deployment` except ``strategy``.
    """

    service_name: str = attrs.field(default="", converter=optional_name)
    replicas: int | None = 1
    volume_claim_templates: tuple[PersistentVolumeClaim, ...] = attrs.field(default=(), converter=_to_claims)
    kind = "StatefulSet"

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.service_name:
            reject(BuilderError(
                f"StatefulSet {self.name!r}: service_name= is required (the headless Service "
                "that gives its pods stable DNS names)"
            ))

    def controller_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {} if self.replicas is None else {"replicas": self.replicas}
        spec["serviceName"] = self.service_name
        return spec

    def to_dict(self) -> dict[str, Any]:
        obj = super().to_dict()
        if self.volume_claim_templates:
            if "volumeClaimTemplates" in self.spec_extra:
                raise BuilderError(
                    f"StatefulSet {self.name!r}: volumeClaimTemplates is set twice (volume_claim_templates= "
                    "and spec_extra=); set it in one place only"
                )
            obj["spec"]["volumeClaimTemplates"] = [c.template_dict() for c in self.volume_claim_templates]
        return obj
