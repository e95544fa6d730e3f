"""Everything kubegen renders is valid for the Kubernetes API (kubernetes-validate, strict).

The oracle is the API's own OpenAPI schema (newest version kubernetes-validate knows),
with unknown fields rejected. Objects are validated as kubectl would receive them:
rendered to YAML and read back with a YAML 1.1 reader.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, assert_valid_k8s

import kubegen
from kubegen import (
    ConfigMap,
    ConfigMapKeyRef,
    Container,
    ContainerPort,
    DaemonSet,
    Deployment,
    EnvFrom,
    FieldRef,
    Ingress,
    IngressPath,
    IngressRule,
    IngressTLS,
    Namespace,
    Pod,
    Probe,
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
from kubegen.appload import load_stacks
from kubegen.writer import dump_all

EXAMPLE_SPECS = [str(p) for p in sorted(EXAMPLES.glob("*.py"))] + [f"{EXAMPLES / 'shop.py'}?env=prod"]


def as_kubectl_reads_it(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects written as YAML and read back with YAML 1.1 semantics."""
    return [doc for doc in yaml.safe_load_all(dump_all(objs)) if doc is not None]


@pytest.mark.parametrize("spec", EXAMPLE_SPECS, ids=lambda s: s.rsplit("/", 1)[-1])
def test_every_example_renders_valid_objects(spec: str) -> None:
    path, _, query = spec.partition("?")
    sets = dict(item.split("=", 1) for item in query.split("&")) if query else {}
    objs = kubegen.render_dicts(load_stacks(path, sets))
    assert objs
    assert_valid_k8s(as_kubectl_reads_it(objs))


# -- builder combinations --------------------------------------------------------

WEB = Container(
    name="web",
    image="ghcr.io/example/web:1.0",
    command=["/bin/web"],
    args=["--port", "8080", "--verbose"],
    ports={"http": 8080, "metrics": 9090},
    env={
        "LOG_LEVEL": ConfigMapKeyRef(config_map="settings", key="LOG_LEVEL"),
        "PASSWORD": SecretKeyRef(secret="creds", key="password", optional=True),
        "POD_IP": FieldRef(field_path="status.podIP"),
        "WORKERS": 4,
        "ENABLED": "yes",
    },
    env_from=[EnvFrom(config_map="settings", prefix="CFG_"), EnvFrom(secret="creds")],
    resources=Resources(requests={"cpu": "100m", "memory": "128Mi"}, limits={"cpu": 1, "memory": "1Gi"}),
    liveness_probe=Probe.http("/healthz", port="http", initial_delay_seconds=5, period_seconds=10),
    readiness_probe=Probe.tcp(port=8080, timeout_seconds=2, failure_threshold=3, success_threshold=1),
    startup_probe=Probe.exec(["cat", "/tmp/ready"], period_seconds=2),
    volume_mounts=[
        VolumeMount(name="config", mount_path="/etc/web", read_only=True),
        VolumeMount(name="scratch", mount_path="/tmp", sub_path="web"),
        VolumeMount(name="data", mount_path="/data"),
        VolumeMount(name="tls", mount_path="/tls", read_only=True),
    ],
    image_pull_policy="IfNotPresent",
    working_dir="/srv",
    extra={"securityContext": {"runAsNonRoot": True}},
)
VOLUMES = [
    Volume.config_map("config", "settings"),
    Volume.empty_dir("scratch"),
    Volume.pvc("data", "web-data"),
    Volume.secret("tls", "web-tls"),
]
GRPC = Container(name="grpc", image="ghcr.io/example/grpc:2", ports=[ContainerPort(container_port=50051, name="grpc")],
                 liveness_probe=Probe.grpc(port=50051, service="health"))
INIT = Container(name="migrate", image="ghcr.io/example/migrate:1", args=["up"])


def _workloads() -> list[Any]:
    pod = Pod(name="web-pod", containers=[WEB, GRPC], init_containers=[INIT], volumes=VOLUMES,
              node_selector={"kubernetes.io/os": "linux"}, service_account_name="web", restart_policy="Always",
              annotations={"example.com/note": "on"})
    deployment = Deployment(name="web", replicas=3, containers=[WEB], volumes=VOLUMES, strategy="RollingUpdate",
                            labels={"app": "web", "tier": "front"}, selector={"app": "web"},
                            pod_annotations={"prometheus.io/scrape": "true"})
    recreate = Deployment(name="worker", containers=[Container(name="worker", image="busybox")], strategy="Recreate")
    created = Deployment.create("created", image=["nginx:1.27", "ghcr.io/example/side_car.v2:1"], replicas=2, port=80)
    stateful = StatefulSet(name="db", service_name="db", replicas=3,
                           containers=[Container(name="db", image="postgres:16", ports={"pg": 5432})])
    daemon = DaemonSet(name="agent", containers=[Container(name="agent", image="example/agent:1", ports=[9100])])
    return [pod, deployment, recreate, created, stateful, daemon]


def _services(deployment: Deployment, pod: Pod, stateful: StatefulSet) -> list[Service]:
    return [
        Service(name="plain", ports=[80], selector={"app": "web"}),
        Service(name="multi", selector={"app": "web"}, session_affinity="ClientIP",
                ports=[ServicePort(name="http", port=80, target_port="http", app_protocol="http"),
                       ServicePort(name="dns", port=53, protocol="UDP")]),
        Service.clusterip("kubectl-clusterip", tcp=["80:8080", "443", "81:http"]),
        Service.headless("db-headless", tcp=["5432"]),
        Service.headless("bare-headless"),
        Service.nodeport("np-auto", tcp=["80:8080"]),
        Service.nodeport("np-fixed", tcp=["80:8080"], node_port=30080),
        Service.loadbalancer("lb", tcp=["443:8443"], external_traffic_policy="Local",
                             load_balancer_source_ranges=["10.0.0.0/8"]),
        Service(name="lb-node-port", type="LoadBalancer", selector={"app": "web"},
                ports=[ServicePort(port=80, target_port=8080, node_port=30081)]),
        Service(name="external", type="ExternalName", external_name="db.example.com"),
        Service(name="untyped", type=None, ports=[8080], publish_not_ready_addresses=True),
        deployment.expose(80, target_port="http", type="NodePort", node_port=30082, name="web-np"),
        deployment.expose(name="web-all"),
        pod.expose(protocol="TCP", name="pod-all"),
        stateful.expose(cluster_ip="None", name="db"),
    ]


def _config_and_ingress(plain: Service, multi: Service) -> list[Any]:
    return [
        Namespace(name="shop", labels={"team": "web"}),
        ConfigMap(name="settings", data={"LOG_LEVEL": "debug", "on": "yes", "nginx.conf": "events {}\n"},
                  binary_data={"blob": b"\x00\x01"}, immutable=True),
        Secret(name="creds", string_data={"password": "0755", "token": "true"}, data={"tls.crt": b"cert"},
               type="Opaque"),
        Secret(name="web-tls", type="kubernetes.io/tls", data={"tls.crt": b"crt", "tls.key": b"key"}),
        Ingress(name="paths", ingress_class_name="nginx", paths={"/": plain, "/api": (multi, "http")},
                host="shop.example.com"),
        Ingress(
            name="rules",
            rules=[
                IngressRule(host="shop.example.com", paths=[IngressPath(path="/", service=plain)]),
                IngressRule(host="*.example.com",
                            paths=[IngressPath(path="/api", service="multi", port="http", path_type="Exact"),
                                   IngressPath(path="/n", service="plain", port=80,
                                               path_type="ImplementationSpecific")]),
            ],
            tls=[IngressTLS(hosts=["shop.example.com"], secret_name="web-tls")],
            default_backend=IngressPath(path="/", service=plain),
            annotations={"nginx.ingress.kubernetes.io/rewrite-target": "/"},
        ),
        Ingress(name="default-only", default_backend=IngressPath(path="/", service="plain", port=80)),
    ]


def builder_objects() -> list[Any]:
    workloads = _workloads()
    pod, deployment, stateful = workloads[0], workloads[1], workloads[4]
    services = _services(deployment, pod, stateful)
    return workloads + services + _config_and_ingress(services[0], services[1])


BUILDERS = builder_objects()


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: f"{b.kind}-{b.name}")
def test_each_builder_renders_a_valid_object(builder: Any) -> None:
    assert_valid_k8s(as_kubectl_reads_it([builder.to_dict()]))


def test_a_stack_of_every_builder_is_valid_with_namespace_and_common_labels() -> None:
    stack = Stack(namespace="shop", labels={"app.kubernetes.io/part-of": "shop"},
                  objects=[b for b in BUILDERS if b.kind != "Namespace"])
    objs = [m.obj for m in kubegen.compile_stacks(stack)]
    assert {o["metadata"].get("namespace") for o in objs if o["kind"] != "Namespace"} == {"shop"}
    assert_valid_k8s(as_kubectl_reads_it(objs))


def test_the_oracle_rejects_what_the_api_rejects() -> None:
    # Guard against a validator that accepts anything: three known-bad shapes.
    good = Service(name="plain", ports=[80]).to_dict()
    bad_shape = copy.deepcopy(good)
    bad_shape["spec"]["ports"] = {"http": 80}
    unknown_field = copy.deepcopy(good)
    unknown_field["spec"]["targetPort"] = 80
    wrong_type = copy.deepcopy(good)
    wrong_type["spec"]["ports"][0]["port"] = "80"
    assert_valid_k8s(good)
    for bad, text in ((bad_shape, "is not of type 'array'"), (unknown_field, "targetPort"), (wrong_type, "'80'")):
        with pytest.raises(AssertionError, match=text):
            assert_valid_k8s(bad)
