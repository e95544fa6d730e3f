"""The typed builders: one module per Kubernetes concept; this module only re-exports."""

from kubegen.model._base import FrozenDict
from kubegen.model.config import ConfigMap, Namespace, Raw, Secret
from kubegen.model.container import (
    ConfigMapKeyRef,
    Container,
    ContainerPort,
    EnvFrom,
    FieldRef,
    Probe,
    Resources,
    SecretKeyRef,
)
from kubegen.model.ingress import Ingress, IngressPath, IngressRule, IngressTLS
from kubegen.model.service import Service, ServicePort, expose
from kubegen.model.stack import Stack
from kubegen.model.volume import Volume, VolumeMount
from kubegen.model.workload import DaemonSet, Deployment, Pod, StatefulSet

__all__ = [
    "ConfigMap", "ConfigMapKeyRef", "Container", "ContainerPort", "DaemonSet", "Deployment",
    "EnvFrom", "FieldRef", "FrozenDict", "Ingress", "IngressPath", "IngressRule", "IngressTLS",
    "Namespace", "Pod", "Probe", "Raw", "Resources", "Secret", "SecretKeyRef", "Service",
    "ServicePort", "Stack", "StatefulSet", "Volume", "VolumeMount", "expose",
]
