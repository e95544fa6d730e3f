"""The api-version, schema and yaml-boolean rules: manifests that trip each rule (message
text asserted), near misses that must pass, and kubernetes-validate (the official
OpenAPI schemas) as the oracle for what the API accepts."""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import kubegen
from kubegen.checks import Finding, kubeversion, run_checks
from kubegen.checks.k8sdata import REMOVED, api_data
from kubegen.location import Location
from kubegen.manifest import Manifest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RULES = ("api-version", "schema", "yaml-boolean")


def lint(text: str, origin: Any = None) -> list[Finding]:
    docs = [d for d in yaml.safe_load_all(textwrap.dedent(text)) if d is not None]
    return run_checks([Manifest(d, origin or Location("x.yaml", 1)) for d in docs])


def ours(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in findings if f.rule in RULES]


def only(findings: list[Finding], rule: str) -> Finding:
    matching = [f for f in findings if f.rule in RULES]
    assert [f.rule for f in matching] == [rule], [f.format() for f in matching]
    return matching[0]


@functools.cache
def _official_validator(api_version: str, kind: str) -> Any:
    """The official strict JSON schema of one kind, as kubernetes-validate bundles it (loaded once)."""
    kv = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate (test dependency) not installed")
    import jsonschema
    from referencing import Registry, Resource

    # the release kubegen's shipped data describes (newer ones add fields, e.g. emptyDir.mode in 1.37)
    folder = Path(kv.__file__).parent / "kubernetes-json-schema" / f"v{kubeversion.newest()}.0-local-strict"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    file = folder / f"{kind.lower()}-{group_version}.json"
    if not file.exists():
        return None
    schema = json.loads(file.read_text())
    registry = Resource.from_contents(schema) @ Registry()
    registry = Resource.from_contents(json.loads((folder / "_definitions.json").read_text())) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


def official_problem(obj: dict[str, Any]) -> str | None:
    """What the official schemas (strict: unknown fields rejected) say is wrong, or None."""
    validator = _official_validator(str(obj.get("apiVersion")), str(obj.get("kind")))
    if validator is None:
        return f"no schema for {obj.get('apiVersion')} {obj.get('kind')}"
    error = next(iter(validator.iter_errors(obj)), None)
    return None if error is None else str(error.message)


def oracle_rejects(obj: dict[str, Any]) -> bool:
    return official_problem(obj) is not None


SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{name: http, containerPort: 8080}]
        resources: {requests: {cpu: 0.5, memory: 128Mi}, limits: {cpu: "1", memory: 1Gi}}
        env: [{name: A, value: "yes"}, {name: B, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]
"""


def test_a_correct_stack_passes_and_the_oracle_agrees() -> None:
    assert ours(lint(SERVICE)) == []
    for doc in yaml.safe_load_all(SERVICE):
        assert not oracle_rejects(doc)


# --- api-version -----------------------------------------------------------------


def test_seed_nodeport_service_under_apps_v1_with_ports_as_mapping() -> None:
    text = """\
    apiVersion: apps/v1
    kind: Service
    metadata: {name: x}
    spec:
      type: NodePort
      selector: {app: x}
      ports:
        port: 80
        nodePort: 30080
    """
    found = ours(lint(text))
    assert ("api-version", "Service 'x': apiVersion apps/v1 does not serve kind Service; use apiVersion: v1") in found
    assert (
        "schema",
        "Service 'x': spec.ports must be a list (got a mapping); write each port as a list item starting with '- '",
    ) in found
    assert len(found) == 2
    assert oracle_rejects(yaml.safe_load(text))


@pytest.mark.parametrize(
    ("api_version", "kind", "expected"),
    [
        ("extensions/v1beta1", "Deployment", "extensions/v1beta1 Deployment was removed in Kubernetes 1.16; use apps/v1"),
        ("apps/v1beta2", "StatefulSet", "apps/v1beta2 StatefulSet was removed in Kubernetes 1.16; use apps/v1"),
        ("networking.k8s.io/v1beta1", "Ingress",
         "networking.k8s.io/v1beta1 Ingress was removed in Kubernetes 1.22; use networking.k8s.io/v1"),
        ("batch/v1beta1", "CronJob", "batch/v1beta1 CronJob was removed in Kubernetes 1.25; use batch/v1"),
        ("policy/v1beta1", "PodDisruptionBudget",
         "policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25; use policy/v1"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler",
         "autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26; use autoscaling/v2"),
        ("rbac.authorization.k8s.io/v1beta1", "ClusterRole",
         "rbac.authorization.k8s.io/v1beta1 ClusterRole was removed in Kubernetes 1.22; use rbac.authorization.k8s.io/v1"),
    ],
)
def test_removed_api_versions_name_the_release_and_the_replacement(api_version: str, kind: str, expected: str) -> None:
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "spec": {}}
    finding = only(run_checks([Manifest(obj, Location("x.yaml", 1))]), "api-version")
    assert finding.message.startswith(f"{kind} 'x': {expected}")
    assert finding.path == ("apiVersion",)
    assert oracle_rejects(obj)


def test_removed_table_agrees_with_the_served_table() -> None:
    data = api_data()
    for (api_version, kind), (_release, replacement, _note) in REMOVED.items():
        assert (api_version, kind) not in data.served, (api_version, kind)
        if replacement is not None:
            assert (replacement, kind) in data.served, (replacement, kind)


def test_served_versions_come_from_the_official_schemas() -> None:
    kinds = api_data().kinds
    assert kinds["Service"] == ["v1"]
    assert kinds["Deployment"] == ["apps/v1"]
    assert kinds["Ingress"] == ["networking.k8s.io/v1"]
    assert kinds["HorizontalPodAutoscaler"] == ["autoscaling/v2", "autoscaling/v1"]


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("autoscaling/v1", "HorizontalPodAutoscaler"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
     ("monitoring.coreos.com/v1", "ServiceMonitor"), ("cert-manager.io/v1", "Certificate"),
     ("serving.knative.dev/v1", "Service"), ("rbac.authorization.k8s.io/v1", "Role")],
)
def test_served_pairs_and_crds_pass(api_version: str, kind: str) -> None:
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    findings = run_checks([Manifest(obj, Location("x.yaml", 1))])
    assert [f.message for f in findings if f.rule == "api-version"] == []


def test_kind_in_the_wrong_case_suggests_the_right_one() -> None:
    finding = only(lint("apiVersion: v1\nkind: service\nmetadata: {name: web}\n"), "api-version")
    assert "kind service is not a Kubernetes kind (kinds are case-sensitive); did you mean kind: Service?" in (
        finding.message
    )


def test_misspelled_kind_in_a_built_in_group() -> None:
    finding = only(lint("apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: web}\n"), "api-version")
    assert finding.message == "Deploymnet 'web': apiVersion apps/v1 does not serve kind Deploymnet; did you mean Deployment?"


def test_missing_api_version_or_kind_is_a_schema_error_naming_the_key() -> None:
    finding = only(lint("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b}]}\n"), "schema")
    assert finding.message == "Pod 'p' has no apiVersion; add apiVersion: v1"
    finding = only(lint("kind: service\nmetadata: {name: s}\n"), "schema")
    assert finding.message == (
        "service 's' has no apiVersion; add apiVersion: v1 and write kind: Service (kinds are case-sensitive)"
    )
    finding = only(lint("apiVersion: v1\nmetadata: {name: p}\n"), "schema")
    assert finding.message.startswith("object 'p' has no kind; add kind: KIND")


# --- schema ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("ports: [{port: 80, targetport: 8080}]",
         "spec.ports[0].targetport is not a field of ServicePort; did you mean targetPort?"),
        ("ports: [{port: '80'}]", "spec.ports[0].port must be an integer (got the string '80'); write port: 80 without quotes"),
        ("ports: [{targetPort: 80}]", "spec.ports[0].port is missing; ServicePort requires port; add port: NUMBER"),
        ("ports: [{port: 80, targetPort: 80.5}]", "spec.ports[0].targetPort must be a whole number or a name (got the number 80.5)"),
        ("ports: [80]", "spec.ports[0] must be a mapping of ServicePort fields (got the number 80)"),
        ("ports: [{port: 80}]\n  selector: [app, web]", "spec.selector must be a mapping of key: value pairs (got a list)"),
    ],
)
def test_service_shape_errors(snippet: str, expected: str) -> None:
    obj = yaml.safe_load(f"apiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec:\n  {snippet}\n")
    finding = only(run_checks([Manifest(obj, Location("x.yaml", 1))]), "schema")
    assert finding.message == f"Service 'web': {expected}"
    assert oracle_rejects(obj)


@pytest.mark.parametrize(
    ("text", "rule", "expected"),
    [
        ("apiVersion: apps/v1\nkind: Foo\nmetadata: {name: f}\n", "api-version",
         "Foo 'f': apiVersion apps/v1 does not serve kind Foo; it serves ControllerRevision, DaemonSet, Deployment, "
         "ReplicaSet, StatefulSet"),
        ("apiVersion: 1\nkind: Pod\nmetadata: {name: p}\n", "schema",
         "Pod 'p' has apiVersion 1, which is not a string; add apiVersion: v1"),
        ("apiVersion: apps/v1\nkind: [Deployment]\nmetadata: {name: d}\n", "schema",
         "object 'd' has kind [Deployment], which is not a string; add kind: KIND (e.g. Deployment, Service); "
         "apps/v1 serves ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  affinity:\n    nodeAffinity:\n"
         "      requiredDuringSchedulingIgnoredDuringExecution:\n      - nodeSelectorTerms: []\n"
         "  containers: [{name: a, image: b}]\n", "schema",
         "Pod 'p': spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution must be a mapping of "
         "NodeSelector fields (got a list); write its fields without a leading '- '"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostNetwork: 1, containers: [{name: a, image: b}]}\n",
         "schema", "Pod 'p': spec.hostNetwork must be a boolean (true or false) (got the number 1)"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b, command: sh}]}\n",
         "schema", "Pod 'p': spec.containers[0].command must be a list (got the string 'sh'); write each command entry "
         "as a list item starting with '- '"),
        ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {pin: 1234}\n", "yaml-boolean",
         "Secret 's': data.pin is the number 1234, but Secret data values are strings"),
        ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: yes, selector: {matchLabels: "
         "{a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: a, image: b}]}}}\n", "schema",
         "Deployment 'd': spec.replicas must be an integer (got the boolean true)"),
    ],
)
def test_more_messages(text: str, rule: str, expected: str) -> None:
    finding = only(lint(text), rule)
    assert finding.message.startswith(expected)
    assert oracle_rejects(yaml.safe_load(text))


def _deployment(**container: Any) -> dict[str, Any]:
    doc = yaml.safe_load(SERVICE.split("---\n")[1])
    doc["spec"]["template"]["spec"]["containers"][0].update(container)
    return doc


def _lint_objs(*objs: dict[str, Any]) -> list[Finding]:
    return run_checks([Manifest(o, Location("x.yaml", 1)) for o in objs])


def test_container_typo_and_missing_image() -> None:
    obj = _deployment()
    pod = obj["spec"]["template"]["spec"]
    pod["contianers"] = pod.pop("containers")
    found = ours(_lint_objs(obj))
    assert ("schema", "Deployment 'web': spec.template.spec.contianers is not a field of PodSpec; "
            "did you mean containers?") in found
    assert len(found) == 1, "the typo is not also reported as a missing field"
    del pod["contianers"]
    assert [(f.rule, f.message) for f in _lint_objs(obj)] == [
        ("invalid-value", "Deployment 'web': spec.template.spec.containers: is required: a pod needs at least one "
         "container (add containers: with a name and an image)")]
    obj = _deployment()
    del obj["spec"]["template"]["spec"]["containers"][0]["image"]
    finding = only(_lint_objs(obj), "schema")
    assert finding.message == (
        "Deployment 'web': spec.template.spec.containers[0].image is missing; Container requires image; "
        "add image: IMAGE:TAG (e.g. nginx:1.27)"
    )
    assert finding.path == ("spec", "template", "spec", "containers", 0, "image")


def test_field_at_the_wrong_level_points_to_where_it_belongs() -> None:
    obj = _deployment()
    obj["spec"]["containers"] = obj["spec"]["template"]["spec"].pop("containers")
    found = ours(_lint_objs(obj))
    assert ("schema", "Deployment 'web': spec.containers is not a field of DeploymentSpec; "
            "did you mean spec.template.spec.containers?") in found


def test_field_of_a_list_item_points_into_the_list() -> None:
    obj = _deployment()
    obj["spec"]["template"]["spec"]["image"] = "nginx"
    finding = only(_lint_objs(obj), "schema")
    assert finding.message == ("Deployment 'web': spec.template.spec.image is not a field of PodSpec; "
                               "did you mean spec.template.spec.containers[0].image?")
    assert finding.path == ("spec", "template", "spec", "image")


def test_v1beta1_ingress_backend_under_v1_explains_the_new_form() -> None:
    text = """\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: web}
    spec:
      rules:
      - http:
          paths:
          - path: /
            backend: {serviceName: web, servicePort: 80}
    """
    found = [m for rule, m in ours(lint(text)) if rule == "schema"]
    assert ("Ingress 'web': spec.rules[0].http.paths[0].backend.serviceName is not a field of IngressBackend; "
            "networking.k8s.io/v1 writes the backend as service: {name: NAME, port: {number: N}} "
            "(serviceName/servicePort were the v1beta1 form)") in found
    assert len(found) == 2
    assert ("invalid-value", "Ingress 'web': spec.rules[0].http.paths[0].pathType: is required; "
            "add pathType: Prefix (or Exact, or ImplementationSpecific)") in [(f.rule, f.message) for f in lint(text)]
    assert oracle_rejects(yaml.safe_load(textwrap.dedent(text)))


def test_missing_deployment_selector_is_reported_once_by_workload_selector() -> None:
    obj = _deployment()
    del obj["spec"]["selector"]
    findings = _lint_objs(obj)
    assert [f.rule for f in findings if f.rule in (*RULES, "workload-selector")] == ["workload-selector"]
    assert oracle_rejects(obj)


@pytest.mark.parametrize(
    "resources",
    [{"requests": {"cpu": 1, "memory": "128Mi"}}, {"limits": {"cpu": 0.25}}, {"requests": {"cpu": "500m"}},
     {"limits": {"memory": "1e9", "nvidia.com/gpu": 1}}],
)
def test_quantities_accept_numbers_and_strings(resources: dict[str, Any]) -> None:
    obj = _deployment(resources=resources)
    assert ours(_lint_objs(obj)) == []
    assert not oracle_rejects(obj)


def test_bad_quantity_and_int_or_string_near_misses() -> None:
    finding = only(_lint_objs(_deployment(resources={"limits": {"cpu": "1 core"}})), "schema")
    assert "resources.limits.cpu '1 core' is not a quantity such as '250m', '1', '128Mi' or '1Gi'" in finding.message
    probe = {"httpGet": {"path": "/", "port": "http"}}
    assert ours(_lint_objs(_deployment(livenessProbe=probe))) == []
    probe = {"httpGet": {"path": "/", "port": 8080}}
    assert ours(_lint_objs(_deployment(livenessProbe=probe))) == []


def test_string_where_boolean_is_wanted() -> None:
    obj = _deployment()
    obj["spec"]["template"]["spec"]["hostNetwork"] = "true"
    finding = only(_lint_objs(obj), "schema")
    assert finding.message == (
        "Deployment 'web': spec.template.spec.hostNetwork must be a boolean (true or false) "
        "(got the string 'true'); write hostNetwork: true without quotes"
    )
    assert oracle_rejects(obj)


def test_secret_data_must_be_base64() -> None:
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
           "data": {"ok": "c2VjcmV0", "bad": "secret!"}, "stringData": {"plain": "secret!"}}
    finding = only(_lint_objs(obj), "schema")
    assert finding.message.startswith("Secret 's': data.bad is not valid base64")
    assert finding.path == ("data", "bad")


def test_missing_name_is_reported() -> None:
    finding = only(lint("apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n"), "schema")
    assert finding.message.startswith("ConfigMap has no metadata.name")


def test_typed_manifests_are_trusted_untyped_ones_checked() -> None:
    # Typed builders emit served apiVersions and right shapes by construction (see
    # test_builders.test_every_builder_emits_a_served_api_version); the same dict from
    # YAML or Raw is checked.
    obj = {"apiVersion": "apps/v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": {"port": 80}}}
    typed = run_checks([Manifest(obj, Location("x.yaml", 1), typed=True)])
    assert [f.rule for f in typed if f.rule in ("api-version", "schema")] == []
    untyped = run_checks([Manifest(obj, Location("x.yaml", 1))])
    assert sorted({f.rule for f in untyped if f.rule in ("api-version", "schema")}) == ["api-version", "schema"]


# --- yaml-boolean ----------------------------------------------------------------


class LineOrigin:
    """An origin that maps field paths to lines of a real file (like the YAML reader)."""

    def __init__(self, file: Path, lines: dict[tuple[Any, ...], int]) -> None:
        self.file = str(file)
        self.lines = lines

    def locate(self, path: Any = ()) -> Location:
        return Location(self.file, self.lines.get(tuple(path), 1))


def test_yaml_boolean_label_quotes_what_was_written(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    canary: yes\n    version: 1.10\n"
    file = tmp_path / "c.yaml"
    file.write_text(text)
    origin = LineOrigin(file, {("metadata", "labels", "canary"): 6, ("metadata", "labels", "version"): 7})
    found = ours(lint(text, origin))
    assert found == [
        ("yaml-boolean", "ConfigMap 'c': metadata.labels.canary is the boolean true, but label values are strings: "
                         "YAML 1.1 reads an unquoted yes as a boolean; write canary: \"yes\""),
        ("yaml-boolean", "ConfigMap 'c': metadata.labels.version is the number 1.1, but label values are strings: "
                         "YAML reads an unquoted 1.10 as the number 1.1; write version: \"1.10\""),
    ]
    assert oracle_rejects(yaml.safe_load(text))


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {debug: on}\n", "data.debug",
         "is the boolean true, but ConfigMap data values are strings"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {prometheus.io/scrape: true}}\n"
         "spec: {containers: [{name: a, image: b}]}\n",
         "metadata.annotations.prometheus.io/scrape", "is the boolean true, but annotation values are strings"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
         "spec: {nodeSelector: {ssd: yes}, containers: [{name: a, image: b, env: [{name: PORT, value: 8080}]}]}\n",
         "spec.containers[0].env[0].value", "is the number 8080, but env values are strings"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {nodeSelector: {ssd: no}, containers: [{name: a, image: b}]}\n",
         "spec.nodeSelector.ssd", "is the boolean false, but nodeSelector values are strings"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: 3.10}]}\n",
         "spec.containers[0].image", "is the number 3.1, but image must be a string"),
    ],
)
def test_yaml_boolean_everywhere_a_string_is_wanted(text: str, path: str, expected: str) -> None:
    findings = [f for f in lint(text) if f.rule in RULES]
    messages = [f.message for f in findings if f.rule == "yaml-boolean"]
    assert any(f": {path} {expected}" in m for m in messages), messages
    assert all(f.rule == "yaml-boolean" for f in findings if path in f.message), "also reported as schema"
    assert oracle_rejects(yaml.safe_load(text))


def test_yaml_boolean_in_a_flow_list_quotes_the_item(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: b\n" \
           "    args: [--verbose, on]  # a flag\n"
    file = tmp_path / "p.yaml"
    file.write_text(text)
    origin = LineOrigin(file, {("spec", "containers", 0, "args", 1): 8})
    finding = only(lint(text, origin), "yaml-boolean")
    assert finding.message == (
        "Pod 'p': spec.containers[0].args[1] is the boolean true, but arg entries are strings: "
        "YAML 1.1 reads an unquoted on as a boolean; write \"on\""
    )


def test_quoted_values_are_near_misses() -> None:
    text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {canary: "yes", version: "1.10"}}\n' \
           'data: {debug: "on", port: "8080"}\n'
    assert ours(lint(text)) == []
    assert not oracle_rejects(yaml.safe_load(text))


# --- from Python: Raw objects in a Stack ----------------------------------------------


def test_raw_objects_are_checked_like_yaml() -> None:
    stack = kubegen.Stack(namespace="shop", create_namespace=False)
    stack.add(kubegen.Raw(manifest={"apiVersion": "apps/v1", "kind": "Service", "metadata": {"name": "x"},
                           "spec": {"type": "NodePort", "ports": {"port": 80}}}))
    stack.add(kubegen.Raw(manifest={"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "c", "labels": {"canary": True}}, "data": {"a": "b"}}))
    found = ours(kubegen.check_stack(stack))
    assert ("api-version", "Service 'x': apiVersion apps/v1 does not serve kind Service; use apiVersion: v1") in found
    assert ("schema", "Service 'x': spec.ports must be a list (got a mapping); "
            "write each port as a list item starting with '- '") in found
    assert ("yaml-boolean", "ConfigMap 'c': metadata.labels.canary is the boolean True, but label values are "
            "strings; use a string such as 'true'") in found
    assert len(found) == 3


def test_typed_builders_pass() -> None:
    stack = kubegen.Stack(namespace="shop")
    web = stack.add(kubegen.Deployment(name="web", containers=[
        kubegen.Container(name="web", image="nginx:1.27", ports={"http": 8080})]))
    stack.add(web.expose(80, target_port="http"))
    assert ours(kubegen.check_stack(stack)) == []


# --- corpus, speed, data -------------------------------------------------------------


def _corpus() -> Path:
    for candidate in (ROOT.parent / "shared" / "corpus", HERE / "data" / "corpus"):
        if candidate.is_dir():
            return candidate
    pytest.skip("manifest corpus not found")


def test_every_corpus_manifest_runs_through_the_checks() -> None:
    corpus = _corpus()
    removed: set[str] = set()
    total = 0
    for path in sorted(corpus.rglob("*.yaml")):
        try:
            docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        total += len(docs)
        for f in run_checks([Manifest(d, Location(path.name, 1)) for d in docs]):
            assert f.message and f.rule
            if f.rule == "api-version" and "extensions/v1beta1 DaemonSet was removed" in f.message:
                removed.add(path.name)
    assert total > 200
    # The corpus README lists two DaemonSets on the removed extensions/v1beta1 API.
    assert len(removed) == 2, removed


def test_ten_thousand_raw_objects_are_walked_without_findings() -> None:
    """Speed is bench/bench_lint.py's job (never a timed test); this holds the walk's verdict at scale."""
    from kubegen.checks import CheckOptions, Report
    from kubegen.checks.schema import check_schema

    docs = list(yaml.safe_load_all(SERVICE))
    manifests = [Manifest(copy.deepcopy(docs[i % 2]), Location("x.yaml", 1)) for i in range(10_000)]
    report = Report(CheckOptions())
    check_schema(manifests[:10], report)  # load the data once
    check_schema(manifests, report)
    assert report.findings == []


def test_generated_data_is_compact_and_up_to_date() -> None:
    """Each shipped kubegen/data/k8s-X.Y.json is what tools/gen_schema.py makes of the OpenAPI
    documents copied into tools/openapi/vX.Y (so a new release is a regenerated file)."""
    spec = importlib.util.spec_from_file_location("gen_schema", ROOT / "tools" / "gen_schema.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    folders = sorted((ROOT / "tools" / "openapi").glob("v*"))
    shipped = sorted((ROOT / "kubegen" / "data").glob("k8s-*.json"))
    assert [gen.output_for(f) for f in folders] == shipped, "one OpenAPI folder per shipped data file"
    for folder, data_file in zip(folders, shipped, strict=True):
        text = data_file.read_text(encoding="utf-8")
        assert len(text) < 1_000_000
        assert gen.render(gen.generate(folder)) == text, f"run python tools/gen_schema.py {folder}"
        data = json.loads(text)
        assert data["version"] == folder.name[1:]
        # enums, defaults and list-map keys come from the OpenAPI data, not from code
        assert data["defs"]["core.v1.ContainerPort"]["e"]["protocol"] == ["SCTP", "TCP", "UDP"]
        assert data["defs"]["core.v1.ContainerPort"]["d"]["protocol"] == "TCP"
        assert data["defs"]["core.v1.PodSpec"]["k"]["containers"] == ["name"]
    # the builders' enumerations: the newest file's, as a module generated with it
    from kubegen import apidata, apidata_enums

    newest = json.loads(shipped[-1].read_text(encoding="utf-8"))
    assert (ROOT / "kubegen" / "apidata_enums.py").read_text(encoding="utf-8") == gen.render_enums(newest)
    assert apidata_enums.VERSION == apidata.shipped()[-1]
    assert apidata.enum("core.v1.ServiceSpec", "type") == tuple(newest["defs"]["core.v1.ServiceSpec"]["e"]["type"])
    assert gen.main(["--check", str(folders[-1])]) == 0


# --- robustness ----------------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["name", "image", "ports", "spec", "port", "x", "labels", "0"]), inner,
                      max_size=3),
    max_leaves=8,
)
_PATHS = [("metadata",), ("metadata", "labels"), ("spec",), ("spec", "template"), ("spec", "template", "spec"),
          ("spec", "template", "spec", "containers"), ("spec", "template", "spec", "containers", 0),
          ("spec", "template", "spec", "containers", 0, "ports"), ("spec", "selector")]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_PATHS), st.sampled_from(["name", "image", "ports", "env", "x", "matchLabels"]), _values)
def test_any_value_anywhere_gives_findings_not_tracebacks(path: tuple[Any, ...], key: str, value: Any) -> None:
    obj = _deployment()
    obj["metadata"]["labels"] = {"app": "web"}
    node: Any = obj
    for step in path:
        node = node[step]
    if isinstance(node, dict):
        node[key] = value
    for f in _lint_objs(obj):
        assert f.message.startswith("Deployment") and f.format().startswith("x.yaml:")


def _corpus_objects() -> list[dict[str, Any]]:
    roots = api_data().roots
    objs = []
    for path in sorted(_corpus().rglob("*.yaml")):
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        objs += [d for d in docs if isinstance(d, dict) and (d.get("apiVersion"), d.get("kind")) in roots]
    return objs


def _schema_findings(obj: dict[str, Any], *, validation: bool = False) -> list[str]:
    """The schema check's findings (with ``validation``, also the API-validation rules', which
    report some fields the schema marks required, e.g. a pod's containers)."""
    from kubegen.checks import CheckOptions, Report
    from kubegen.checks.schema import check_schema
    from kubegen.checks.validation import check_validation

    report = Report(CheckOptions())
    manifests = [Manifest(obj, Location("x.yaml", 1))]
    check_schema(manifests, report)
    if validation:
        check_validation(manifests, report)
    return [f.message for f in report.findings]


@pytest.mark.slow
def test_verdicts_agree_with_the_official_schemas_on_the_corpus() -> None:
    for obj in _corpus_objects():
        ours_ = _schema_findings(obj)
        theirs = official_problem(obj)
        assert bool(_schema_findings(obj, validation=True)) >= (theirs is not None), (obj.get("kind"), obj["metadata"].get("name"), ours_, theirs)
        if theirs is None:
            assert all(any(extra in m for extra in _EXTRA_CHECKS) for m in ours_), (obj["metadata"], ours_)


# What kubegen checks beyond the OpenAPI schema (the API server's own validation does too).
_EXTRA_CHECKS = ("is not a quantity", "requires image", "has no metadata.name", "is empty;", "is not valid base64",
                 "is not supported")  # enums: the server checks them, the published JSON schemas do not


@pytest.mark.slow
def test_mutated_corpus_objects_agree_with_the_official_schemas() -> None:
    import random

    objs = _corpus_objects()
    rnd = random.Random(20261125)
    replacements: list[Any] = [True, False, 1, 1.5, "x", "80", [], {}, [1], {"a": 1}, "true"]
    for _ in range(1000):
        obj = copy.deepcopy(rnd.choice(objs))
        paths: list[tuple[Any, ...]] = []
        stack: list[tuple[tuple[Any, ...], Any]] = [((), obj)]
        while stack:
            pre, node = stack.pop()
            items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
            for k, v in items:
                if pre or k not in ("apiVersion", "kind"):
                    paths.append((*pre, k))
                    stack.append(((*pre, k), v))
        path = rnd.choice(paths)
        parent: Any = obj
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rnd.random() < 0.3:
            parent[f"{path[-1]}x"] = parent.pop(path[-1])  # a typo in a field name
        else:
            parent[path[-1]] = rnd.choice(replacements)
        ours_ = _schema_findings(obj)
        theirs = official_problem(obj)
        if theirs is not None and "is valid under each of" not in theirs:  # their null-in-oneOf quirk
            assert _schema_findings(obj, validation=True), (path, theirs)
        if theirs is None:
            assert all(any(extra in m for extra in _EXTRA_CHECKS) for m in ours_), (path, ours_)
