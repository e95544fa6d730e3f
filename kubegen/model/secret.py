"""Secret: credentials and keys, as text or bytes."""

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
from kubegen.model.keyed import Mountable, b64, to_bytes_data, to_string_data
from kubegen.model.meta import ObjectBuilder


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Secret(Mountable, ObjectBuilder):
    """A Secret. Values in ``string_data`` are written as given (the API encodes them);
    ``data`` takes bytes and writes them base64-encoded.

    - ``name``: DNS-1123 subdomain (required).
    - ``string_data``: ``{"password": "..."}``. Default: none.
    - ``data``: ``{"tls.crt": b"..."}``. Default: none.
    - ``type``: Default: ``"Opaque"``.
    - ``immutable``, ``labels``, ``annotations``, ``namespace``: as for ConfigMap.
    """

    name: str = ""
    string_data: FrozenDict = attrs.field(default=EMPTY, converter=to_string_data)
    data: FrozenDict = attrs.field(default=EMPTY, converter=to_bytes_data)
    type: str = "Opaque"
    immutable: bool | None = None
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "Secret"

    def __attrs_post_init__(self) -> None:
        check_name("Secret", self, facts.dns1123_subdomain_problems)
        check_labels(f"Secret {self.name!r}", "labels", self.labels)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": self.object_meta(),
            "type": self.type,
        }
        if self.data:
            d["data"] = b64(self.data)
        if self.string_data:
            d["stringData"] = dict(self.string_data)
        if self.immutable is not None:
            d["immutable"] = self.immutable
        return d


__all__ = ["Secret"]
