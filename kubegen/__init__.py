"""kubegen: typed Python builders for Kubernetes manifests whose traffic reaches the pods.

    from kubegen import Container, Deployment, Stack

    stack = Stack(namespace="shop")
    web = stack.add(Deployment(name="web", replicas=3,
                               containers=[Container(name="web", image="nginx:1.27", ports={"http": 80})]))
    stack.add(web.expose(80, target_port="http", type="NodePort", node_port=30008))
    print(kubegen.render(stack))
"""

from kubegen.api import check_stack, compile_stacks, render, render_dicts, write_manifests
from kubegen.checks import CheckOptions, Finding, run_checks
from kubegen.errors import (
    AppLoadError,
    BuilderError,
    BuilderTypeError,
    FindingsError,
    InputError,
    KubegenError,
    UsageError,
)
from kubegen.manifest import Manifest
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

# The rest of the library, imported on first use so `import kubegen` stays fast:
# kubegen.lint_paths(["k8s/"]), kubegen.import_paths(["k8s/"]), kubegen.write_dir(...), ...
_LAZY = {
    "lint_paths": "kubegen.lint", "lint_manifests": "kubegen.lint",
    "read_paths": "kubegen.reader", "read_text": "kubegen.reader",
    "import_paths": "kubegen.importer", "import_manifests": "kubegen.importer",
    "build_network": "kubegen.network", "explain_text": "kubegen.explain", "explain_data": "kubegen.explain",
    "build_graph": "kubegen.graph",
    "write_dir": "kubegen.gitops", "check_dir": "kubegen.gitops", "diff_dir": "kubegen.gitops",
    "fix_paths": "kubegen.fix",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kubegen' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

__all__ = [
    "AppLoadError", "BuilderError", "BuilderTypeError", "CheckOptions", "ClusterRole",
    "ClusterRoleBinding", "ConfigMap", "ConfigMapKeyRef", "Container", "ContainerPort", "CronJob",
    "DaemonSet", "Deployment", "EnvFrom", "External", "FieldRef", "Finding", "FindingsError",
    "HorizontalPodAutoscaler", "Hook", "Ingress", "IngressPath", "IngressRule", "IngressTLS", "InputError",
    "Job", "KubegenError", "Manifest", "Metric", "Namespace", "NetworkPolicy", "NetworkPolicyPeer",
    "NetworkPolicyPort", "NetworkPolicyRule", "PersistentVolumeClaim", "Pod", "PodDisruptionBudget",
    "PolicyRule", "Probe", "Raw", "ResourceFieldRef", "Resources", "Role", "RoleBinding",
    "ScaleTarget", "Secret", "SecretKeyRef", "Service", "ServiceAccount", "ServicePort", "Stack",
    "StatefulSet", "Subject", "UsageError", "ValueFrom", "Volume", "VolumeMount", "autoscale",
    "budget", "check_stack", "compile_stacks", "expose", "render", "render_dicts", "run_checks",
    "write_manifests",
]
