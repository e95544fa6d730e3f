"""kubegen's kubectl-flavoured constructors against kubectl itself.

``Service.clusterip/nodeport/loadbalancer/headless``, ``Deployment.create`` and
``expose`` promise kubectl's meaning; each case here runs the matching
``kubectl ... --dry-run=client -o yaml`` and compares the parsed objects after
removing only what kubectl adds as noise: ``creationTimestamp: null`` under any
``metadata`` and a ``status`` that holds nothing but empty mappings.

``kubectl expose`` needs API discovery even with ``--dry-run=client``, so a tiny
fake API server (discovery documents only, on 127.0.0.1) answers it; kubectl never
sees a real cluster: every call gets its own kubeconfig and cache directory.

kubectl is also the real Go reader (sigs.k8s.io/yaml over yaml.v2) of kubegen's YAML:
``kubectl create -f FILE --dry-run=client -o json`` must read every tricky string,
random documents and the example goldens exactly as kubegen wrote them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kubeapi import DISCOVERY, FakeAPIServer
from test_writer import TRICKY, keys, strings

from kubegen import BuilderError, Container, ContainerPort, Deployment, Pod, Service, expose
from kubegen.writer import dump, dump_all

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
TIMEOUT = 30


# -- the fake API server ------------------------------------------------------------

SERVER: Any = None  # the FakeAPIServer of the module using the fixture (each module gets its own)


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A kubeconfig pointing at a fake API server (served for the module)."""
    global SERVER
    with FakeAPIServer() as server:
        SERVER = server
        yield server.kubeconfig(tmp_path_factory.mktemp("kube"))


def kubectl(kubeconfig: Path, *args: str, ok: bool = True, output: str = "yaml") -> subprocess.CompletedProcess[str]:
    assert KUBECTL is not None
    command = [KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir", str(kubeconfig.parent / "cache"),
               *args, "--dry-run=client", "-o", output]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    if ok:
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr}"
    return result


# -- comparison ------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return isinstance(value, dict) and all(_empty(v) for v in value.values())


def _strip_metadata(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "metadata" and isinstance(item, dict):
                item = _strip_timestamps(item)
            out[key] = _strip_metadata(item)
        return out
    if isinstance(value, list):
        return [_strip_metadata(v) for v in value]
    return value


def _strip_timestamps(meta: Any) -> Any:
    if isinstance(meta, dict):
        return {k: _strip_timestamps(v) for k, v in meta.items() if not (k == "creationTimestamp" and v is None)}
    if isinstance(meta, list):
        return [_strip_timestamps(v) for v in meta]
    return meta


def normalize(obj: dict[str, Any]) -> dict[str, Any]:
    """kubectl's object minus ``creationTimestamp: null`` under metadata and an empty ``status``."""
    obj = _strip_metadata(obj)
    if "status" in obj and _empty(obj["status"]):
        del obj["status"]
    return obj


def from_kubectl(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    obj: dict[str, Any] = yaml.safe_load(result.stdout)
    return normalize(obj)


def from_kubegen(builder: Any) -> dict[str, Any]:
    """The builder's object as kubectl would read kubegen's YAML."""
    obj: dict[str, Any] = yaml.safe_load(dump(builder.to_dict()))
    return obj


def test_normalize_removes_only_the_noise() -> None:
    raw = {"metadata": {"creationTimestamp": None, "name": "x"}, "status": {"loadBalancer": {}},
           "spec": {"template": {"metadata": {"creationTimestamp": None}}, "creationTimestamp": None}}
    assert normalize(raw) == {"metadata": {"name": "x"}, "spec": {"template": {"metadata": {}},
                                                                    "creationTimestamp": None}}
    assert normalize({"status": {"phase": "Running"}}) == {"status": {"phase": "Running"}}


# -- kubectl create service --------------------------------------------------------

SERVICE_CASES = [
    ("clusterip", ["80:8080"], None),
    ("clusterip", ["80:8080", "443"], None),
    ("clusterip", ["80:http", "8443:https"], None),
    ("clusterip", ["0080:08080"], None),
    ("nodeport", ["80:8080"], None),
    ("nodeport", ["80:8080"], 30008),
    ("nodeport", ["5432"], 32767),
    ("loadbalancer", ["80"], None),
    ("loadbalancer", ["443:8443", "80:8080"], None),
]


@pytest.mark.parametrize(("kind", "tcp", "node_port"), SERVICE_CASES)
def test_create_service_matches_kubectl(kubeconfig: Path, kind: str, tcp: list[str], node_port: int | None) -> None:
    args = ["create", "service", kind, "my-svc", *(f"--tcp={spec}" for spec in tcp)]
    fields: dict[str, Any] = {"tcp": tcp}
    if node_port is not None:
        args.append(f"--node-port={node_port}")
        fields["node_port"] = node_port
    built = getattr(Service, kind)("my-svc", **fields)
    assert from_kubegen(built) == from_kubectl(kubectl(kubeconfig, *args))


@pytest.mark.parametrize("tcp", [[], ["5432"], ["5432:pg", "8008"]])
def test_headless_matches_kubectl(kubeconfig: Path, tcp: list[str]) -> None:
    args = ["create", "service", "clusterip", "db", "--clusterip=None", *(f"--tcp={spec}" for spec in tcp)]
    assert from_kubegen(Service.headless("db", tcp=tcp)) == from_kubectl(kubectl(kubeconfig, *args))


def test_clusterip_with_a_fixed_ip_matches_kubectl(kubeconfig: Path) -> None:
    expected = from_kubectl(kubectl(kubeconfig, "create", "service", "clusterip", "dns", "--tcp=53",
                                    "--clusterip=10.96.0.10"))
    assert from_kubegen(Service.clusterip("dns", tcp=["53"], cluster_ip="10.96.0.10")) == expected


@pytest.mark.parametrize(
    ("tcp", "message"),
    [
        (["http:80"], "must be PORT or PORT:TARGET"),
        (["80:"], "must be PORT or PORT:TARGET"),
        (["70000"], "port 70000 must be between 1 and 65535"),
        ([], "at least one tcp port specifier must be provided"),
    ],
)
def test_create_service_refuses_what_kubectl_refuses(kubeconfig: Path, tcp: list[str], message: str) -> None:
    result = kubectl(kubeconfig, "create", "service", "clusterip", "bad", *(f"--tcp={t}" for t in tcp), ok=False)
    assert result.returncode != 0 and result.stderr.startswith("error:"), result.stdout
    with pytest.raises(BuilderError, match=message):
        Service.clusterip("bad", tcp=tcp)


# -- kubectl create deployment -------------------------------------------------------

DIGEST = "sha256:" + "0123456789abcdef" * 4
IMAGES = [
    "nginx",
    "nginx:1.27",
    "redis:7-alpine",
    "ghcr.io/example/shop-frontend:1.4.2",
    "localhost:5000/team/app:v1",
    "registry.example.com:5000/team/app",
    f"busybox@{DIGEST}",
    f"ghcr.io/example/api:2.0@{DIGEST}",
]


@pytest.mark.parametrize("image", IMAGES)
@pytest.mark.parametrize(("replicas", "port"), [(1, None), (3, 8080)])
def test_create_deployment_matches_kubectl(kubeconfig: Path, image: str, replicas: int, port: int | None) -> None:
    args = ["create", "deployment", "web", f"--image={image}", f"--replicas={replicas}"]
    if port is not None:
        args.append(f"--port={port}")
    built = Deployment.create("web", image=image, replicas=replicas, port=port)
    assert from_kubegen(built) == from_kubectl(kubectl(kubeconfig, *args))


def test_create_deployment_with_several_images_matches_kubectl(kubeconfig: Path) -> None:
    images = ["nginx:1.27", "redis:7", f"ghcr.io/example/sidecar@{DIGEST}"]
    expected = from_kubectl(kubectl(kubeconfig, "create", "deployment", "web", *(f"--image={i}" for i in images),
                                    "--port=80"))
    assert from_kubegen(Deployment.create("web", image=images, port=80)) == expected


@pytest.mark.parametrize(("image", "name"), [("my_app:1", "my-app"), ("quay.io/team/c.d:v1", "c-d")])
def test_create_deployment_sanitizes_container_names_like_kubectl(kubeconfig: Path, image: str, name: str) -> None:
    # kubectl appends a random 5-character suffix when it has to replace '_' or '.';
    # kubegen stays deterministic, so only the prefix is compared.
    expected = from_kubectl(kubectl(kubeconfig, "create", "deployment", "web", f"--image={image}"))
    container = expected["spec"]["template"]["spec"]["containers"][0]
    assert container["name"].startswith(name + "-") and len(container["name"]) == len(name) + 6
    container["name"] = name
    assert from_kubegen(Deployment.create("web", image=image)) == expected


# -- kubectl expose ----------------------------------------------------------------------

POD = Pod(
    name="myapp-pod",
    labels={"app": "myapp", "type": "backend"},
    containers=[Container(name="nginx", image="nginx", ports=[80, ContainerPort(container_port=443, name="https")])],
)
DEPLOYMENT = Deployment(
    name="web",
    replicas=2,
    labels={"app": "web", "tier": "fe"},
    selector={"app": "web"},
    containers=[Container(name="web", image="nginx:1.27",
                          ports=[ContainerPort(container_port=80, name="http"),
                                 ContainerPort(container_port=53, protocol="UDP")])],
)
DNS = Deployment(
    name="dns",
    namespace="kube-dns",
    containers=[Container(name="dns", image="coredns/coredns:1.11.1",
                          ports=[ContainerPort(container_port=53, protocol="UDP", name="dns"),
                                 ContainerPort(container_port=53, protocol="TCP", name="dns-tcp"),
                                 ContainerPort(container_port=9153, name="metrics")])],
)

EXPOSE_CASES: list[tuple[Any, dict[str, Any]]] = [
    (POD, {}),
    (POD, {"port": 80, "target_port": 8080, "type": "NodePort", "name": "svc"}),
    (POD, {"port": 8443, "target_port": "https", "type": "LoadBalancer"}),
    (POD, {"port": 80, "protocol": "UDP"}),
    (DEPLOYMENT, {}),
    (DEPLOYMENT, {"target_port": "http"}),
    (DEPLOYMENT, {"port": 53}),
    (DEPLOYMENT, {"port": 8080, "type": "LoadBalancer", "name": "x-y"}),
    (DEPLOYMENT, {"protocol": "SCTP"}),
    (DEPLOYMENT, {"type": "ClusterIP", "name": "web-internal"}),
    (DNS, {}),
    (DNS, {"port": 53, "target_port": 5353}),
]

_FLAGS = {"port": "--port", "target_port": "--target-port", "type": "--type", "name": "--name",
          "protocol": "--protocol"}


@pytest.mark.parametrize(("workload", "options"), EXPOSE_CASES,
                         ids=[f"{w.kind}-{w.name}-{'-'.join(map(str, o.values())) or 'defaults'}"
                              for w, o in EXPOSE_CASES])
def test_expose_matches_kubectl(kubeconfig: Path, tmp_path: Path, workload: Any, options: dict[str, Any]) -> None:
    manifest = tmp_path / "workload.yaml"
    manifest.write_text(dump(workload.to_dict()))
    flags = [f"{_FLAGS[key]}={value}" for key, value in options.items()]
    if workload.namespace is not None:
        # Without -n, kubectl would create the Service in the kubeconfig's namespace and
        # print none; with it (as one must run it), the Service is the workload's namespace's.
        flags.append(f"--namespace={workload.namespace}")
    result = kubectl(kubeconfig, "expose", "-f", str(manifest), *flags, ok=False)
    if result.returncode != 0:
        pytest.skip(f"kubectl expose did not run against the fake discovery server "
                    f"(requests: {SERVER.requests}): {result.stderr.strip()}")
    assert from_kubegen(expose(workload, **options)) == from_kubectl(result)


def test_expose_only_needed_discovery(kubeconfig: Path, tmp_path: Path) -> None:
    # kubectl expose -f reads the object from the file; it never fetched it from the server.
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(dump(POD.to_dict()))
    SERVER.requests.clear()
    result = kubectl(kubeconfig, "expose", "-f", str(manifest), "--port=80", ok=False)
    if result.returncode != 0:
        pytest.skip(f"kubectl expose did not run against the fake discovery server: {result.stderr.strip()}")
    assert all(path in DISCOVERY for path in SERVER.requests), SERVER.requests


# -- kubectl as the Go yaml.v2 reader of kubegen's YAML --------------------------------------


def _same_after_json(expected: Any, got: Any) -> bool:
    """Same value and type, except that JSON may print an integral float as an int."""
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return type(got) is type(expected) and got == expected
    if isinstance(expected, int):
        return isinstance(got, int) and not isinstance(got, bool) and got == expected
    if isinstance(expected, float):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and float(got) == expected
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(map(_same_after_json, expected, got))
    return (
        isinstance(got, dict)
        and got.keys() == expected.keys()
        and all(_same_after_json(v, got[k]) for k, v in expected.items())
    )


def _difference(expected: Any, got: Any, path: str = "") -> str:
    """The first place where kubectl read something else, for a readable failure."""
    if isinstance(expected, dict) and isinstance(got, dict) and expected.keys() == got.keys():
        for key, value in expected.items():
            if not _same_after_json(value, got[key]):
                return _difference(value, got[key], f"{path}.{key}")
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for index, (value, item) in enumerate(zip(expected, got, strict=True)):
            if not _same_after_json(value, item):
                return _difference(value, item, f"{path}[{index}]")
    return f"at {path or '.'}: kubegen wrote {expected!r}, kubectl read {got!r}"


def kubectl_reads(kubeconfig: Path, tmp_path: Path, objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What kubectl (Go, sigs.k8s.io/yaml over yaml.v2) reads from kubegen's YAML for ``objs``."""
    manifest = tmp_path / "objects.yaml"
    manifest.write_text(dump_all(objs), encoding="utf-8")
    return kubectl_reads_file(kubeconfig, manifest, objs)


def kubectl_reads_file(kubeconfig: Path, manifest: Path, objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What kubectl reads from ``manifest``, which holds ``objs`` (for the namespace it fills in)."""
    # JSON output: kubectl's own -o yaml printer chokes on the control characters it just read.
    result = kubectl(kubeconfig, "create", "-f", str(manifest), "--validate=false", ok=False, output="json")
    if result.returncode != 0:
        pytest.skip(f"kubectl create -f did not run against the fake discovery server: {result.stderr.strip()}")
    decoder, text, read, at = json.JSONDecoder(), result.stdout, [], 0
    while text[at:].strip():
        obj, end = decoder.raw_decode(text, at + len(text[at:]) - len(text[at:].lstrip()))
        read.append(obj)
        at = end
    for obj, original in zip(read, objs, strict=False):
        if "namespace" not in original["metadata"]:
            obj["metadata"].pop("namespace", None)  # kubectl fills in its current namespace
    return read


def _config_map(name: str, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, **fields}


def test_kubectl_reads_every_tricky_string_as_written(kubeconfig: Path, tmp_path: Path) -> None:
    values = _config_map("values", data={f"k{i}": value for i, value in enumerate(TRICKY)})
    keys = _config_map("keys", data={value: "v" for value in TRICKY})
    scalars = _config_map("scalars", extra=[0, -1, 2**63 - 1, 1.5, -0.25, 1e20, 1e-7, True, False, None,
                                            [["x", ["yes"]]], {"on": {"0755": ["1e3"]}}])
    objs = [values, keys, scalars]
    read = kubectl_reads(kubeconfig, tmp_path, objs)
    assert len(read) == len(objs)
    for original, got in zip(objs, read, strict=True):
        assert _same_after_json(original, got), _difference(original, got)


# Kubernetes JSON has no NaN or infinity; everything else a manifest can hold.
json_scalars = st.one_of(strings, st.integers(min_value=-(2**63), max_value=2**63 - 1),
                         st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none())
json_documents = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=16,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(json_documents, min_size=1, max_size=8))
def test_kubectl_reads_any_document_as_written(kubeconfig: Path, tmp_path: Path, values: list[Any]) -> None:
    objs = [_config_map(f"doc-{i}", extra=value) for i, value in enumerate(values)]
    read = kubectl_reads(kubeconfig, tmp_path, objs)
    assert len(read) == len(objs)
    for original, got in zip(objs, read, strict=True):
        expected = _as_written(original)
        assert _same_after_json(expected, got), _difference(expected, got)


def _as_written(value: Any) -> Any:
    """What the writer promises to write: ``creationTimestamp: null`` directly under a
    ``metadata`` mapping is dropped (kubectl's own noise), everything else kept."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "metadata" and isinstance(item, dict) and item.get("creationTimestamp", 0) is None:
                item = {k: v for k, v in item.items() if k != "creationTimestamp"}
            out[key] = _as_written(item)
        return out
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    return value


@pytest.mark.parametrize("golden", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_kubectl_reads_the_goldens_as_yaml_1_1_does(kubeconfig: Path, golden: Path) -> None:
    objs = [doc for doc in yaml.safe_load_all(golden.read_text(encoding="utf-8")) if doc is not None]
    read = kubectl_reads_file(kubeconfig, golden, objs)
    assert len(read) == len(objs)
    for original, got in zip(objs, read, strict=True):
        assert _same_after_json(original, got), _difference(original, got)


# -- generateName: what kubectl apply refuses and kubectl create takes -------------------


def test_kubectl_apply_refuses_a_generate_name_that_kubectl_create_takes(kubeconfig: Path, tmp_path: Path) -> None:
    """The generate-name rule's premise, from kubectl itself: apply cannot, create can."""
    from kubegen import Hook, Job

    job = Job(generate_name="db-migrate-", hook=Hook.argocd("PreSync"),
              containers=[Container(name="migrate", image="ghcr.io/example/migrate:2.1")])
    path = tmp_path / "job.yaml"
    path.write_text(dump(job.to_dict()))
    applied = kubectl(kubeconfig, "apply", "-f", str(path), "--validate=false", ok=False)
    assert applied.returncode != 0
    assert "cannot use generate name with apply" in applied.stderr
    created = from_kubectl(kubectl(kubeconfig, "create", "-f", str(path), "--validate=false"))
    assert created["metadata"]["generateName"] == "db-migrate-" and "name" not in created["metadata"]
    assert created["metadata"].pop("namespace") == "default"  # kubectl create fills in the current namespace
    assert created == from_kubegen(job)
