"""kubegen import and lint of live cluster output (``kubectl get deploy,svc,cm -o yaml``).

The fixtures in ``data/live/`` are written by hand in the shape ``kubectl get -o yaml``
prints: a ``kind: List`` whose objects carry what the API server populated (uid,
resourceVersion, managedFields, status, an allocated clusterIP...) and every API
default spelled out. The oracle for "what the server populated" is the list below,
written from the Kubernetes API reference, independent of kubegen's own.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import assert_valid_k8s

from kubegen.api import render
from kubegen.appload import load_stacks
from kubegen.cli import main
from kubegen.errors import InputError
from kubegen.importer import import_manifests, import_paths, normalise
from kubegen.importer.normalize import default_pull_policy
from kubegen.reader import read_paths, read_text

LIVE = Path(__file__).resolve().parent / "data" / "live"
LIST = LIVE / "get-deploy-svc-cm.yaml"
ALL = LIVE / "get-all-default.yaml"  # kubectl get all,cm,secret -n default: owned ReplicaSet and Pod too
POD = LIVE / "get-pod-run.yaml"  # kubectl run debug --image=busybox:1.36 -- sleep 3600, then get -o yaml

_SERVER_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink")
_SERVER_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
                       "deprecated.daemonset.template.generation")
# Added to every Pod by admission (ServiceAccount, DefaultTolerationSeconds, Priority) and the scheduler.
_POD_ADMITTED = ("nodeName", "serviceAccount", "serviceAccountName", "priority", "preemptionPolicy", "tolerations")


def without_server_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` minus what the API server populates (the test's own oracle)."""
    obj = json.loads(json.dumps(obj))
    obj.pop("status", None)
    meta = obj["metadata"]
    for key in _SERVER_METADATA:
        meta.pop(key, None)
    for key in _SERVER_ANNOTATIONS:
        meta.get("annotations", {}).pop(key, None)
    spec = obj.get("spec", {})
    if obj["kind"] == "Pod":
        for key in _POD_ADMITTED:
            spec.pop(key, None)
        for owner, key in [(spec, "volumes"), *((c, "volumeMounts") for c in spec["containers"])]:
            owner[key] = [v for v in owner.get(key, []) if not v["name"].startswith("kube-api-access-")]
            if not owner[key]:
                del owner[key]
    if obj["kind"] == "Service":
        if spec.get("clusterIP") != "None":
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)
        if len(spec.get("ipFamilies", [])) == 1:
            del spec["ipFamilies"]
    return obj


def canonical(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(normalise(o), sort_keys=True) for o in objs)


def live_objects(path: Path = LIST) -> list[dict[str, Any]]:
    read = read_paths([str(path)])
    assert not read.problems
    return [m.obj for m in read.manifests]


def body(source: str) -> str:
    """The code of a generated app, after its header comment and docstring."""
    return source.split('"""', 2)[2]


def statements(source: str) -> list[str]:
    """The app's statements, sorted, without the Stack (its object order follows the input)."""
    return sorted(s for s in body(source).split("\n\n") if s.strip() and not s.startswith("stack ="))


def render_app(source: str, tmp_path: Path) -> str:
    app = tmp_path / "app.py"
    app.write_text(source)
    return render(load_stacks(str(app), {}))


def test_a_live_list_imports_as_typed_builders_without_server_fields() -> None:
    source = import_paths([str(LIST)])
    code = body(source)
    assert "Raw(" not in code
    for noise in ("uid", "resourceVersion", "managedFields", "generation", "last-applied", "revision",
                  "10.96.", "ipFamil", "IPv4", "SingleStack", "sessionAffinity", "session_affinity",
                  "terminationMessage", "ClusterFirst", "default-scheduler", "IfNotPresent",
                  "progressDeadline", "revisionHistory", "25%", "2024-05-02"):
        assert noise not in code, noise
    # What a person writes stays: replicas, the allocated nodePort, the headless clusterIP.
    assert "replicas=2" in code
    assert 'web.expose(80, node_port=31380, type="NodePort", name="web-public")' in code
    assert 'cluster_ip="None"' in code
    assert "web_service = web.expose(" in code  # the Service is built from its workload


def test_the_header_says_what_was_dropped_and_that_node_ports_were_kept() -> None:
    header = import_paths([str(LIST)]).split('"""', 1)[0]
    assert "# 6 objects read from a cluster: dropped what the server wrote (clusterIP, clusterIPs," in header
    for name in ("managedFields", "resourceVersion", "uid", "status", "ipFamilies",
                 "the kubectl.kubernetes.io/last-applied-configuration annotation",
                 "dnsPolicy", "imagePullPolicy", "progressDeadlineSeconds", "terminationMessagePath",
                 "sessionAffinity", "Secret.type", "ports.protocol"):
        assert name in header.replace("\n# ", " "), name
    assert "Kept 1 allocated nodePort (clients may rely on it): delete it to let the cluster choose." in \
        header.replace("\n# ", " ")
    assert all(line.startswith("#") and len(line) <= 88 for line in header.splitlines())


@pytest.mark.parametrize(("path", "left_out"), [
    (LIST, set()),
    (POD, set()),
    # What the cluster made by itself: the Deployment's ReplicaSet and its Pod (owned by
    # uid), the CA bundle ConfigMap and the API server's Service.
    (ALL, {("ReplicaSet", "api-7c9d8b6f5"), ("Pod", "api-7c9d8b6f5-x2k8p"),
           ("ConfigMap", "kube-root-ca.crt"), ("Service", "kubernetes")}),
], ids=lambda v: v.name if isinstance(v, Path) else "")
def test_render_of_the_import_is_the_live_input_minus_server_fields(
    path: Path, left_out: set[tuple[str, str]], tmp_path: Path,
) -> None:
    source = import_paths([str(path)])
    assert "Raw(" not in body(source)
    rendered = read_text(render_app(source, tmp_path), "rendered").manifests
    assert_valid_k8s([m.obj for m in rendered])  # kubernetes-validate: the app writes valid objects
    expected = [without_server_fields(o) for o in live_objects(path)
                if (o["kind"], o["metadata"]["name"]) not in left_out]
    assert canonical([m.obj for m in rendered]) == canonical(expected)
    # And the app is a fixed point: its own output (in apply order) imports back to the
    # same statements.
    assert statements(import_manifests(rendered, ["rendered"])) == statements(source)


def test_hand_written_objects_keep_the_defaults_their_author_spelled_out() -> None:
    hand = """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              dnsPolicy: ClusterFirst
              containers:
              - {name: api, image: "api:1.0", imagePullPolicy: IfNotPresent}
        """
    source = import_manifests(read_text(textwrap.dedent(hand), "hand.yaml").manifests, ["hand.yaml"])
    assert "read from a cluster" not in source
    assert 'image_pull_policy="IfNotPresent"' in source
    assert "ClusterFirst" in source


@pytest.mark.parametrize(("image", "policy"), [
    # From the Kubernetes docs (Images: "Default image pull policy").
    ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.25", "IfNotPresent"),
    ("registry.local:5000/team/app", "Always"), ("registry.local:5000/team/app:v2", "IfNotPresent"),
    ("app@sha256:" + "a" * 64, "IfNotPresent"), ("app:latest@sha256:" + "a" * 64, "Always"),
])
def test_default_image_pull_policy(image: str, policy: str) -> None:
    assert default_pull_policy(image) == policy
    container = {"name": "c", "image": image, "imagePullPolicy": policy}
    pod = {"kind": "Pod", "spec": {"containers": [container]}}
    assert normalise(pod) == {"kind": "Pod", "spec": {"containers": [{"name": "c", "image": image}]}}
    other = "IfNotPresent" if policy == "Always" else "Always"
    container["imagePullPolicy"] = other
    assert normalise(pod)["spec"]["containers"][0]["imagePullPolicy"] == other


def test_cli_import_from_stdin_pipe() -> None:
    result = CliRunner().invoke(main, ["import", "-"], input=LIST.read_text())
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Generated by `kubegen import` from <stdin>.\n# 6 objects read from a cluster")
    assert body(result.output) == body(import_paths([str(LIST)]))


def test_the_header_names_what_the_cluster_made_by_itself() -> None:
    header = import_paths([str(ALL)]).split('"""', 1)[0].replace("\n# ", " ")
    assert ("Left out what the cluster makes by itself: Pod api-7c9d8b6f5-x2k8p (by ReplicaSet api-7c9d8b6f5), "
            "Service kubernetes, ReplicaSet api-7c9d8b6f5 (by Deployment api), ConfigMap kube-root-ca.crt.") in header
    pod = import_paths([str(POD)])
    assert "the kube-api-access volume, tolerations, uid)" in pod.replace("\n# ", " ")
    assert "kube-api-access" not in body(pod) and "enableServiceLinks" not in body(pod)


# ALL holds a Deployment, its ReplicaSet and their Pod: one workload, not an overlap.
@pytest.mark.parametrize("path", [LIST, POD, ALL], ids=lambda p: p.name)
def test_lint_of_live_output_reports_nothing(path: Path) -> None:
    # What the server wrote is never a finding; an untagged image the user wrote (the
    # fixture's busybox sidecar) is the only one, and a genuine one.
    plain = CliRunner().invoke(main, ["lint", "-"], input=path.read_text())
    assert {line.split(": ")[1] for line in plain.output.splitlines() if ": warning " in line} <= {"warning image-latest"}
    result = CliRunner().invoke(main, ["lint", "--strict", "--ignore", "image-latest", "-"], input=path.read_text())
    assert result.exit_code == 0, result.output
    count = len(live_objects(path))
    assert f"0 errors, 0 warnings in {count} object{'s' if count != 1 else ''} from 1 file" in result.output


def test_dual_stack_families_and_objects_not_read_from_a_cluster_are_kept() -> None:
    dual = """\
        apiVersion: v1
        kind: Service
        metadata: {name: web, uid: 11111111-2222-4333-8444-555555555555, resourceVersion: "7"}
        spec:
          clusterIP: 10.96.0.20
          clusterIPs: [10.96.0.20, "fd00::20"]
          ipFamilies: [IPv4, IPv6]
          ipFamilyPolicy: PreferDualStack
          selector: {app: web}
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: kube-root-ca.crt}
        data: {ca.crt: "mine"}
        """
    source = import_manifests(read_text(textwrap.dedent(dual), "dual.yaml").manifests, ["dual.yaml"])
    code = body(source)
    # The family choice is the user's; the allocated addresses are not.
    assert '"ipFamilies": ["IPv4", "IPv6"]' in code and '"ipFamilyPolicy": "PreferDualStack"' in code
    assert "10.96.0.20" not in code and "fd00::20" not in code
    # A hand-written ConfigMap that happens to share the cluster's name is imported.
    assert 'name="kube-root-ca.crt"' in code
    assert "# 1 object read from a cluster" in source and "Left out" not in source


def test_input_of_only_cluster_made_objects_says_so() -> None:
    objs = [o for o in live_objects(ALL) if o["kind"] == "ConfigMap"]
    manifests = read_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}), "cm.json").manifests
    with pytest.raises(InputError, match=(
        r"^every object in cm\.json is one the cluster makes by itself \(ConfigMap kube-root-ca\.crt\); "
        r"nothing to import: pass the objects you created$")):
        import_manifests(manifests, ["cm.json"])


def test_normalise_keeps_every_value_that_is_not_the_api_default() -> None:
    """The same fields as the live fixtures, each set to something other than its default."""
    probe = {"httpGet": {"path": "/", "port": 80, "scheme": "HTTPS"}, "timeoutSeconds": 2, "periodSeconds": 5,
             "successThreshold": 2, "failureThreshold": 6}
    container = {
        "name": "c", "image": "nginx:1.25", "imagePullPolicy": "Always", "resources": {"limits": {"cpu": "1"}},
        "terminationMessagePath": "/tmp/log", "terminationMessagePolicy": "FallbackToLogsOnError",
        "readinessProbe": probe, "ports": [{"containerPort": 53, "protocol": "UDP"}],
        "env": [{"name": "N", "valueFrom": {"fieldRef": {"apiVersion": "v2", "fieldPath": "metadata.name"}}}],
    }
    pod_spec = {
        "containers": [container], "dnsPolicy": "Default", "restartPolicy": "OnFailure",
        "schedulerName": "other", "securityContext": {"runAsNonRoot": True}, "terminationGracePeriodSeconds": 5,
        "enableServiceLinks": False, "volumes": [{"name": "v", "configMap": {"name": "c", "defaultMode": 256}}],
    }
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {
        "replicas": 3, "progressDeadlineSeconds": 300, "revisionHistoryLimit": 2,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": pod_spec},
    }}
    statefulset = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {
        "podManagementPolicy": "Parallel", "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"},
        "volumeClaimTemplates": [{"metadata": {"name": "d"}, "spec": {"volumeMode": "Block"}}],
    }}
    daemonset = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "x"}, "spec": {
        "updateStrategy": {"type": "OnDelete"}}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {
        "type": "LoadBalancer", "sessionAffinity": "ClientIP", "internalTrafficPolicy": "Local",
        "ipFamilyPolicy": "RequireDualStack", "externalTrafficPolicy": "Local", "allocateLoadBalancerNodePorts": False,
        "clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1", "fd00::1"], "ports": [{"port": 80, "targetPort": 8080}],
    }}
    for obj in (deployment, statefulset, daemonset, service):
        assert normalise(obj) == obj


def test_a_live_namespace_becomes_the_stacks_own(tmp_path: Path) -> None:
    namespace = {
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"creationTimestamp": "2024-05-01T08:00:00Z", "labels": {"kubernetes.io/metadata.name": "shop"},
                     "name": "shop", "resourceVersion": "4410", "uid": "aa11bb22-cc33-4d44-8e55-ff6677889900"},
        "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"},
    }
    objs = [namespace, *live_objects(LIST)]
    source = import_manifests(read_text(json.dumps({"kind": "List", "apiVersion": "v1", "items": objs}),
                                        "live.json").manifests, ["live.json"])
    assert "Namespace" not in body(source)  # the Stack creates it (create_namespace is on by default)
    assert 'namespace="shop",\n    objects=' in body(source)
    assert "the kubernetes.io/metadata.name label" in source.replace("\n# ", " ")
    rendered = read_text(render_app(source, tmp_path), "rendered").manifests
    assert [m.obj for m in rendered if m.kind == "Namespace"] == [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}]


def test_only_left_out_live_objects_next_to_hand_written_ones() -> None:
    root_ca = next(o for o in live_objects(ALL) if o["kind"] == "ConfigMap")
    mine = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app"}, "data": {"a": "b"}}
    manifests = read_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [root_ca, mine]}), "x.json")
    source = import_manifests(manifests.manifests, ["x.json"])
    assert "\n# Left out what the cluster makes by itself: ConfigMap kube-root-ca.crt.\n" in source
    assert "kube-root-ca" not in body(source) and 'ConfigMap(name="app"' in body(source)
