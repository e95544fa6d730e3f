"""The typed builders: one module per Kubernetes concept; this module only re-exports."""

from kubegen.model._base import FrozenDict
from kubegen.model.autoscaling import HorizontalPodAutoscaler, Metric, ScaleTarget, autoscale
from kubegen.model.config import ConfigMap, Namespace, Raw, Secret
from kubegen.model.container import Container, ContainerPort, Probe, Resources
from kubegen.model.disruption import PodDisruptionBudget, budget
from kubegen.model.env import ConfigMapKeyRef, EnvFrom, FieldRef, ResourceFieldRef, SecretKeyRef, ValueFrom
from kubegen.model.external import External
from kubegen.model.ingress import Ingress, IngressPath, IngressRule, IngressTLS
from kubegen.model.job import CronJob, Job
from kubegen.model.meta import Hook
from kubegen.model.networkpolicy import NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule
from kubegen.model.pvc import PersistentVolumeClaim
from kubegen.model.rbac import ClusterRole, PolicyRule, Role
from kubegen.model.rolebinding import ClusterRoleBinding, RoleBinding, Subject
from kubegen.model.service import Service, ServicePort, expose
from kubegen.model.serviceaccount import ServiceAccount
from kubegen.model.stack import Stack
from kubegen.model.volume import Volume, VolumeMount
from kubegen.model.workload import DaemonSet, Deployment, Pod, StatefulSet

__all__ = [
    "ClusterRole", "ClusterRoleBinding", "ConfigMap", "ConfigMapKeyRef", "Container",
    "ContainerPort", "CronJob", "DaemonSet", "Deployment", "EnvFrom", "External", "FieldRef",
    "FrozenDict", "HorizontalPodAutoscaler", "Hook", "Ingress", "IngressPath", "IngressRule", "IngressTLS",
    "Job", "Metric", "Namespace", "NetworkPolicy", "NetworkPolicyPeer", "NetworkPolicyPort",
    "NetworkPolicyRule", "PersistentVolumeClaim", "Pod", "PodDisruptionBudget", "PolicyRule",
    "Probe", "Raw", "ResourceFieldRef", "Resources", "Role", "RoleBinding", "ScaleTarget", "Secret",
    "SecretKeyRef", "Service", "ServiceAccount", "ServicePort", "Stack", "StatefulSet", "Subject",
    "ValueFrom", "Volume", "VolumeMount", "autoscale", "budget", "expose",
]
