"""The typed builders: one module per Kubernetes concept; this module only re-exports,
each name on first use (an app pays only for the builders it imports)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubegen.model._base import FrozenDict
    from kubegen.model.autoscaling import HorizontalPodAutoscaler, Metric, ScaleTarget, autoscale
    from kubegen.model.config import ConfigMap
    from kubegen.model.container import Container, ContainerPort, Probe, Resources
    from kubegen.model.disruption import PodDisruptionBudget, budget
    from kubegen.model.downward import FieldRef, ResourceFieldRef
    from kubegen.model.env import ConfigMapKeyRef, SecretKeyRef, ValueFrom
    from kubegen.model.envfrom import EnvFrom
    from kubegen.model.external import External
    from kubegen.model.hook import Hook
    from kubegen.model.ingress import Ingress, IngressPath, IngressRule, IngressTLS
    from kubegen.model.job import CronJob, Job
    from kubegen.model.namespace import Namespace
    from kubegen.model.networkpolicy import (
        NetworkPolicy,
        NetworkPolicyPeer,
        NetworkPolicyPort,
        NetworkPolicyRule,
    )
    from kubegen.model.pvc import PersistentVolumeClaim
    from kubegen.model.raw import Raw
    from kubegen.model.rbac import ClusterRole, PolicyRule, Role
    from kubegen.model.rolebinding import ClusterRoleBinding, RoleBinding, Subject
    from kubegen.model.secret import Secret
    from kubegen.model.selector import LabelExpression
    from kubegen.model.service import Service, ServicePort, expose
    from kubegen.model.serviceaccount import ServiceAccount
    from kubegen.model.stack import Stack
    from kubegen.model.statefulset import StatefulSet
    from kubegen.model.volume import Volume, VolumeMount
    from kubegen.model.workload import DaemonSet, Deployment, Pod

_WHERE: dict[str, str] = {
    **dict.fromkeys(["FrozenDict"], "_base"),
    **dict.fromkeys(["HorizontalPodAutoscaler", "Metric", "ScaleTarget", "autoscale"], "autoscaling"),
    **dict.fromkeys(["ConfigMap"], "config"),
    **dict.fromkeys(["Namespace"], "namespace"),
    **dict.fromkeys(["Raw"], "raw"),
    **dict.fromkeys(["Secret"], "secret"),
    **dict.fromkeys(["Container", "ContainerPort", "Probe", "Resources"], "container"),
    **dict.fromkeys(["PodDisruptionBudget", "budget"], "disruption"),
    **dict.fromkeys(["ConfigMapKeyRef", "SecretKeyRef", "ValueFrom"], "env"),
    **dict.fromkeys(["FieldRef", "ResourceFieldRef"], "downward"),
    **dict.fromkeys(["EnvFrom"], "envfrom"),
    **dict.fromkeys(["External"], "external"),
    **dict.fromkeys(["Ingress", "IngressPath", "IngressRule", "IngressTLS"], "ingress"),
    **dict.fromkeys(["CronJob", "Job"], "job"),
    **dict.fromkeys(["Hook"], "hook"),
    **dict.fromkeys([
        "NetworkPolicy", "NetworkPolicyPeer", "NetworkPolicyPort", "NetworkPolicyRule",
    ], "networkpolicy"),
    **dict.fromkeys(["PersistentVolumeClaim"], "pvc"),
    **dict.fromkeys(["ClusterRole", "PolicyRule", "Role"], "rbac"),
    **dict.fromkeys(["ClusterRoleBinding", "RoleBinding", "Subject"], "rolebinding"),
    **dict.fromkeys(["LabelExpression"], "selector"),
    **dict.fromkeys(["Service", "ServicePort", "expose"], "service"),
    **dict.fromkeys(["ServiceAccount"], "serviceaccount"),
    **dict.fromkeys(["Stack"], "stack"),
    **dict.fromkeys(["StatefulSet"], "statefulset"),
    **dict.fromkeys(["Volume", "VolumeMount"], "volume"),
    **dict.fromkeys(["DaemonSet", "Deployment", "Pod"], "workload"),
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kubegen.model' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kubegen.model.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__all__ = [
    "ClusterRole", "ClusterRoleBinding", "ConfigMap", "ConfigMapKeyRef", "Container", "ContainerPort",
    "CronJob", "DaemonSet", "Deployment", "EnvFrom", "External", "FieldRef", "FrozenDict",
    "Hook", "HorizontalPodAutoscaler", "Ingress", "IngressPath", "IngressRule", "IngressTLS", "Job",
    "LabelExpression", "Metric",
    "Namespace", "NetworkPolicy", "NetworkPolicyPeer", "NetworkPolicyPort", "NetworkPolicyRule",
    "PersistentVolumeClaim", "Pod", "PodDisruptionBudget", "PolicyRule", "Probe", "Raw", "ResourceFieldRef",
    "Resources", "Role", "RoleBinding", "ScaleTarget", "Secret", "SecretKeyRef", "Service", "ServiceAccount",
    "ServicePort", "Stack", "StatefulSet", "Subject", "ValueFrom", "Volume", "VolumeMount", "autoscale",
    "budget", "expose",
]
