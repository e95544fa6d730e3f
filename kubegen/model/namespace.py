"""Namespace (a Stack with ``namespace=`` creates its own; add this builder to set labels)."""

from __future__ import annotations

from typing import Any

import attrs

from kubegen import facts
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    FrozenDict,
    check_labels,
    check_name,
    frozen_str_map,
    source_field,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Namespace(ObjectBuilder):
    """A Namespace (a Stack with ``namespace=`` creates its own; add this one to set labels).

    - ``name``: DNS-1123 label (required).
    - ``labels`` / ``annotations``: Default: none.
    """

    name: str = ""
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "Namespace"
    namespace = None

    def __attrs_post_init__(self) -> None:
        check_name("Namespace", self, facts.dns1123_label_problems)
        check_labels(f"Namespace {self.name!r}", "labels", self.labels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": self.object_meta(cluster_scoped=True),
        }


__all__ = ["Namespace"]
