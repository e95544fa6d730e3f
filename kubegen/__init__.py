"""kubegen: typed Python builders for Kubernetes manifests whose traffic reaches the pods.

    from kubegen import Container, Deployment, Stack

    stack = Stack(namespace="shop")
    web = stack.add(Deployment(name="web", replicas=3,
                               containers=[Container(name="web", image="nginx:1.27", ports={"http": 80})]))
    stack.add(web.expose(80, target_port="http", type="NodePort", node_port=30008))
    print(kubegen.render(stack))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubegen.api import (
        check_stack,
        compile_stacks,
        render,
        render_dicts,
        write_file,
        write_manifests,
    )
    from kubegen.checks import (
        CheckOptions,
        Finding,
        run_checks,
    )
    from kubegen.errors import (
        AppLoadError,
        BuilderError,
        BuilderErrors,
        BuilderTypeError,
        FindingsError,
        FindingWarning,
        InputError,
        KubegenError,
        UsageError,
        collect_errors,
    )
    from kubegen.manifest import (
        Manifest,
    )
    from kubegen.model import (
        ClusterRole,
        ClusterRoleBinding,
        ConfigMap,
        ConfigMapKeyRef,
        Container,
        ContainerPort,
        CronJob,
        DaemonSet,
        Deployment,
        EnvFrom,
        External,
        FieldRef,
        Hook,
        HorizontalPodAutoscaler,
        Ingress,
        IngressPath,
        IngressRule,
        IngressTLS,
        Job,
        LabelExpression,
        Metric,
        Namespace,
        NetworkPolicy,
        NetworkPolicyPeer,
        NetworkPolicyPort,
        NetworkPolicyRule,
        PersistentVolumeClaim,
        Pod,
        PodDisruptionBudget,
        PolicyRule,
        Probe,
        Raw,
        ResourceFieldRef,
        Resources,
        Role,
        RoleBinding,
        ScaleTarget,
        Secret,
        SecretKeyRef,
        Service,
        ServiceAccount,
        ServicePort,
        Stack,
        StatefulSet,
        Subject,
        ValueFrom,
        Volume,
        VolumeMount,
        autoscale,
        budget,
        expose,
    )

__version__ = "0.1.0"

# Every name is imported on first use, so `import kubegen` costs nothing and an app
# pays only for the builders it imports (and a command-line run for what it runs).
_LAZY: dict[str, str] = {
    **dict.fromkeys([
        "check_stack", "compile_stacks", "render", "render_dicts", "write_file", "write_manifests",
    ], "kubegen.api"),
    **dict.fromkeys([
        "CheckOptions", "Finding", "run_checks",
    ], "kubegen.checks"),
    **dict.fromkeys([
        "AppLoadError", "BuilderError", "BuilderErrors", "BuilderTypeError", "FindingWarning",
        "FindingsError", "InputError", "KubegenError", "UsageError", "collect_errors",
    ], "kubegen.errors"),
    **dict.fromkeys([
        "explain_data", "explain_text",
    ], "kubegen.explain"),
    **dict.fromkeys([
        "fix_paths",
    ], "kubegen.fix"),
    **dict.fromkeys([
        "check_dir", "diff_dir", "write_dir",
    ], "kubegen.gitops"),
    **dict.fromkeys([
        "build_graph",
    ], "kubegen.graph"),
    **dict.fromkeys([
        "import_manifests", "import_paths",
    ], "kubegen.importer"),
    **dict.fromkeys([
        "lint_manifests", "lint_paths",
    ], "kubegen.lint"),
    **dict.fromkeys([
        "Manifest",
    ], "kubegen.manifest"),
    **dict.fromkeys([
        "ClusterRole", "ClusterRoleBinding", "ConfigMap", "ConfigMapKeyRef", "Container", "ContainerPort",
        "CronJob", "DaemonSet", "Deployment", "EnvFrom", "External", "FieldRef", "Hook",
        "HorizontalPodAutoscaler", "Ingress", "IngressPath", "IngressRule", "IngressTLS", "Job", "LabelExpression",
        "Metric", "Namespace",
        "NetworkPolicy", "NetworkPolicyPeer", "NetworkPolicyPort", "NetworkPolicyRule",
        "PersistentVolumeClaim", "Pod", "PodDisruptionBudget", "PolicyRule", "Probe", "Raw",
        "ResourceFieldRef", "Resources", "Role", "RoleBinding", "ScaleTarget", "Secret", "SecretKeyRef",
        "Service", "ServiceAccount", "ServicePort", "Stack", "StatefulSet", "Subject", "ValueFrom",
        "Volume", "VolumeMount", "autoscale", "budget", "expose",
    ], "kubegen.model"),
    **dict.fromkeys([
        "build_network",
    ], "kubegen.network"),
    **dict.fromkeys([
        "read_paths", "read_text",
    ], "kubegen.reader"),
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kubegen' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AppLoadError", "BuilderError", "BuilderErrors", "BuilderTypeError", "CheckOptions", "ClusterRole",
    "ClusterRoleBinding", "ConfigMap", "ConfigMapKeyRef", "Container", "ContainerPort", "CronJob", "DaemonSet",
    "Deployment", "EnvFrom", "External", "FieldRef", "Finding", "FindingWarning", "FindingsError",
    "Hook", "HorizontalPodAutoscaler", "Ingress", "IngressPath", "IngressRule", "IngressTLS", "InputError", "Job",
    "LabelExpression",
    "KubegenError", "Manifest", "Metric", "Namespace", "NetworkPolicy", "NetworkPolicyPeer",
    "NetworkPolicyPort", "NetworkPolicyRule", "PersistentVolumeClaim", "Pod", "PodDisruptionBudget",
    "PolicyRule", "Probe", "Raw", "ResourceFieldRef", "Resources", "Role", "RoleBinding", "ScaleTarget",
    "Secret", "SecretKeyRef", "Service", "ServiceAccount", "ServicePort", "Stack", "StatefulSet", "Subject",
    "UsageError", "ValueFrom", "Volume", "VolumeMount", "autoscale", "budget", "check_stack", "collect_errors",
    "compile_stacks", "expose", "render", "render_dicts", "run_checks", "write_file", "write_manifests",
]
