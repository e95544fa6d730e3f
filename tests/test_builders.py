"""Builders: eager validation (message text), defaults, wiring helpers, immutability,
and the file:line each object records."""

from __future__ import annotations

import attrs
import pytest

import kubegen
from kubegen import (
    ConfigMap,
    ConfigMapKeyRef,
    Container,
    ContainerPort,
    Deployment,
    Ingress,
    IngressPath,
    Pod,
    Probe,
    Raw,
    Resources,
    Secret,
    SecretKeyRef,
    Service,
    ServicePort,
    Stack,
    StatefulSet,
    Volume,
    VolumeMount,
)
from kubegen.manifest import compile_stack


def web(**fields: object) -> Deployment:
    return Deployment(name="web", containers=[Container(name="web", image="nginx", ports={"http": 8080})], **fields)


def test_source_line_is_the_callers() -> None:
    import inspect

    expected = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    here = Service(name="x", ports=[80])
    assert here.source.file.endswith("test_builders.py")
    assert here.source.line == expected
    # objects made inside kubegen helpers point at the user's call, not at kubegen
    expected = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    exposed = web().expose(80, target_port="http")
    assert exposed.source.line == expected and exposed.source.file.endswith("test_builders.py")


def test_expose_wires_selector_labels_and_named_port() -> None:
    svc = web(labels={"app": "web", "tier": "fe"}).expose(80, target_port="http", type="NodePort", node_port=30008)
    assert svc.to_dict()["spec"] == {
        "type": "NodePort",
        "selector": {"app": "web", "tier": "fe"},
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": "http", "nodePort": 30008}],
    }
    assert svc.name == "web" and dict(svc.labels) == {"app": "web", "tier": "fe"}


def test_expose_without_port_uses_every_container_port_named() -> None:
    pod = Pod(name="p", containers=[Container(name="c", image="i", ports={"http": 80, "metrics": 9090})])
    ports = [p.to_dict() for p in pod.expose().ports]
    assert ports == [
        {"name": "port-1", "port": 80, "protocol": "TCP", "targetPort": 80},
        {"name": "port-2", "port": 9090, "protocol": "TCP", "targetPort": 9090},
    ]
    with pytest.raises(kubegen.BuilderError, match=r"no port given and its containers declare none; pass port="):
        Pod(name="q", containers=[Container(name="c", image="i")]).expose()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Container(name="Web", image="nginx"), r"Container: name 'Web' must be a lowercase RFC 1123 label: it must consist of lower case"),
        (lambda: Container(name="web", image=""), r"Container 'web': image must be a non-empty string"),
        (lambda: ContainerPort(container_port=0), r"container_port 0 must be between 1 and 65535"),
        (lambda: ContainerPort(container_port=80, name="http_port"), r"name 'http_port' must contain only lower case"),
        (lambda: ContainerPort(container_port=80, name="a-very-long-port-name"), r"must be no more than 15 characters"),
        (lambda: ContainerPort(container_port=80, protocol="tcp"), r"protocol 'tcp' is not one of SCTP, TCP, UDP — did you mean 'TCP'\?"),
        (lambda: Container(name="c", image="i", env={"DEBUG": True}), r"env\['DEBUG'\]: True is not a string; env values are strings in Kubernetes \(write 'true'"),
        (lambda: Container(name="c", image="i", resources=Resources(requests={"cpu": "lots"})), r"must be a quantity such as"),
        (lambda: Container(name="c", image="i", readiness_probe=Probe.http("/", port="http")),
         r"readiness_probe uses port name 'http', which the container does not declare"),
        (lambda: Deployment(name="d", containers=[]), r"Deployment 'd': needs at least one container"),
        (lambda: Deployment(name="d", replicas=-1, containers=[Container(name="c", image="i")]), r"replicas must be an int >= 0"),
        (lambda: Pod(name="p", containers=[Container(name="c", image="i", volume_mounts=[VolumeMount(name="data", mount_path="/d")])]),
         r"container 'c' mounts volume 'data', which the pod does not declare \(there are no volumes\); add it to volumes="),
        (lambda: Service(name="s", ports=[80, 81]), r"has 2 ports, so every port needs a name \(unnamed: \[80, 81\]\)"),
        (lambda: Service(name="s", ports=[ServicePort(port=80, node_port=30001)]),
         r"only NodePort and LoadBalancer Services open node ports \(type is ClusterIP\)"),
        (lambda: Service(name="s", type="ExternalName"), r"an ExternalName Service needs external_name="),
        (lambda: Service(name="s", selector={"app": True}), r"selector must map strings to strings; 'app': True is a bool \(write 'true'"),
        (lambda: ConfigMap(name="c", data={"debug": False}), r"ConfigMap 'c': data\['debug'\]: values are strings in Kubernetes, got False \(bool\); write 'false'"),
        (lambda: ConfigMap(name="c", data={"bad key": "x"}), r"key 'bad key' must consist of alphanumeric"),
        (lambda: StatefulSet(name="db", containers=[Container(name="c", image="i")]), r"service_name= is required"),
        (lambda: IngressPath(path="form", service="x", port=80), r"path 'form' must start with '/'"),
        (lambda: IngressPath(path="/", service=Service(name="s", ports=[ServicePort(name="a", port=1), ServicePort(name="b", port=2)])),
         r"Service 's' has 2 ports \(a, b\); say which one with port=NAME or NUMBER"),
        (lambda: Raw(manifest={"kind": "Role"}), r"Raw Role: invalid resource definition, keys 'apiVersion', 'metadata.name' missing"),
        (lambda: Stack(objects=[{"kind": "Pod"}]), r"is not an object kubegen can render; wrap a plain manifest dict in kubegen.Raw"),
    ],
)
def test_eager_validation_messages(build: object, message: str) -> None:
    with pytest.raises(kubegen.KubegenError, match=message):
        build()  # type: ignore[operator]


def test_errors_are_also_builtin_exceptions() -> None:
    with pytest.raises(ValueError):
        Service(name="Bad Name", ports=[80])
    with pytest.raises(TypeError):
        Container(name="c", image="i", env={"X": None})


def test_collections_are_read_only_and_builders_frozen() -> None:
    deployment = web()
    with pytest.raises(TypeError, match="immutable"):
        deployment.labels["app"] = "other"  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        deployment.replicas = 3  # type: ignore[misc]
    assert attrs.evolve(deployment, replicas=3).replicas == 3
    stack = Stack(objects=[deployment])
    assert isinstance(stack.objects, tuple)
    assert stack.add(deployment) is deployment


def test_env_refs_resources_probes_volumes_render_in_api_shape() -> None:
    settings = ConfigMap(name="settings", data={"level": "info"})
    secret = Secret(name="db", string_data={"password": "s3cret"}, data={"cert": b"\x00\x01"})
    container = Container(
        name="app", image="app:1", command=["/app"], args=["--port", "8080"], ports={"http": 8080},
        env={"LEVEL": ConfigMapKeyRef(config_map=settings, key="level"), "PASS": SecretKeyRef(secret=secret, key="password"),
             "PORT": 8080},
        resources=Resources(requests={"cpu": "100m"}, limits={"memory": 256 * 2**20}),
        liveness_probe=Probe.tcp(port="http", period_seconds=5),
        volume_mounts=[VolumeMount(name="cfg", mount_path="/etc/app", read_only=True)],
    )
    pod = Pod(name="p", containers=[container], volumes=[Volume.config_map("cfg", settings)])
    spec = pod.to_dict()["spec"]
    c = spec["containers"][0]
    assert c["env"] == [
        {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "level"}}},
        {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        {"name": "PORT", "value": "8080"},
    ]
    assert c["resources"] == {"limits": {"memory": "268435456"}, "requests": {"cpu": "100m"}}
    assert c["livenessProbe"] == {"tcpSocket": {"port": "http"}, "periodSeconds": 5}
    assert spec["volumes"] == [{"name": "cfg", "configMap": {"name": "settings"}}]
    assert secret.to_dict()["data"] == {"cert": "AAE="}


def test_stack_applies_namespace_and_common_labels_but_not_to_selectors() -> None:
    stack = Stack(namespace="shop", labels={"team": "a"})
    deployment = stack.add(web())
    stack.add(deployment.expose(80, target_port="http"))
    stack.add(Raw(manifest={"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}}))
    manifests = {m.kind: m.obj for m in compile_stack(stack)}
    assert manifests["Namespace"]["metadata"] == {"name": "shop", "labels": {"team": "a"}}
    assert manifests["Deployment"]["metadata"]["namespace"] == "shop"
    assert manifests["Deployment"]["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert manifests["Deployment"]["spec"]["template"]["metadata"]["labels"] == {"team": "a", "app": "web"}
    assert manifests["Service"]["spec"]["selector"] == {"app": "web"}
    assert "namespace" not in manifests["ClusterRole"]["metadata"]


def test_ingress_shortcut_and_port_by_name() -> None:
    svc = Service(name="api", ports=[ServicePort(name="http", port=80), ServicePort(name="grpc", port=9000)])
    ingress = Ingress(name="edge", host="shop.example.com", paths=[IngressPath(path="/api", service=svc, port="http")])
    assert ingress.to_dict()["spec"]["rules"] == [{
        "host": "shop.example.com",
        "http": {"paths": [{"path": "/api", "pathType": "Prefix",
                            "backend": {"service": {"name": "api", "port": {"name": "http"}}}}]},
    }]


def test_extra_fields_escape_hatch_refuses_conflicts() -> None:
    c = Container(name="c", image="i", extra={"securityContext": {"runAsNonRoot": True}})
    assert c.to_dict()["securityContext"] == {"runAsNonRoot": True}
    with pytest.raises(kubegen.BuilderError, match=r"extra field 'image' is already set by a builder argument"):
        Container(name="c", image="i", extra={"image": "j"}).to_dict()


def test_every_builder_emits_a_served_api_version() -> None:
    """The schema rules skip typed manifests; this keeps that sound for apiVersion/kind."""
    from kubegen.checks import CheckOptions, run_checks
    from kubegen.manifest import Manifest

    c = [Container(name="c", image="i")]
    builders = [
        Pod(name="p", containers=c), web(), StatefulSet(name="s", service_name="s", containers=c),
        kubegen.DaemonSet(name="d", containers=c), Service(name="s", ports=[80]),
        Ingress(name="i", paths=[IngressPath(path="/", service="s", port=80)]), ConfigMap(name="c"),
        Secret(name="s"), kubegen.Namespace(name="n"),
    ]
    # the same objects, marked untyped, go through api-version and schema like YAML would
    manifests = [Manifest(b.to_dict(), b.source, typed=False) for b in builders]
    found = [f for f in run_checks(manifests, CheckOptions()) if f.rule in ("api-version", "schema")]
    assert found == []
