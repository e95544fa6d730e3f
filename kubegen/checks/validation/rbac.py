"""Roles, ClusterRoles and their bindings (rbac validation's ValidatePolicyRule,
ValidateRoleBinding, ValidateRoleBindingSubject). Names need only be path segments
(``system:controller:job`` is fine)."""

from __future__ import annotations

from typing import Any

from kubegen import names
from kubegen.checks.validation.base import Ctx, P, dicts, mapping
from kubegen.checks.validation.meta import check_label_selector

GROUP = "rbac.authorization.k8s.io"
_SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def check_role(ctx: Ctx, obj: dict[str, Any]) -> None:
    namespaced = ctx.kind == "Role"
    for i, rule in dicts(obj.get("rules")):
        _check_rule(ctx, rule, ("rules", i), namespaced)
    aggregation = mapping(obj.get("aggregationRule")) if ctx.kind == "ClusterRole" else None
    if aggregation is not None:
        selectors = aggregation.get("clusterRoleSelectors")
        if not selectors:
            ctx.add(("aggregationRule", "clusterRoleSelectors"), "is required: at least one clusterRoleSelector "
                    "when aggregationRule is set")
        for i, selector in dicts(selectors):
            check_label_selector(ctx, selector, ("aggregationRule", "clusterRoleSelectors", i))


def _check_rule(ctx: Ctx, rule: dict[str, Any], path: P, namespaced: bool) -> None:
    if not rule.get("verbs"):
        ctx.add((*path, "verbs"), "is required: verbs must contain at least one value (e.g. [get, list, watch])")
    urls = rule.get("nonResourceURLs")
    if isinstance(urls, list) and urls:
        if namespaced:
            ctx.invalid((*path, "nonResourceURLs"), urls, "cannot be used in a Role: namespaced rules cannot apply "
                        "to non-resource URLs (use a ClusterRole)")
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            ctx.invalid((*path, "nonResourceURLs"), urls, "rules cannot apply to both regular resources and "
                        "non-resource URLs; split the rule in two")
        return
    if not rule.get("apiGroups"):
        ctx.add((*path, "apiGroups"), "is required: resource rules must supply at least one api group (\"\" is "
                "the core group: apiGroups: [\"\"])")
    if not rule.get("resources"):
        ctx.add((*path, "resources"), "is required: resource rules must supply at least one resource (e.g. "
                "[pods])")


def check_binding(ctx: Ctx, obj: dict[str, Any]) -> None:
    namespaced = ctx.kind == "RoleBinding"
    ref = mapping(obj.get("roleRef"))
    if ref is not None:
        group = ref.get("apiGroup")
        if isinstance(group, str) and group not in ("", GROUP):
            ctx.unsupported(("roleRef", "apiGroup"), group, (GROUP,))
        kind = ref.get("kind")
        kinds = ("Role", "ClusterRole") if namespaced else ("ClusterRole",)
        if isinstance(kind, str) and kind not in kinds:
            ctx.unsupported(("roleRef", "kind"), kind, kinds, why=f" in a {ctx.kind}")
        name = ref.get("name")
        if name == "":
            ctx.add(("roleRef", "name"), "is required: the Role or ClusterRole to grant")
        elif isinstance(name, str):
            ctx.problems(("roleRef", "name"), name, names.path_segment_problems(name))
    for i, subject in dicts(obj.get("subjects")):
        _check_subject(ctx, subject, ("subjects", i), namespaced)


def _check_subject(ctx: Ctx, subject: dict[str, Any], path: P, namespaced: bool) -> None:
    name, kind, group = subject.get("name"), subject.get("kind"), subject.get("apiGroup")
    if name == "":
        ctx.add((*path, "name"), "is required: the name of the user, group or ServiceAccount")
    if kind == "ServiceAccount":
        if isinstance(name, str) and name:
            ctx.problems((*path, "name"), name, names.dns1123_subdomain_problems(name))
        if isinstance(group, str) and group:
            ctx.invalid((*path, "apiGroup"), group, "must be empty for a ServiceAccount subject (remove apiGroup)")
        if not namespaced and not subject.get("namespace"):
            ctx.add((*path, "namespace"), "is required: a ClusterRoleBinding must say which namespace the "
                    "ServiceAccount lives in")
    elif kind in ("User", "Group"):
        if isinstance(group, str) and group not in ("", GROUP):
            ctx.unsupported((*path, "apiGroup"), group, (GROUP,), why=f" for a {kind} subject")
    elif isinstance(kind, str):
        ctx.unsupported((*path, "kind"), kind, _SUBJECT_KINDS)
