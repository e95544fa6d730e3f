"""PersistentVolumeClaim: storage a pod asks for by size and access mode."""

from __future__ import annotations

from typing import Any

import attrs

from kubegen import apidata, facts
from kubegen.errors import BuilderError, BuilderTypeError
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    FrozenDict,
    check,
    check_choice,
    check_labels,
    check_meta,
    frozen_any_map,
    frozen_str_map,
    merge_extra,
    metadata,
    source_field,
    str_tuple,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder
from kubegen.model.volume import Volume, VolumeMount, volume_name_for


def _storage(value: str | int) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BuilderTypeError(f"PersistentVolumeClaim: storage must be a quantity such as '10Gi' (got {value!r})")
    text = value if isinstance(value, str) else str(value)
    check("PersistentVolumeClaim", "storage", text, facts.quantity_problems)
    amount = facts.parse_quantity(text)
    if amount is None or amount <= 0:
        raise BuilderError(f"PersistentVolumeClaim: storage {text!r} must be more than 0, e.g. '10Gi'")
    return text


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class PersistentVolumeClaim(ObjectBuilder):
    """A claim on storage; mount it with ``claim.mount("/data")`` (the pod then declares
    the volume by itself). In a StatefulSet's ``volume_claim_templates=`` it is the
    template of one claim per pod.

    - ``name``: DNS-1123 subdomain (required).
    - ``storage``: the size requested, a quantity such as ``"10Gi"`` (required).
    - ``access_modes``: ``ReadWriteOnce``, ``ReadOnlyMany``, ``ReadWriteMany`` or
      ``ReadWriteOncePod``. Default: ``("ReadWriteOnce",)``.
    - ``storage_class_name``: Default: none (the cluster's default StorageClass); ``""``
      binds only to volumes without a class.
    - ``volume_mode``: ``Filesystem`` or ``Block``. Default: none (Filesystem).
    - ``volume_name``: bind to this PersistentVolume. Default: none.
    - ``selector``: labels of the PersistentVolumes it may bind. Default: none.
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    - ``spec_extra``: raw claim-spec fields kubegen does not model (``dataSource``, ...).
      Default: none.
    """

    name: str = ""
    storage: str = attrs.field(converter=_storage)
    access_modes: tuple[str, ...] = attrs.field(default=("ReadWriteOnce",), converter=str_tuple)
    storage_class_name: str | None = None
    volume_mode: str | None = None
    volume_name: str | None = None
    selector: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    spec_extra: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)
    source: Location = source_field()

    kind = "PersistentVolumeClaim"

    def __attrs_post_init__(self) -> None:
        owner = check_meta("PersistentVolumeClaim", self)
        check_labels(owner, "selector", self.selector)
        if not self.access_modes:
            raise BuilderError(f"{owner}: access_modes must name at least one mode, e.g. ['ReadWriteOnce']")
        for mode in self.access_modes:
            check_choice(owner, "access_modes", mode, apidata.enum("core.v1.PersistentVolumeClaimSpec", "accessModes"))
        if "ReadWriteOncePod" in self.access_modes and len(self.access_modes) > 1:
            raise BuilderError(f"{owner}: ReadWriteOncePod cannot be combined with other access modes")
        check_choice(owner, "volume_mode", self.volume_mode,
                     apidata.enum("core.v1.PersistentVolumeClaimSpec", "volumeMode"))

    def volume(self, name: str | None = None, *, read_only: bool | None = None) -> Volume:
        """The pod volume for this claim, called ``name`` (default: the claim's name)."""
        owner = f"PersistentVolumeClaim {self.name!r}"
        return Volume.pvc(name or volume_name_for(owner, self.name), self, read_only=read_only)

    def mount(
        self, mount_path: str, *, volume_name: str | None = None, read_only: bool | None = None,
        sub_path: str | None = None,
    ) -> VolumeMount:
        """Mount this claim at ``mount_path``: ``Container(volume_mounts=[claim.mount("/data")])``.
        In a StatefulSet that has this claim as a template, the mount uses the template."""
        return self.volume(volume_name).mount(mount_path, read_only=read_only, sub_path=sub_path)

    def claim_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"accessModes": list(self.access_modes)}
        if self.selector:
            spec["selector"] = {"matchLabels": dict(self.selector)}
        spec["resources"] = {"requests": {"storage": self.storage}}
        if self.storage_class_name is not None:
            spec["storageClassName"] = self.storage_class_name
        if self.volume_mode is not None:
            spec["volumeMode"] = self.volume_mode
        if self.volume_name is not None:
            spec["volumeName"] = self.volume_name
        if self.spec_extra:
            merge_extra(f"PersistentVolumeClaim {self.name!r}", spec, self.spec_extra)
        return spec

    def template_dict(self) -> dict[str, Any]:
        """The claim as an entry of a StatefulSet's ``volumeClaimTemplates``."""
        if self.namespace is not None:
            raise BuilderError(
                f"PersistentVolumeClaim {self.name!r}: a claim template takes the StatefulSet's namespace; "
                "remove namespace="
            )
        if not self.name:
            raise BuilderError(f"{self.label}: a claim template needs a name (each pod's claim is named after it); "
                               "give name= instead of generate_name=")
        return {"metadata": metadata(self.name, None, self.labels, self.annotations), "spec": self.claim_spec()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": self.object_meta(),
            "spec": self.claim_spec(),
        }
