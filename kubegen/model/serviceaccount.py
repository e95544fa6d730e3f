"""ServiceAccount: the identity a pod's processes talk to the API server as."""

from __future__ import annotations

from typing import Any

import attrs

from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    FrozenDict,
    check_meta,
    frozen_str_map,
    name_tuple,
    source_field,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ServiceAccount(ObjectBuilder):
    """A ServiceAccount; pods run as it with ``workload.run_as(account)`` (or
    ``service_account_name=account``), and ``role.bind(account)`` grants it a Role.

    - ``name``: DNS-1123 subdomain (required).
    - ``automount_service_account_token``: mount an API token into its pods. Default:
      none (the API's default: yes).
    - ``image_pull_secrets``: Secrets (objects or names) every pod running as this account
      pulls images with. Default: none.
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    """

    name: str = ""
    automount_service_account_token: bool | None = None
    image_pull_secrets: tuple[str, ...] = attrs.field(default=(), converter=name_tuple)
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "ServiceAccount"

    def __attrs_post_init__(self) -> None:
        check_meta("ServiceAccount", self)

    @classmethod
    def create(cls, name: str, **fields: Any) -> ServiceAccount:
        """Same as ``kubectl create serviceaccount NAME``."""
        return cls(name=name, **fields)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": self.object_meta(),
        }
        if self.automount_service_account_token is not None:
            d["automountServiceAccountToken"] = self.automount_service_account_token
        if self.image_pull_secrets:
            d["imagePullSecrets"] = [{"name": name} for name in self.image_pull_secrets]
        return d
