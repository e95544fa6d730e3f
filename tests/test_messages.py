"""Messages a tired engineer understands: the closest existing name for a typo (and
only otherwise how to add one), the field and the form to use for a wrong type, and
YAML (not Python) for values that came from YAML."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

import kubegen
from kubegen import (
    ConfigMap,
    ConfigMapKeyRef,
    Container,
    Deployment,
    Ingress,
    IngressPath,
    Pod,
    Probe,
    Resources,
    Secret,
    SecretKeyRef,
    Service,
    ServicePort,
    Stack,
    VolumeMount,
)
from kubegen.checks import run_checks
from kubegen.location import Location
from kubegen.manifest import Manifest


def web(**container: Any) -> Deployment:
    return Deployment(name="web", containers=[Container(name="web", image="nginx", ports={"http": 80}, **container)])


def settings() -> ConfigMap:
    return ConfigMap(name="settings", data={"LOG_LEVEL": "debug"})


# -- no such name: the closest one, else how to add it ------------------------------

@pytest.mark.parametrize(("build", "close", "otherwise"), [
    (lambda name: web().expose(80, target_port=name), "'htttp' is not a port name any container declares "
     "(declared port names: http); did you mean 'http'?", "(declared port names: http); name the container "
     "port: ports={'metrics': 8080}"),
    (lambda name: web(readiness_probe=Probe.http("/", port=name)), "readiness_probe uses port name 'htttp', which "
     "the container does not declare, so the kubelet could never reach it (declared port names: http); did you "
     "mean 'http'?", "(declared port names: http); declare it (ports={'metrics': 8080}) or use the number"),
    (lambda name: IngressPath(path="/", service=Service(name="s", ports=[ServicePort(name="http", port=80)]),
                              port=name), "Service 's' has no port 'htttp' (ports: http); did you mean 'http'?",
     "(ports: http); add it: ServicePort(name='metrics', port=...)"),
    (lambda name: Pod(name="p", volumes=[kubegen.Volume.empty_dir("cache")], containers=[Container(
        name="c", image="x", volume_mounts=[VolumeMount(name=name.replace("htttp", "cach"), mount_path="/c")])]),
     "mounts volume 'cach', which the pod does not declare (volumes: cache); did you mean 'cache'?",
     "(volumes: cache); add it to volumes=[...]"),
])
def test_no_such_name_suggests_the_closest_else_adding_it(build: Any, close: str, otherwise: str) -> None:
    with pytest.raises(kubegen.BuilderError) as typo:
        build("htttp")
    assert close in typo.value.message
    with pytest.raises(kubegen.BuilderError) as missing:
        build("metrics")
    assert otherwise in missing.value.message and "did you mean" not in missing.value.message


def test_key_refs_name_their_target() -> None:
    assert SecretKeyRef(secret=Secret(name="creds"), key="password").to_dict() == {
        "secretKeyRef": {"name": "creds", "key": "password"}}
    with pytest.raises(kubegen.BuilderTypeError, match=r"ConfigMapKeyRef: config_map must be a ConfigMap or its name"):
        ConfigMapKeyRef(config_map=42, key="LOG_LEVEL")


def test_a_workload_selector_missing_its_pods_suggests_the_label() -> None:
    with pytest.raises(kubegen.BuilderError, match=r"did you mean 'app' \(instead of 'ap'\)\?"):
        Deployment(name="web", selector={"ap": "web"}, containers=[Container(name="web", image="x")])


@pytest.mark.parametrize(("yaml_port", "hint"), [
    ("htp", "did you mean 'http'?"),
    ("metrics", "name the container port: ports: [{name: metrics, containerPort: ...}]"),
])
def test_target_port_findings_suggest_too(yaml_port: str, hint: str) -> None:
    objs = [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": yaml_port}]}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
         "spec": {"containers": [{"name": "web", "image": "x", "ports": [{"name": "http", "containerPort": 80}]}]}},
    ]
    found = [f for f in run_checks([Manifest(o, Location("x.yaml", 1)) for o in objs]) if f.rule == "target-port"]
    assert len(found) == 1 and found[0].message.endswith(hint)


def test_an_ingress_port_typo_suggests_the_port_name() -> None:
    objs = [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"ports": [{"name": "http", "port": 80}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "in"}, "spec": {"rules": [
            {"http": {"paths": [{"path": "/", "pathType": "Prefix",
                                 "backend": {"service": {"name": "web", "port": {"name": "htp"}}}}]}}]}},
    ]
    found = [f for f in run_checks([Manifest(o, Location("x.yaml", 1)) for o in objs]) if f.rule == "ingress-backend"]
    assert [f.message for f in found] == [
        "Ingress 'in' routes to port htp of Service 'web', which has no such port (ports: http(80)); did you mean 'http'?"
    ]


# -- wrong types: the field and the form to use -------------------------------------

@pytest.mark.parametrize(("build", "message"), [
    (lambda: Container(name="web", image="x", ports=8080),
     "Container 'web': ports must be a list (got 8080, an int); write ports=[8080] or ports={'http': 8080}"),
    (lambda: Container(name="web", image="x", command="sleep 10"),
     "Container 'web': command must be a list of strings, one per argument (got 'sleep 10', a str); write "
     "command=['sleep', '10'] (one string is one argument: the container would look for a program called "
     "'sleep 10')"),
    (lambda: Container(name="web", image="x", args=["--port", 80]),
     "Container 'web': args[1] must be a string (got 80, an int); write it as '80'"),
    (lambda: Probe.exec("cat /tmp/ready"), "Probe.exec: command must be a list of strings, one per argument"),
    (lambda: Deployment(name="web", containers=Container(name="web", image="x")),
     "Deployment 'web': containers must be a list (got Container("),
    (lambda: Deployment(name="web", replicas="3", containers=[Container(name="web", image="x")]),
     "Deployment 'web': replicas must be an int or None (got '3', a str); write replicas=3"),
    (lambda: Container(name="web", image="x", resources={"cpu": "1"}),
     "Container 'web': resources must be a Resources or None (got {'cpu': '1'}, a dict); write resources=Resources(...)"),
    (lambda: Service(name="web", ports=["80"]),
     "Service 'web': ports[0] must be an int or a ServicePort (got '80', a str); write ports=[80] or "
     "ports=[ServicePort(port=80, target_port='http')]"),
    (lambda: Service(name="web", ports=[80], labels=["app"]),
     "Service 'web': labels must be a mapping of strings to strings (got ['app'], a list); write labels={'app': 'web'}"),
    (lambda: Service(name="web", ports=[80], type=None, publish_not_ready_addresses="yes"),
     "Service 'web': publish_not_ready_addresses must be a bool or None (got 'yes', a str)"),
    (lambda: ServicePort(port=80, name=80), "ServicePort: name must be a str or None (got 80, an int); write name='80'"),
    (lambda: Resources(requests={"cpu": True}), "Resources: requests['cpu']: expected a quantity such as '100m'"),
    (lambda: Ingress(name="in", paths="/"), "Ingress 'in': paths must be a list (got '/', a str)"),
    (lambda: Stack(namespace="shop", labels={"tier": 1}), "Stack: labels must map strings to strings"),
    (lambda: Stack(name=5), "Stack: name must be a str or None (got 5, an int); write name='5'"),
])
def test_wrong_types_name_the_field_and_the_form(build: Any, message: str) -> None:
    with pytest.raises(kubegen.BuilderTypeError) as info:
        build()
    assert info.value.message.startswith(message), info.value.message
    assert isinstance(info.value, TypeError) and isinstance(info.value, kubegen.BuilderError)


# -- YAML speaks YAML ----------------------------------------------------------------

BASE = [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"},
     "spec": {"type": "NodePort", "selector": {"app": "web"},
              "ports": [{"port": 80, "targetPort": "http", "nodePort": 30001}, {"port": 81}]}},
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "a"},
     "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
              "spec": {"containers": [{"name": "web", "image": "x", "ports": [{"name": "http", "containerPort": 80}],
                                       "readinessProbe": {"httpGet": {"port": "http", "path": "/"}},
                                       "volumeMounts": [{"name": "v", "mountPath": "/x"}]}],
                       "volumes": [{"name": "v", "emptyDir": {}}]}}}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "namespace": "a"},
     "spec": {"rules": [{"host": "a.b", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
         "service": {"name": "web", "port": {"number": 80}}}}]}}]}},
]
BASE += [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "a"}, "data": {"k": "v"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a", "labels": {"app": "p"}},
     "spec": {"serviceAccountName": "sa", "containers": [{
         "name": "c", "image": "x:1", "env": [{"name": "E", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k"}}}],
         "envFrom": [{"configMapRef": {"name": "cm"}}], "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
         "volumes": [{"name": "v", "configMap": {"name": "cm", "items": [{"key": "k", "path": "p"}]}}]}},
    {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb", "namespace": "a"},
     "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "p"}}}},
    {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "namespace": "a"},
     "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1,
              "maxReplicas": 3}},
]
ODD_VALUES = [True, False, None, {"a": True}, [None], 0, ""]
PYTHON = re.compile(r"\bTrue\b|\bFalse\b|(?<!clusterIP: )\bNone\b|\{'|\['|-None\b")


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        found.append((*path, key))
        found.extend(_paths(value, (*path, key)))
    return found


@pytest.mark.parametrize("doc", range(len(BASE)))
def test_messages_about_yaml_show_yaml_values(doc: int) -> None:
    # Every field of a small stack set to true/false/null/a mapping/a list in turn:
    # no message may show Python's True, None, {'a': ...} or port-None.
    shown = []
    for path in _paths(BASE[doc]):
        for value in ODD_VALUES:
            docs = copy.deepcopy(BASE)
            node = docs[doc]
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
            for finding in run_checks([Manifest(d, Location("x.yaml", 1)) for d in docs]):
                if PYTHON.search(finding.message):
                    shown.append(finding.message)
    assert shown == []


def test_flow_labels_are_yaml() -> None:
    from kubegen.finding import flow_labels

    assert flow_labels({"k8s-app": True, "app": "web", "canary": "yes", "n": None}) == (
        "{k8s-app: true, app: web, canary: 'yes', 'n': null}"
    )
