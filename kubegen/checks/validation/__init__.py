"""Per-object validation: what the API server's validation rejects in one object.

One module per API group, as the server's code is organised (``pkg/apis/<group>/
validation``): :mod:`.meta` (object metadata, labels, selectors, names),
:mod:`.pods` with :mod:`.containers`, :mod:`.envs`, :mod:`.resources`,
:mod:`.security`, :mod:`.volumes` and :mod:`.scheduling` (the core group's pod spec),
:mod:`.services` and :mod:`.config` (the rest of the core group), :mod:`.apps`,
:mod:`.batch`, :mod:`.networking`, :mod:`.policy`, :mod:`.autoscaling`, :mod:`.rbac`.
:mod:`.versions` holds the rules that changed between releases; enumerations come
from the OpenAPI data (the ``schema`` rule checks them).

Each validator treats an absent field as the server does after defaulting (a Pod
without ``spec`` has no containers) and looks only at values of the shape it expects,
so malformed input never raises here. Findings use the rule ids ``invalid-value``,
``name``, ``service-type``, ``service-ports``, ``node-port``, ``volume-mount`` and
``workload-selector``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from kubegen import facts
from kubegen.checks import Report
from kubegen.checks.validation import meta
from kubegen.checks.validation.base import Ctx
from kubegen.manifest import Manifest

SpecCheck = Callable[[Ctx, dict[str, Any]], None]

# (API group, kind) -> "module:function" of the check of its spec (a missing spec is
# checked as an empty one). A module is imported when the first object of a kind it
# checks comes along: a render of Deployments and Services never loads the Job rules.
SPEC_CHECKS: dict[tuple[str, str], str] = {
    ("", "Service"): "services:check_service",
    ("", "ReplicationController"): "apps:check_workload",
    ("apps", "Deployment"): "apps:check_workload",
    ("apps", "ReplicaSet"): "apps:check_workload",
    ("apps", "StatefulSet"): "apps:check_workload",
    ("apps", "DaemonSet"): "apps:check_workload",
    ("batch", "Job"): "batch:check_job",
    ("batch", "CronJob"): "batch:check_cronjob",
    ("networking.k8s.io", "Ingress"): "networking:check_ingress",
    ("networking.k8s.io", "IngressClass"): "networking:check_ingress_class",
    ("networking.k8s.io", "NetworkPolicy"): "networking:check_network_policy",
    ("policy", "PodDisruptionBudget"): "policy:check_pdb",
    ("autoscaling", "HorizontalPodAutoscaler"): "autoscaling:check_hpa",
}
# (API group, kind) -> "module:function" of the check of the whole object (kinds
# without a spec, or with more).
OBJECT_CHECKS: dict[tuple[str, str], str] = {
    ("", "ConfigMap"): "config:check_config_map",
    ("", "Secret"): "config:check_secret",
    ("", "Namespace"): "config:check_namespace",
    ("", "PersistentVolumeClaim"): "config:check_pvc",
    ("rbac.authorization.k8s.io", "Role"): "rbac:check_role",
    ("rbac.authorization.k8s.io", "ClusterRole"): "rbac:check_role",
    ("rbac.authorization.k8s.io", "RoleBinding"): "rbac:check_binding",
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): "rbac:check_binding",
}
_KINDS = {*SPEC_CHECKS, *OBJECT_CHECKS, ("", "Pod"), ("", "PodTemplate")}
_KINDS_BY_NAME = {kind: group for group, kind in _KINDS}
# Groups whose apiVersion/kind data says what is served; objects of a served pair are
# validated, others (removed or misspelt apiVersions, CRDs) only for their metadata.
_SERVED_VERSIONS = {
    "": ("v1",), "apps": ("v1",), "batch": ("v1",), "networking.k8s.io": ("v1",), "policy": ("v1",),
    "autoscaling": ("v2", "v1"), "rbac.authorization.k8s.io": ("v1",),
}
_LOADED: dict[str, SpecCheck] = {}


def resolve(target: str) -> SpecCheck:
    """The check a registry entry names (``"apps:check_workload"``), its module imported
    on first use."""
    check = _LOADED.get(target)
    if check is None:
        module, _, name = target.partition(":")
        check = _LOADED[target] = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    return check


def check_validation(manifests: Sequence[Manifest], report: Report) -> None:
    """Validate every manifest as the API server of the target release would."""
    target = report.target
    for m in manifests:
        kind = m.kind
        if not kind or kind == "List":
            continue
        ctx = Ctx(m, report, target)
        group, _, version = m.api_version.rpartition("/")
        meta.check_metadata(ctx, namespaced=kind not in facts.CLUSTER_SCOPED)
        if (group, kind) not in _KINDS and _KINDS_BY_NAME.get(kind) is not None and group in _SERVED_VERSIONS:
            group = _KINDS_BY_NAME[kind]  # a wrong apiVersion (apps/v1 Service): api-version says so; check the rest
        elif version not in _SERVED_VERSIONS.get(group, ()):
            continue  # a removed apiVersion, or not a Kubernetes group (a CRD): only its metadata is known
        key = (group, kind)
        if kind == "Pod" and group == "":
            spec = m.obj.get("spec")
            spec = {} if spec is None else spec
            if isinstance(spec, dict):
                from kubegen.checks.validation import pods, security

                pods.check_pod_spec(ctx, spec, ("spec",), [], pod=True)
                meta_obj = m.obj.get("metadata")
                if isinstance(meta_obj, dict):
                    security.check_pod_annotations(ctx, meta_obj.get("annotations"), spec, ("metadata", "annotations"))
            continue
        if kind == "PodTemplate" and group == "":
            template = m.obj.get("template")
            if isinstance(template, dict):
                from kubegen.checks.validation import pods

                pods.check_template(ctx, template, ("template",))
            continue
        spec_check = SPEC_CHECKS.get(key)
        if spec_check is not None:
            spec = m.obj.get("spec")
            spec = {} if spec is None else spec
            if isinstance(spec, dict):
                resolve(spec_check)(ctx, spec)
            continue
        object_check = OBJECT_CHECKS.get(key)
        if object_check is not None:
            resolve(object_check)(ctx, m.obj)
