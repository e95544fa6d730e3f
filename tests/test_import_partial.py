"""`kubegen import` of one file of a larger app: what it refers to but does not contain is
declared (``External``), so the app renders back, checked, on its own; a whole app needs
no declaration. Fixtures: tests/data/gitops (GitOps-repository style, see its README);
oracles: the checks themselves (render runs them) and ``kubectl kustomize``."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubegen import External, render
from kubegen.api import compile_stacks
from kubegen.checks import CheckOptions, errors
from kubegen.errors import FindingsError
from kubegen.importer import import_paths, normalise
from kubegen.lint import lint
from kubegen.reader import expand_paths, read_paths, read_text

GITOPS = Path(__file__).resolve().parent / "data" / "gitops"
FILES = sorted(GITOPS.glob("*.yaml"))
HEADER = "# Part of a larger app: what these objects refer to but do not contain is declared below"


def app_of(source: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(source, "app.py", "exec"), namespace)
    return namespace["stack"]


def canonical(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(normalise(o), sort_keys=True) for o in objs)


def declarations(source: str) -> list[str]:
    """The ``External...(...)`` calls of a generated app, as source."""
    return [ast.unparse(node.value) for node in ast.parse(source).body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call) and ast.unparse(node.value.func).startswith("External")]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_file_of_a_larger_app_imports_and_renders_back_checked(path: Path) -> None:
    assert not errors(lint([str(path)], CheckOptions(partial=True)).findings), "a fixture must lint --partial clean"
    source = import_paths([str(path)])
    rendered = render(app_of(source))  # checked, as `kubegen render app.py`: raises on any error
    back = read_text(rendered, "rendered").manifests
    assert canonical([m.obj for m in back]) == canonical([m.obj for m in read_paths([str(path)]).manifests])
    whole = not errors(lint([str(path)], CheckOptions()).findings)
    assert (HEADER in source) == (not whole) == bool(declarations(source)), source


EXPECTED = {
    "lone-service.yaml": [
        "External.pods({'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/component': 'api'}, "
        "ports=['http', 9090])"],
    "lone-ingress.yaml": [
        "External(kind='Service', name='checkout', ports=['http'])",
        "External(kind='Service', name='storefront', ports=[8080])"],  # cert-manager makes storefront-tls
    "deployment-with-config.yaml": [
        "External(kind='ConfigMap', name='catalog-env')", "External(kind='Secret', name='catalog-db')",
        "External(kind='ConfigMap', name='catalog-config')",
        "External(kind='PersistentVolumeClaim', name='catalog-cache')",
        "External(kind='ServiceAccount', name='catalog')", "External(kind='Secret', name='registry-credentials')"],
    "autoscaler.yaml": [
        "External(kind='Deployment', name='catalog')", "External.pods({'app.kubernetes.io/name': 'catalog'})"],
    "rbac.yaml": [
        "External(kind='Role', name='leader-election')", "External(kind='ServiceAccount', name='catalog')",
        "External(kind='ClusterRole', name='metrics-reader')"],
    "network-policy.yaml": [
        "External.pods({'app.kubernetes.io/name': 'catalog'})",
        "External.pods({'app.kubernetes.io/name': 'storefront'})"],
    "services-per-namespace.yaml": [  # in a Stack without a namespace each names its own (none: every one)
        "External.pods({'app': 'ledger'}, namespace='staging', ports=['http'])",
        "External.pods({'app': 'ledger'}, namespace='default', ports=['grpc'])"],
    "rollout.yaml": [],  # the Services' pods are the Rollout's
    "helm-chart-with-test.yaml": [],
    "sync-waves.yaml": [],
    "argo-workflow-hook.yaml": [],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_what_is_declared(name: str) -> None:
    assert sorted(declarations(import_paths([str(GITOPS / name)]))) == sorted(EXPECTED[name])


def test_a_whole_kustomize_base_needs_no_declaration() -> None:
    source = import_paths([str(GITOPS / "base")])
    assert declarations(source) == [] and "External" not in source and HEADER not in source
    back = read_text(render(app_of(source)), "rendered").manifests
    assert canonical([m.obj for m in back]) == canonical([m.obj for m in read_paths([str(GITOPS / "base")]).manifests])


def test_the_base_as_kustomize_builds_it_imports_the_same(tmp_path: Path) -> None:
    """Oracle: ``kubectl kustomize`` (the real kustomize) of the base, imported from stdin."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    built = subprocess.run([kubectl, "kustomize", str(GITOPS / "base")], capture_output=True, text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    (tmp_path / "built.yaml").write_text(built.stdout)
    source = import_paths([str(tmp_path / "built.yaml")])
    assert declarations(source) == []
    back = [m.obj for m in read_text(render(app_of(source)), "rendered").manifests]
    assert canonical(back) == canonical(list(yaml.safe_load_all(built.stdout)))


KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: guestbook
namePrefix: prod-
commonLabels:
  team: shop
images:
  - name: gcr.io/heptio-images/ks-guestbook-demo
    newTag: "0.3"
resources:
  - namespace.yaml
  - configmap.yaml
  - deployment.yaml
  - service.yaml
  - ingress.yaml
"""


def test_a_base_that_kustomize_transforms_says_what_import_did_not_apply(tmp_path: Path) -> None:
    """Import reads a base's files as written; a kustomization that renames, relabels or
    retags them makes another app, and the header says which fields were not applied."""
    base = tmp_path / "my base"
    shutil.copytree(GITOPS / "base", base)
    (base / "kustomization.yaml").write_text(KUSTOMIZATION)
    source = import_paths([str(base)])
    header = " ".join(line[2:] for line in source.splitlines() if line.startswith("# "))
    assert (f"Not what kustomize builds: {base}/kustomization.yaml sets commonLabels, images, namePrefix, "
            "which import does not apply (it read the files as written). To import the app kustomize makes: "
            f"kubectl kustomize '{base}' | kubegen import -") in header
    assert "Not what kustomize builds" not in import_paths([str(GITOPS / "base")])  # it only lists resources
    app = tmp_path / "app"  # a base whose resource is a directory inside it: read by the walk as well
    shutil.copytree(GITOPS / "base", app / "guestbook")
    (app / "kustomization.yaml").write_text("resources:\n  - guestbook/\n")
    assert "Not what kustomize builds" not in import_paths([str(app)])


def test_what_the_note_says_to_run_imports_what_kustomize_builds(tmp_path: Path) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    base = tmp_path / "base"
    shutil.copytree(GITOPS / "base", base)
    (base / "kustomization.yaml").write_text(KUSTOMIZATION)
    built = subprocess.run([kubectl, "kustomize", str(base)], capture_output=True, text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    (tmp_path / "built.yaml").write_text(built.stdout)
    source = import_paths([str(tmp_path / "built.yaml")])
    assert "Not what kustomize builds" not in source and declarations(source) == []
    back = [m.obj for m in read_text(render(app_of(source)), "rendered").manifests]
    assert canonical(back) == canonical(list(yaml.safe_load_all(built.stdout)))
    assert {o["metadata"]["name"] for o in back} >= {"prod-guestbook-ui"}


def overlay_repository(root: Path) -> Path:
    """A GitOps repository as Argo CD apps point at it: the base, and a prod overlay with
    a strategic-merge patch, a JSON patch and a ConfigMap generated from a config file."""
    shutil.copytree(GITOPS / "base", root / "base")
    prod = root / "overlays" / "prod"
    prod.mkdir(parents=True)
    (prod / "kustomization.yaml").write_text(
        "resources:\n  - ../../base\n"
        "patches:\n  - path: replicas.yaml\n  - path: probe.json\n"
        "    target: {kind: Deployment, name: guestbook-ui}\n"
        "patchesStrategicMerge:\n  - resources.yaml\n"
        "configMapGenerator:\n  - name: guestbook-settings\n    namespace: guestbook\n"
        "    files:\n      - settings.yaml\n      - extra=extra.yml\n")
    (prod / "replicas.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: guestbook-ui\n  namespace: guestbook\n"
        "spec:\n  replicas: 5\n")
    (prod / "resources.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: guestbook-ui\n  namespace: guestbook\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: guestbook-ui\n"
        "          resources: {limits: {memory: 256Mi}}\n")
    (prod / "probe.json").write_text('[{"op": "add", "path": "/spec/minReadySeconds", "value": 10}]')
    (prod / "settings.yaml").write_text("server:\n  port: 8080\n")
    (prod / "extra.yml").write_text("greeting: hello\n")
    return root


def test_a_repository_with_overlays_reads_only_its_objects(tmp_path: Path) -> None:
    """The patches and generator inputs an overlay's kustomization names are no objects for
    the API server (kubectl apply -k, Argo CD never send them): a directory walk skips them
    as it skips the kustomization, so lint reports no broken Deployment and import reads
    the base's objects (and says the overlay transforms them)."""
    root = overlay_repository(tmp_path / "repo")
    assert errors(lint([str(root)], CheckOptions()).findings) == []
    assert sorted(Path(p).name for p in expand_paths([str(root)])) == [
        "configmap.yaml", "deployment.yaml", "ingress.yaml", "namespace.yaml", "service.yaml"]
    source = import_paths([str(root)])
    assert "Raw(" not in source and declarations(source) == []
    assert "overlays/prod/kustomization.yaml sets configMapGenerator, patches, patchesStrategicMerge, resources: " \
           "../../base" in " ".join(line[2:] for line in source.splitlines() if line.startswith("# "))
    back = read_text(render(app_of(source)), "rendered").manifests
    assert canonical([m.obj for m in back]) == canonical([m.obj for m in read_paths([str(GITOPS / "base")]).manifests])
    named = root / "overlays" / "prod" / "replicas.yaml"  # a file named on the command line is read
    assert [m.name for m in read_paths([str(named)]).manifests] == ["guestbook-ui"]


GENERATED_REFS = """\
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
    - name: api
      image: registry.example.com/api:1.4.0
      envFrom:
        - configMapRef: {name: api-env}
        - secretRef: {name: api-credentials}
      volumeMounts:
        - {name: config, mountPath: /etc/api}
  volumes:
    - name: config
      configMap: {name: api-config}
"""


@pytest.mark.parametrize("namespace", ["", "namespace: payments\n"])
def test_what_a_kustomization_generates_exists_for_lint(tmp_path: Path, namespace: str) -> None:
    """A base whose kustomization generates the ConfigMaps and Secret its pod reads
    (kubectl apply -k and Argo CD deploy it as is): ``kubegen lint DIR`` takes them as
    existing, as it would in what ``kubectl kustomize`` builds, and reports no config-ref."""
    (tmp_path / "pod.yaml").write_text(GENERATED_REFS)
    (tmp_path / "application.yaml").write_text("server:\n  port: 8080\n")
    (tmp_path / "kustomization.yaml").write_text(
        namespace + "resources: [pod.yaml]\n"
        "configMapGenerator:\n  - name: api-env\n    literals: [LOG_LEVEL=info]\n"
        "  - name: api-config\n    files: [application.yaml]\n"
        "secretGenerator:\n  - name: api-credentials\n    literals: [TOKEN=x]\n")
    assert [f.format() for f in lint([str(tmp_path)], CheckOptions()).findings if f.severity == "error"] == []
    missing = lint([str(tmp_path / "pod.yaml")], CheckOptions()).findings  # the file alone: they are missing
    assert sorted(f.rule for f in missing if f.severity == "error") == ["config-ref"] * 3
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    built = subprocess.run([kubectl, "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    (tmp_path / "built").mkdir()
    (tmp_path / "built" / "all.yaml").write_text(built.stdout)
    assert errors(lint([str(tmp_path / "built")], CheckOptions()).findings) == []


def test_lint_fix_takes_what_a_kustomization_generates_as_lint_does(tmp_path: Path) -> None:
    """``lint --fix`` judges a directory as ``lint`` does: the generated ConfigMap and
    Secret exist, so their references are no finding to report or to 'fix' (a misspelt
    Service apiVersion beside them is still fixed)."""
    from kubegen.fix import fix_paths

    (tmp_path / "pod.yaml").write_text(GENERATED_REFS.replace("configMap: {name: api-config}", "emptyDir: {}"))
    (tmp_path / "svc.yaml").write_text("apiVersion: apps/v1\nkind: Service\nmetadata: {name: api}\n"
                                       "spec:\n  selector: {app: api}\n  ports: [{port: 80}]\n")
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [pod.yaml, svc.yaml]\n"
        "configMapGenerator:\n  - name: api-env\n    literals: [LOG_LEVEL=info]\n"
        "secretGenerator:\n  - name: api-credentials\n    literals: [TOKEN=x]\n")
    linted = {f.rule for f in lint([str(tmp_path)], CheckOptions()).findings}
    assert "config-ref" not in linted and "api-version" in linted
    fixed = fix_paths([str(tmp_path)], CheckOptions(), write=False)
    assert [fix.rule for fix in fixed.applied] == ["api-version"]
    assert not [f.format() for f in fixed.lint.findings if f.rule == "config-ref"]


def test_a_custom_resource_with_a_pod_template_runs_the_pods_its_services_select(tmp_path: Path) -> None:
    """A Rollout's pods are pods like a Deployment's: its Services are not dangling (no
    declaration, no selector-dangling), and their targetPorts are checked against its
    containers."""
    assert errors(lint([str(GITOPS / "rollout.yaml")], CheckOptions()).findings) == []
    path = tmp_path / "rollout.yaml"
    path.write_text((GITOPS / "rollout.yaml").read_text().replace("      targetPort: http\n---", "      targetPort: htpp\n---"))
    found = [f.message for f in lint([str(path)], CheckOptions()).findings if f.severity == "error"]
    assert found == ["Service 'payments-stable': port 80 targets container port name 'htpp', but Rollout 'payments' "
                     "declares no port of that name (declares: http(8080)), so traffic to these pods would be refused; "
                     "did you mean 'http'?"]


def test_a_hook_pod_with_the_apps_labels_is_not_behind_its_service(tmp_path: Path) -> None:
    """`helm create`'s test Pod carries the app's selector labels and no port: the Service
    selects it only while `helm test` runs, and the endpoints controller skips a pod without
    the named port, so its traffic goes to the Deployment's pods. No target-port error, no
    overlap warning; without the hook annotation the same Pod is part of the app and both are."""
    path = GITOPS / "helm-chart-with-test.yaml"
    assert [f.format() for f in lint([str(path)], CheckOptions()).findings] == []
    unhooked = tmp_path / "chart.yaml"
    unhooked.write_text(path.read_text().replace('"helm.sh/hook": test', 'note: test'))
    assert sorted(f.rule for f in lint([str(unhooked)], CheckOptions()).findings) == ["selector-overlap", "target-port"]


API = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "registry.example.com/api:2.0.0", ports: [{name: http, containerPort: 80}]}]
---
"""
MISMATCHED = {  # a Deployment and what contradicts it in the same file
    "hpa-target": API + """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  maxReplicas: 5
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
""",
    "target-port": API + """\
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: htpp}]
""",
}


@pytest.mark.parametrize("rule", sorted(MISMATCHED))
def test_partial_keeps_a_mismatch_inside_the_file_an_error(tmp_path: Path, rule: str) -> None:
    """--partial softens what the file lacks, not what is wrong between its own objects: a
    file that lints --partial clean imports into an app that renders (the corpus test's
    promise), and one with such a mismatch is an error in both."""
    path = tmp_path / "app.yaml"
    path.write_text(MISMATCHED[rule])
    found = [f for f in lint([str(path)], CheckOptions(partial=True)).findings if f.severity == "error"]
    assert [f.rule for f in found] == [rule]
    with pytest.raises(FindingsError) as info:
        render(app_of(import_paths([str(path)])))
    assert [f.rule for f in info.value.findings if f.severity == "error"] == [rule]


def test_the_files_of_an_app_together_need_fewer_declarations() -> None:
    parts = ["lone-service.yaml", "deployment-with-config.yaml", "autoscaler.yaml"]
    together = declarations(import_paths([str(GITOPS / p) for p in parts]))
    assert "External(kind='Deployment', name='catalog')" not in together  # the autoscaler's target is there
    assert "External.pods({'app.kubernetes.io/name': 'catalog'})" not in together  # so are the budget's pods


def test_hooks_come_through_as_typed_fields() -> None:
    source = import_paths([str(GITOPS / "argocd-presync-job.yaml"), str(GITOPS / "helm-hooks.yaml")])
    calls = [ast.unparse(n) for n in ast.walk(ast.parse(source)) if isinstance(n, ast.keyword)
             and n.arg in ("generate_name", "hook", "sync_wave")]
    assert calls == [
        "generate_name='catalog-migrate-'",
        "hook=Hook.argocd('PreSync', delete_policy='BeforeHookCreation')",
        "sync_wave=-1",
        "generate_name='catalog-smoke-test-'",
        "hook=Hook.argocd('PostSync', delete_policy='HookSucceeded')",
        "generate_name='release-name-catalog-db-init-'",
        "hook=Hook.helm('pre-install', 'pre-upgrade', weight=-5, delete_policy=['before-hook-creation', "
        "'hook-succeeded'])",
        "hook=Hook.helm('test')",
    ]
    assert "annotations=" not in source


def test_workloads_keep_their_hooks_waves_and_generate_name_typed() -> None:
    """Deployments, StatefulSets and DaemonSets take the GitOps fields like every builder
    (they were left out of the workload import, so such a workload came back Raw)."""
    source = import_paths([str(GITOPS / "workload-waves.yaml")])
    assert "Raw(" not in source and "annotations=" not in source
    calls = [ast.unparse(n) for n in ast.walk(ast.parse(source)) if isinstance(n, ast.keyword)
             and n.arg in ("generate_name", "hook", "sync_wave")]
    assert calls == ["hook=Hook.helm('pre-install', weight=-1)", "sync_wave=2", "generate_name='cache-warmer-'",
                     "hook=Hook.argocd('PostSync', delete_policy='BeforeHookCreation')"]


def test_a_hook_annotation_not_written_the_builders_way_stays_an_annotation(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text((GITOPS / "argocd-presync-job.yaml").read_text().replace(
        "argocd.argoproj.io/sync-wave: \"-1\"", "argocd.argoproj.io/sync-wave: \"+1\"").replace(
        "hook: PostSync", "hook: \"PostSync, SyncFail\""))
    source = import_paths([str(path)])
    assert "annotations={\"argocd.argoproj.io/sync-wave\": \"+1\"}" in source
    assert "\"argocd.argoproj.io/hook\": \"PostSync, SyncFail\"" in source
    back = read_text(render(app_of(source)), "rendered").manifests
    assert canonical([m.obj for m in back]) == canonical([m.obj for m in read_paths([str(path)]).manifests])


def test_a_near_miss_is_declared_with_the_finding_as_a_comment(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text((GITOPS / "base" / "deployment.yaml").read_text() + "---\n" + (
        GITOPS / "base" / "service.yaml").read_text().replace("app: guestbook-ui", "app: guestbook-iu"))
    source = import_paths([str(path)])
    comments = " ".join(line[2:] for line in source.splitlines() if line.startswith("# "))
    assert "Check this one, kubegen said: selector-dangling: Service 'guestbook-ui': selector {app: guestbook-iu} " \
           "matches no pod template in the stack; closest pod labels: {app: guestbook-ui} (Deployment " \
           "'guestbook-ui'); did you mean app=guestbook-ui?" in comments
    assert declarations(source) == ["External.pods({'app': 'guestbook-iu'}, ports=['http'])",
                                    "External(kind='ConfigMap', name='guestbook-ui')"]


def test_declared_pods_are_still_checked_for_their_ports() -> None:
    source = import_paths([str(GITOPS / "lone-service.yaml")]).replace("ports=[\"http\", 9090]", "ports=[\"web\", 9090]")
    with pytest.raises(Exception) as info:
        render(app_of(source))
    assert "targets container port name 'http', but External pods {app.kubernetes.io/name: checkout, " \
           "app.kubernetes.io/component: api} declares no port of that name (declares: web, 9090)" in str(
               [f.message for f in getattr(info.value, "findings", [])])


def test_externals_are_never_rendered() -> None:
    stack = app_of(import_paths([str(GITOPS / "lone-ingress.yaml")]))
    assert [m.kind for m in compile_stacks(stack)] == ["Ingress"]
    assert sum(1 for o in stack.objects if isinstance(o, External)) == 2


def test_what_no_external_can_declare_is_left_to_the_checks(tmp_path: Path) -> None:
    """An input mistake (a namespace no API server takes) is not declared away: the object stays
    as written (Raw) and rendering reports it."""
    path = tmp_path / "svc.yaml"
    path.write_text((GITOPS / "lone-service.yaml").read_text().replace("namespace: shop", "namespace: Shop"))
    source = import_paths([str(path)])
    assert declarations(source) == [] and "checkout = Raw(" in source
    with pytest.raises(FindingsError) as info:
        render(app_of(source))
    assert {f.rule for f in info.value.findings if f.severity == "error"} >= {"selector-dangling"}
