"""RoleBinding and ClusterRoleBinding: who gets a Role's or ClusterRole's permissions;
usually made by ``role.bind(...)`` (see :mod:`kubegen.model.rbac`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import attrs

from kubegen import facts
from kubegen.errors import BuilderError, BuilderTypeError
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    Builder,
    FrozenDict,
    check,
    check_choice,
    check_meta,
    frozen_str_map,
    source_field,
    to_tuple,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder
from kubegen.model.rbac import RBAC_GROUP, RBAC_VERSION, Role

_SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Subject(Builder):
    """Who a binding grants to: ``Subject.user("jane")``, ``Subject.group("devs")``,
    ``Subject.service_account("robot", namespace="ci")`` (or pass a ServiceAccount).

    - ``kind``: ``ServiceAccount``, ``User`` or ``Group`` (required).
    - ``name``: (required).
    - ``namespace``: a ServiceAccount's namespace. Default: the binding's (RoleBinding)
      or the Stack's (ClusterRoleBinding).
    """

    kind: str
    name: str
    namespace: str | None = None

    def __attrs_post_init__(self) -> None:
        check_choice("Subject", "kind", self.kind, _SUBJECT_KINDS)
        if not isinstance(self.name, str) or not self.name:
            raise BuilderError(f"Subject: name must be a non-empty string (got {self.name!r})")
        if self.kind == "ServiceAccount":
            check("Subject", "ServiceAccount name", self.name, facts.dns1123_subdomain_problems)
        elif self.namespace is not None:
            raise BuilderError(f"Subject {self.kind} {self.name!r}: only ServiceAccounts have a namespace")

    @classmethod
    def user(cls, name: str) -> Subject:
        return cls(kind="User", name=name)

    @classmethod
    def group(cls, name: str) -> Subject:
        return cls(kind="Group", name=name)

    @classmethod
    def service_account(cls, name: str, namespace: str | None = None) -> Subject:
        return cls(kind="ServiceAccount", name=name, namespace=namespace)

    def to_dict(self) -> dict[str, Any]:
        if self.kind != "ServiceAccount":
            return {"apiGroup": RBAC_GROUP, "kind": self.kind, "name": self.name}
        d = {"kind": self.kind, "name": self.name}
        if self.namespace is not None:
            d["namespace"] = self.namespace
        return d


def _subject(value: Any) -> Subject:
    if isinstance(value, Subject):
        return value
    if getattr(value, "kind", None) == "ServiceAccount" and isinstance(getattr(value, "name", None), str):
        return Subject(kind="ServiceAccount", name=value.name, namespace=value.namespace)
    raise BuilderTypeError(
        f"a subject must be a ServiceAccount, Subject.user(...), Subject.group(...) or "
        f"Subject.service_account(...) (got {value!r})"
    )


def _subjects(value: Iterable[Any] | None) -> tuple[Subject, ...]:
    return to_tuple(_subject)(value)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class RoleBinding(ObjectBuilder):
    """Grants a Role (or a ClusterRole's rules) to subjects inside one namespace; usually
    made by ``role.bind(...)`` or ``cluster_role.bind_in_namespace(...)``.

    - ``name``: DNS-1123 subdomain (required).
    - ``role``: a :class:`Role` or :class:`ClusterRole`, or a name with ``role_kind=``
      (required).
    - ``role_kind``: ``Role`` or ``ClusterRole`` when ``role`` is a name. Default: the
      object's kind.
    - ``subjects``: ServiceAccounts and :class:`Subject` objects. Default: none.
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    """

    name: str = ""
    role: Role | str
    role_kind: str | None = None
    subjects: tuple[Subject, ...] = attrs.field(default=(), converter=_subjects)
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "RoleBinding"
    _role_kinds: ClassVar[tuple[str, ...]] = ("Role", "ClusterRole")

    def __attrs_post_init__(self) -> None:
        owner = check_meta(self.kind, self)
        kind = self.role_ref_kind
        if kind is None:
            raise BuilderError(f"{owner}: role {self.role!r} is a name; say which kind with role_kind='Role' "
                               "or 'ClusterRole' (or pass the Role object)")
        check_choice(owner, "role_kind", kind, self._role_kinds)
        if isinstance(self.role, Role):
            if self.role_kind is not None and self.role_kind != self.role.kind:
                raise BuilderError(f"{owner}: role_kind {self.role_kind!r} but the role is a {self.role.kind}")
            if self.role.kind == "Role" and self.role.namespace != self.namespace:
                raise BuilderError(
                    f"{owner}: Role {self.role.name!r} is in namespace {self.role.namespace!r} but the binding in "
                    f"{self.namespace!r}; a RoleBinding can only grant a Role of its own namespace"
                )
        elif not isinstance(self.role, str) or not self.role:
            raise BuilderTypeError(f"{owner}: role must be a Role, a ClusterRole or a name (got {self.role!r})")

    @property
    def role_name(self) -> str:
        return self.role.name if isinstance(self.role, Role) else self.role

    @property
    def role_ref_kind(self) -> str | None:
        return self.role.kind if isinstance(self.role, Role) else self.role_kind

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "apiVersion": RBAC_VERSION,
            "kind": self.kind,
            "metadata": self.object_meta(),
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": self.role_ref_kind, "name": self.role_name},
        }
        if self.subjects:
            d["subjects"] = [s.to_dict() for s in self.subjects]
        return d


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ClusterRoleBinding(RoleBinding):
    """Grants a ClusterRole to subjects in every namespace; usually made by
    ``cluster_role.bind(...)``. Fields as :class:`RoleBinding`; ``role`` is a
    ClusterRole or a ClusterRole's name (``role_kind`` is always ClusterRole).
    ServiceAccount subjects without a namespace get the Stack's."""

    kind = "ClusterRoleBinding"
    _role_kinds = ("ClusterRole",)

    def __attrs_post_init__(self) -> None:
        if self.namespace is not None:
            raise BuilderError(f"ClusterRoleBinding {self.name!r} is cluster-wide; remove namespace=")
        super().__attrs_post_init__()

    @property
    def role_ref_kind(self) -> str | None:
        return self.role.kind if isinstance(self.role, Role) else (self.role_kind or "ClusterRole")
