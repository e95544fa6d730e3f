"""ConfigMap: configuration as key/value strings."""

from __future__ import annotations

from typing import Any

import attrs

from kubegen import facts
from kubegen.errors import BuilderError, reject
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
from kubegen.model.keyed import Mountable, b64, to_bytes_data, to_string_data
from kubegen.model.meta import ObjectBuilder


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ConfigMap(Mountable, ObjectBuilder):
    """Configuration as key/value strings.

    - ``name``: DNS-1123 subdomain (required).
    - ``data``: ``{"key": "text"}``; values must be strings. Default: none.
    - ``binary_data``: ``{"key": b"bytes"}``, base64-encoded on output. Default: none.
    - ``immutable``: Default: none (mutable).
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    """

    name: str = ""
    data: FrozenDict = attrs.field(default=EMPTY, converter=to_string_data)
    binary_data: FrozenDict = attrs.field(default=EMPTY, converter=to_bytes_data)
    immutable: bool | None = None
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "ConfigMap"

    def __attrs_post_init__(self) -> None:
        check_name("ConfigMap", self, facts.dns1123_subdomain_problems)
        check_labels(f"ConfigMap {self.name!r}", "labels", self.labels)
        both = set(self.data) & set(self.binary_data)
        if both:
            reject(BuilderError(f"ConfigMap {self.name!r}: keys {sorted(both)} are in data and binary_data"))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": self.object_meta(),
        }
        if self.data:
            d["data"] = dict(self.data)
        if self.binary_data:
            d["binaryData"] = b64(self.binary_data)
        if self.immutable is not None:
            d["immutable"] = self.immutable
        return d


__all__ = ["ConfigMap"]
