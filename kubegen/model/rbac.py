"""RBAC: Roles and ClusterRoles (what may be done) and their bindings (who may do it).

``Role.create("pod-reader", verb=["get", "list"], resource=["pods"])`` has ``kubectl create
role``'s meaning; ``role.bind(account)`` makes the RoleBinding, so the reference from the
binding to the Role cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from kubegen import facts
from kubegen.errors import BuilderError, BuilderTypeError
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    Builder,
    FrozenDict,
    check_labels,
    check_meta,
    frozen_str_map,
    source_field,
    str_tuple,
    to_tuple,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder

if TYPE_CHECKING:
    from kubegen.model.rolebinding import ClusterRoleBinding, RoleBinding, Subject
    from kubegen.model.serviceaccount import ServiceAccount

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_VERSION = f"{RBAC_GROUP}/v1"
READ = ("get", "list", "watch")
WRITE = ("create", "update", "patch", "delete", "deletecollection")


def _check_verbs(owner: str, verbs: Sequence[str]) -> None:
    if not verbs:
        raise BuilderError(f"{owner}: verbs must name at least one verb, e.g. ['get', 'list']")
    for verb in verbs:
        if verb in facts.KNOWN_VERBS:
            continue
        close = facts.suggest(verb, facts.KNOWN_VERBS, cutoff=0.7)
        if close is not None:
            raise BuilderError(
                f"{owner}: verb {verb!r} is not a verb the API server checks (so it would grant nothing); "
                f"did you mean {close!r}?"
            )


def _check_resource(owner: str, resource: str) -> None:
    """``pods``, ``pods/log``, ``*``: lower case; a known kind's singular is a typo."""
    base = resource.split("/", 1)[0]
    if base != base.lower() or not base:
        raise BuilderError(f"{owner}: resource {resource!r} must be the lower-case plural, e.g. 'pods'")
    for plural in (base + "s", base + "es"):
        if plural in facts.COMMON_RESOURCES and base not in facts.COMMON_RESOURCES:
            raise BuilderError(
                f"{owner}: resource {resource!r} matches nothing (resources are plural); did you mean {plural!r}?"
            )


def _groups(value: Iterable[str] | str | None) -> tuple[str, ...] | None:
    return None if value is None else str_tuple(value)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class PolicyRule(Builder):
    """Verbs allowed on resources (or on non-resource URLs such as ``/healthz``).

    - ``verbs``: ``["get", "list"]`` (required); ``PolicyRule.read(...)``,
      ``PolicyRule.write(...)`` and ``PolicyRule.read_write(...)`` name the usual sets.
    - ``resources``: in kubectl's ``RESOURCE[.GROUP][/SUBRESOURCE]`` form (``"pods"``,
      ``"deployments.apps"``, ``"pods/log"``); one rule per API group is written (groups
      sorted, the core group first), as ``kubectl create role`` does. Default: none.
    - ``api_groups``: give the groups yourself; ``resources`` are then taken as they are.
      Default: from ``resources``.
    - ``resource_names``: only these objects. Default: all of them.
    - ``non_resource_urls``: for ClusterRoles only. Default: none.
    """

    verbs: tuple[str, ...] = attrs.field(converter=str_tuple)
    resources: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    api_groups: tuple[str, ...] | None = attrs.field(default=None, converter=_groups)
    resource_names: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    non_resource_urls: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)

    def __attrs_post_init__(self) -> None:
        owner = "PolicyRule"
        _check_verbs(owner, self.verbs)
        if bool(self.resources) == bool(self.non_resource_urls):
            raise BuilderError(f"{owner}: give resources= or non_resource_urls= (exactly one of them)")
        if self.non_resource_urls and (self.resource_names or self.api_groups):
            raise BuilderError(f"{owner}: non_resource_urls cannot be combined with resource_names or api_groups")
        for url in self.non_resource_urls:
            if not url.startswith("/") or "*" in url[:-1]:
                raise BuilderError(f"{owner}: non-resource URL {url!r} must start with '/' ('*' only at the end)")
        for item in self.resources:
            _check_resource(owner, item if self.api_groups is not None else _split(item)[0])

    @classmethod
    def read(cls, *resources: str, **fields: Any) -> PolicyRule:
        """``get``, ``list`` and ``watch`` on ``resources``."""
        return cls(verbs=READ, resources=resources, **fields)

    @classmethod
    def write(cls, *resources: str, **fields: Any) -> PolicyRule:
        """``create``, ``update``, ``patch``, ``delete`` and ``deletecollection``."""
        return cls(verbs=WRITE, resources=resources, **fields)

    @classmethod
    def read_write(cls, *resources: str, **fields: Any) -> PolicyRule:
        return cls(verbs=READ + WRITE, resources=resources, **fields)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The API's rule(s): one per API group when the groups come from ``resources``."""
        if self.non_resource_urls:
            return [{"nonResourceURLs": list(self.non_resource_urls), "verbs": list(self.verbs)}]
        if self.api_groups is not None:
            return [self._rule(list(self.api_groups), list(self.resources))]
        groups: dict[str, list[str]] = {}
        for item in self.resources:
            resource, group = _split(item)
            groups.setdefault(group, []).append(resource)
        return [self._rule([group], groups[group]) for group in sorted(groups)]

    def _rule(self, groups: list[str], resources: list[str]) -> dict[str, Any]:
        rule: dict[str, Any] = {"apiGroups": groups, "resources": resources}
        if self.resource_names:
            rule["resourceNames"] = list(self.resource_names)
        rule["verbs"] = list(self.verbs)
        return rule


def _split(item: str) -> tuple[str, str]:
    """``deployments.apps/scale`` -> (``deployments/scale``, ``apps``); ``pods`` -> (``pods``, "")."""
    head, slash, sub = item.partition("/")
    resource, _, group = head.partition(".")
    return resource + slash + sub, group


def _rules(value: Iterable[PolicyRule] | None) -> tuple[PolicyRule, ...]:
    rules: tuple[PolicyRule, ...] = to_tuple()(value)
    for rule in rules:
        if not isinstance(rule, PolicyRule):
            raise BuilderTypeError(f"rules must be PolicyRule(...) objects (got {rule!r})")
    return rules


def _kubectl_rules(verb: Sequence[str], resource: Sequence[str], resource_name: Sequence[str],
                   non_resource_url: Sequence[str] = ()) -> list[PolicyRule]:
    verbs = [v for item in str_tuple(verb) for v in item.split(",") if v]
    rules = []
    resources = [r for item in str_tuple(resource) for r in item.split(",") if r]
    if resources:
        rules.append(PolicyRule(verbs=verbs, resources=resources, resource_names=resource_name))
    urls = [u for item in str_tuple(non_resource_url) for u in item.split(",") if u]
    if urls:
        rules.append(PolicyRule(verbs=verbs, non_resource_urls=urls))
    return rules


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Role(ObjectBuilder):
    """Permissions inside one namespace.

    - ``name``: DNS-1123 subdomain (required).
    - ``rules``: ``[PolicyRule(...)]``. Default: none (grants nothing).
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    """

    name: str = ""
    rules: tuple[PolicyRule, ...] = attrs.field(default=(), converter=_rules)
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "Role"

    def __attrs_post_init__(self) -> None:
        owner = check_meta(self.kind, self)
        if self.kind == "Role" and any(r.non_resource_urls for r in self.rules):
            raise BuilderError(f"{owner}: non-resource URLs are cluster-wide; put them in a ClusterRole")

    @classmethod
    def create(cls, name: str, *, verb: Sequence[str], resource: Sequence[str] = (),
               resource_name: Sequence[str] = (), **fields: Any) -> Role:
        """Same as ``kubectl create role NAME --verb=... --resource=... [--resource-name=...]``."""
        return cls(name=name, rules=_kubectl_rules(verb, resource, resource_name), **fields)

    def bind(self, *subjects: ServiceAccount | Subject, name: str | None = None, **fields: Any) -> RoleBinding:
        """A RoleBinding granting this Role to ``subjects`` (ServiceAccounts, ``Subject.user(...)``,
        ``Subject.group(...)``), named like the Role unless ``name=`` is given."""
        from kubegen.model.rolebinding import RoleBinding

        fields.setdefault("namespace", self.namespace)
        return RoleBinding(name=name or self.name, role=self, subjects=subjects, **fields)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "apiVersion": RBAC_VERSION,
            "kind": self.kind,
            "metadata": self.object_meta(),
        }
        if self.rules:
            d["rules"] = [rule for r in self.rules for rule in r.to_dicts()]
        return d


def _label_pairs(name: str, value: str | Mapping[str, str]) -> Mapping[str, str]:
    """kubectl's ``k=v,k2=v2`` (or a mapping as it is)."""
    if not isinstance(value, str):
        return value
    pairs = {}
    for item in value.split(","):
        key, equals, label = item.partition("=")
        if not equals or not key.strip():
            raise BuilderError(f"ClusterRole {name!r}: aggregation_rule {value!r} must be key=value[,key=value...]")
        pairs[key.strip()] = label.strip()
    return pairs


def _label_sets(value: Iterable[Any] | None) -> tuple[FrozenDict, ...]:
    return to_tuple(frozen_str_map)(value)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ClusterRole(Role):
    """Permissions cluster-wide (or, bound with ``bind_in_namespace``, in one namespace).

    - ``name``, ``rules``, ``labels``, ``annotations``: as for :class:`Role`.
    - ``aggregate_from``: label sets of ClusterRoles whose rules this one collects
      (``aggregationRule``); its own ``rules`` are then filled in by the cluster. Default: none.
    """

    aggregate_from: tuple[FrozenDict, ...] = attrs.field(default=(), converter=_label_sets)
    kind = "ClusterRole"

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.namespace is not None:
            raise BuilderError(f"ClusterRole {self.name!r} is cluster-wide; remove namespace=")
        for labels in self.aggregate_from:
            check_labels(f"ClusterRole {self.name!r}", "aggregate_from", labels)

    @classmethod
    def create(cls, name: str, *, verb: Sequence[str] = (), resource: Sequence[str] = (),
               resource_name: Sequence[str] = (), non_resource_url: Sequence[str] = (),
               aggregation_rule: str | Mapping[str, str] | None = None, **fields: Any) -> ClusterRole:
        """Same as ``kubectl create clusterrole NAME --verb=... --resource=...
        [--non-resource-url=...]``, or ``--aggregation-rule=k=v,...`` (a string in kubectl's
        form or a mapping) instead of verbs: a ClusterRole whose rules the cluster collects
        from the ClusterRoles with those labels."""
        if aggregation_rule is None:
            if not verb:
                raise BuilderError(f"ClusterRole {name!r}: give verb=[...] (with resource= or non_resource_url=) "
                                   "or aggregation_rule=")
            return cls(name=name, rules=_kubectl_rules(verb, resource, resource_name, non_resource_url), **fields)
        if verb or resource or resource_name or non_resource_url:
            raise BuilderError(f"ClusterRole {name!r}: an aggregation rule collects its rules from other "
                               "ClusterRoles; give it without verb=, resource=, resource_name= and non_resource_url=")
        return cls(name=name, aggregate_from=[_label_pairs(name, aggregation_rule)], **fields)

    def bind(self, *subjects: ServiceAccount | Subject, name: str | None = None,
             **fields: Any) -> ClusterRoleBinding:
        """A ClusterRoleBinding granting this ClusterRole to ``subjects`` in every namespace."""
        from kubegen.model.rolebinding import ClusterRoleBinding

        return ClusterRoleBinding(name=name or self.name, role=self, subjects=subjects, **fields)

    def bind_in_namespace(self, *subjects: ServiceAccount | Subject, namespace: str | None = None,
                          name: str | None = None, **fields: Any) -> RoleBinding:
        """A RoleBinding granting this ClusterRole's rules inside one namespace only
        (default: the Stack's)."""
        from kubegen.model.rolebinding import RoleBinding

        return RoleBinding(name=name or self.name, role=self, subjects=subjects, namespace=namespace, **fields)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        if self.aggregate_from:
            d["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": dict(s)} for s in self.aggregate_from]}
        return d
