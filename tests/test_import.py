"""kubegen import: YAML in, an app.py out that renders back to the same objects.

Oracles: the reader (YAML 1.1, as kubectl) for what the input means; the real
builders and writer for what the app renders; ``ruff`` (when installed) for the
layout of the generated code. The building blocks are tested in test_import_parts.py.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kubegen.api import assumptions, compile_stacks, render, write_manifests
from kubegen.appload import load_stacks
from kubegen.checks import CheckOptions, errors
from kubegen.cli import main
from kubegen.errors import FindingsError, InputError
from kubegen.importer import import_manifests, import_paths, normalise
from kubegen.importer.objects import API_VERSIONS
from kubegen.importer.program import plan
from kubegen.lint import lint
from kubegen.reader import read_paths, read_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def corpus_dir() -> Path | None:
    for candidate in (ROOT / "tests" / "data" / "corpus", ROOT.parent / "shared" / "corpus"):
        if candidate.is_dir():
            return candidate
    return None


CORPUS = corpus_dir()
CORPUS_FILES = sorted(CORPUS.rglob("*.yaml")) if CORPUS else []


def run_app(source: str) -> str:
    """Execute a generated app.py and write its stack, unchecked (corpus files have mistakes)."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "app.py", "exec"), namespace)
    return write_manifests(compile_stacks(namespace["stack"]), check=False)


def canonical(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(normalise(o), sort_keys=True) for o in objs)


def import_text(yaml_text: str, name: str = "in.yaml") -> str:
    return import_manifests(read_text(textwrap.dedent(yaml_text), name).manifests, [name])


def ruff_command() -> list[str] | None:
    if shutil.which("ruff"):
        return ["ruff"]
    try:
        import ruff  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "ruff"]


# --- round trips ---------------------------------------------------------------------


def render_app(source: str) -> str:
    """Execute a generated app.py and render it as `kubegen render` does: checked, with its
    External declarations (a finding raises FindingsError)."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "app.py", "exec"), namespace)
    return render(namespace["stack"])


def raw_objects(source: str) -> int:
    """How many objects of a generated app are written as ``Raw(...)``."""
    return sum(1 for node in ast.parse(source).body if isinstance(node, ast.Assign)
               and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "Raw")


def lints_clean(path: Path) -> bool:
    """`kubegen lint --partial FILE` reports no error: the file alone, as one part of an app."""
    return not errors(lint([str(path)], CheckOptions(partial=True)).findings)


@pytest.mark.skipif(not CORPUS_FILES, reason="the manifest corpus is not available")
def test_corpus_round_trip() -> None:
    """render(import(x)) is x, up to the API defaults normalise() removes, for every readable
    file; every file that lints without errors also renders *checked* (as `kubegen render`
    does): what it refers to but does not contain is declared, so a file of a larger app
    renders back on its own."""
    refused, checked, clean, raw, failed = [], 0, 0, 0, []
    for path in CORPUS_FILES:
        read = read_paths([str(path)])
        if read.problems:
            with pytest.raises(FindingsError, match="nothing was imported"):
                import_paths([str(path)])
            continue
        try:
            source = import_paths([str(path)])
        except InputError as exc:
            refused.append((path.name, str(exc)))
            continue
        if lints_clean(path):
            try:
                text = render_app(source)
            except FindingsError as exc:
                failed.append((path.name, [f.format() for f in exc.findings]))
                continue
            clean += 1
            raw += raw_objects(source)
        else:
            text = run_app(source)
        back = read_text(text, "rendered").manifests
        assert canonical([m.obj for m in back]) == canonical([m.obj for m in read.manifests]), path
        checked += 1
    print(f"corpus: {clean} files lint without errors; all {clean} import and render back (checked), "
          f"{raw} of their objects as Raw; {checked} files round-trip in all")
    assert failed == []
    assert clean >= 250 and checked >= clean, (clean, checked)
    # The corpus README names one Pod without apiVersion: refused with a message saying so.
    assert all("has no apiVersion" in message for _, message in refused), refused
    assert len(refused) <= 1


def importable_corpus() -> list[str]:
    """Corpus files kubectl can read and that name an apiVersion (all but 6)."""
    files = []
    for path in CORPUS_FILES:
        read = read_paths([str(path)])
        if not read.problems and all(m.api_version for m in read.manifests):
            files.append(str(path))
    return files


@pytest.mark.skipif(not CORPUS_FILES, reason="the manifest corpus is not available")
def test_few_objects_of_modeled_kinds_stay_raw_in_the_corpus() -> None:
    """Each file imported on its own: objects of kinds kubegen models that are written as Raw."""
    raw: list[tuple[str, str, str]] = []
    for path in importable_corpus():
        for entry in plan(read_paths([path]).manifests).order:
            if not entry.typed and entry.kind in API_VERSIONS:
                assert entry.why, (path, entry.kind)  # each one says why, in a comment
                raw.append((Path(path).name, entry.kind, entry.why))
    # 32 before pod_labels= (24 workloads labelled apart from their pods). The 9 left:
    # mistakes the builders refuse (2 Pods with `protocol: tcp`, 2 Services with
    # `nodePort: 0`, 1 Pod mounting a volume it does not declare) and what kubegen does
    # not model (2 DaemonSets in extensions/v1beta1, 1 Ingress with a resource backend,
    # 1 PodDisruptionBudget in policy/v1beta1, removed in Kubernetes 1.25).
    assert len(raw) <= 9, "\n".join(map(str, raw))
    assert not [r for r in raw if "label" in r[2]], raw


@pytest.mark.skipif(not CORPUS_FILES, reason="the manifest corpus is not available")
@pytest.mark.parametrize("annotations", [
    {"argocd.argoproj.io/sync-wave": "3"},
    {"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation"},
    {"helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": "-5"},
], ids=["sync-wave", "argocd-hook", "helm-hook"])
def test_gitops_annotations_never_make_an_object_raw(annotations: dict[str, str]) -> None:
    """Every corpus object as a GitOps repository would annotate it (a sync wave, a hook):
    each builder takes ``hook=``/``sync_wave=``, so what was typed stays typed."""
    grown = []
    for path in importable_corpus():
        manifests = read_paths([path]).manifests
        before = [entry.typed for entry in plan(manifests).order]
        for m in manifests:
            meta = m.obj.setdefault("metadata", {})
            meta["annotations"] = {**(meta.get("annotations") or {}), **annotations}
        after = [(entry.typed, entry.kind, entry.why) for entry in plan(manifests).order]
        grown += [(Path(path).name, kind, why) for was, (now, kind, why) in zip(before, after, strict=True)
                  if was and not now]
    assert grown == []


@pytest.mark.skipif(not CORPUS_FILES, reason="the manifest corpus is not available")
def test_whole_corpus_as_one_app_deterministic_and_round_trips() -> None:
    """(Its speed is measured by bench/bench_import.py, not by a timed test.)"""
    files = importable_corpus()
    first = import_paths(files)
    assert import_paths(files) == first
    read = read_paths(files)
    back = read_text(run_app(first), "rendered").manifests
    assert canonical([m.obj for m in back]) == canonical([m.obj for m in read.manifests])
    assert len(back) == len(read.manifests) > 300


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_round_trip_to_the_same_bytes(example: Path, tmp_path: Path) -> None:
    original = load_stacks(str(example), {})
    rendered = render(original)
    (tmp_path / "in.yaml").write_text(rendered)
    source = import_paths([str(tmp_path / "in.yaml")])
    app = tmp_path / "app.py"
    app.write_text(source)
    # External(...) declarations are no objects (YAML has no trace of them): the imported
    # app is checked with the same assumptions, as `--assume` would give them.
    assert render(load_stacks(str(app), {}), options=CheckOptions(assume=assumptions(original))) == rendered
    # Importing the app's own output gives the same app again (a fixed point).
    assert import_paths([str(tmp_path / "in.yaml")]) == source


@pytest.mark.skipif(ruff_command() is None, reason="ruff is not installed")
@pytest.mark.skipif(not CORPUS_FILES, reason="the manifest corpus is not available")
def test_generated_code_is_ruff_formatted_and_clean(tmp_path: Path) -> None:
    written = 0
    for index, path in enumerate(CORPUS_FILES):
        try:
            source = import_paths([str(path)])
        except (InputError, FindingsError):
            continue
        (tmp_path / f"app_{index:03d}.py").write_text(source)
        written += 1
    assert written > 250
    ruff = ruff_command()
    assert ruff is not None
    fmt = subprocess.run([*ruff, "format", "--isolated", "--check", "."], cwd=tmp_path, capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    lint = subprocess.run([*ruff, "check", "--isolated", "--extend-select", "I,UP,B,W", "."],
                          cwd=tmp_path, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


# --- what the app looks like ------------------------------------------------------------

WEB = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: http
    nodePort: 30080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - name: http
          containerPort: 8080
        securityContext:
          runAsNonRoot: true
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: web
"""


def test_service_is_built_from_its_workload_and_named_port_kept() -> None:
    source = import_text(WEB)
    assert 'web_service = web.expose(80, target_port="http", node_port=30080, type="NodePort")' in source
    assert "selector=" not in source
    # The Deployment is defined before the Service that uses it, though the file lists it second;
    # the Stack keeps the file's order.
    assert source.index("web = Deployment(") < source.index("web_service = web.expose(")
    assert "objects=[web_service, web, web_pod_disruption_budget]" in source


def test_stack_namespace_escape_hatches_and_header() -> None:
    source = import_text(WEB, "k8s/web.yaml")
    assert source.startswith("# Generated by `kubegen import` from k8s/web.yaml.\n")
    assert 'stack = Stack(\n    namespace="shop",\n    create_namespace=False,' in source
    assert 'namespace="shop"' not in source.split("stack = Stack(")[0]
    assert 'extra={"securityContext": {"runAsNonRoot": True}}' in source
    assert "web_pod_disruption_budget = web.budget(min_available=1, labels={})" in source
    ast.parse(source)


def test_objects_in_several_namespaces_name_their_own() -> None:
    source = import_text("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: a}
        data: {LEVEL: debug}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: b}
        data: {LEVEL: warn}
    """)
    assert 'settings = ConfigMap(name="settings", data={"LEVEL": "debug"}, namespace="a")' in source
    assert 'settings_b = ConfigMap(name="settings", data={"LEVEL": "warn"}, namespace="b")' in source
    assert "stack = Stack(objects=[settings, settings_b])" in source


def test_common_labels_go_on_the_stack_and_namespace_is_implied() -> None:
    stack_yaml = render(load_stacks(str(ROOT / "examples" / "shop.py"), {}))
    source = import_text(stack_yaml)
    assert 'labels={"app.kubernetes.io/part-of": "shop", "environment": "dev"},' in source
    assert "Namespace" not in source  # the Stack creates it, as in the original app
    assert 'paths={"/form": form_service, "/report": report_service}' in source
    assert 'ConfigMapKeyRef(config_map=shop_settings, key="LOG_LEVEL")' in source


@pytest.mark.parametrize(("name", "variable"), [
    ("my-app.v2", "my_app_v2"),
    ("class", "class_"),
    ("list", "list_deployment"),
    ("2048-game", "deployment_2048_game"),
])
def test_variable_names_are_valid_identifiers(name: str, variable: str) -> None:
    source = import_text(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: "{name}", labels: {{app: x}}}}
        spec:
          selector: {{matchLabels: {{app: x}}}}
          template:
            metadata: {{labels: {{app: x}}}}
            spec: {{containers: [{{name: c, image: busybox}}]}}
    """)
    assert f"{variable} = Deployment(" in source
    assert run_app(source).count("kind: Deployment") == 1


def test_configmap_secret_and_env_references() -> None:
    source = import_text("""\
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        data: {password: aHVudGVyMg==}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: app, labels: {app: app}}
        spec:
          containers:
          - name: app
            image: busybox
            env:
            - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
            - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
            volumeMounts: [{name: creds, mountPath: /etc/creds, readOnly: true}]
          volumes:
          - {name: creds, secret: {secretName: creds}}
    """)
    assert 'creds = Secret(name="creds", data={"password": b"hunter2"})' in source
    assert '"PASSWORD": SecretKeyRef(secret=creds, key="password")' in source
    assert '"POD_IP": FieldRef(field_path="status.podIP")' in source
    assert 'volumes=[Volume.secret("creds", creds)]' in source


def test_an_ingress_on_the_controllers_default_certificate_is_typed() -> None:
    """A tls entry without secretName (the controller's default certificate, as ALB/GKE
    setups write it) is IngressTLS without secret_name, not Raw."""
    source = import_text("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec:
          ingressClassName: alb
          tls:
            - hosts: [web.example.com]
            - hosts: [api.example.com]
              secretName: api-tls
          defaultBackend:
            service: {name: web, port: {number: 80}}
        """)
    assert raw_objects(source) == 0
    assert 'tls=[\n        IngressTLS(hosts=["web.example.com"]),\n        IngressTLS(hosts=["api.example.com"], ' \
           'secret_name="api-tls"),' in source
    back = read_text(run_app(source), "rendered").manifests
    assert back[0].obj["spec"]["tls"] == [{"hosts": ["web.example.com"]},
                                          {"hosts": ["api.example.com"], "secretName": "api-tls"}]


def test_unmodeled_and_invalid_objects_stay_raw() -> None:
    # protocol: tcp is a real mistake from the corpus: the builder refuses it, so the Pod
    # is written as Raw (and renders back exactly) instead of being "fixed" silently.
    source = import_text("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
          - {name: web, image: nginx, ports: [{containerPort: 80, protocol: tcp}]}
    """)
    assert "web = Raw(" in source
    assert '"protocol": "tcp"' in source
    # ... and says why, in the builder's own words.
    assert "# Raw: ContainerPort: protocol 'tcp' is not one of SCTP, TCP, UDP — did you mean 'TCP'?\nweb = Raw(" in source


def test_a_raw_workload_says_what_kubegen_cannot_express() -> None:
    source = import_text("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchExpressions: [{key: app, operator: In, values: [web]}]}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: nginx}]}
    """)
    assert "# Raw: a selector other than matchLabels.\nweb = Raw(" in source
    selector = read_text(run_app(source), "rendered").manifests[0].obj["spec"]["selector"]
    assert selector == {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}


POD_LABELS = """\
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web, tier: front}}
spec:
  selector: {app: web, tier: front}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web, tier: front}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - {name: web, image: nginx, ports: [{containerPort: 8080}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, labels: {app: agent}}
spec:
  selector: {matchLabels: {name: agent}}
  template:
    metadata: {labels: {name: agent}}
    spec:
      containers:
      - {name: agent, image: busybox}
"""


def test_pods_labelled_apart_from_their_controller_get_pod_labels() -> None:
    source = import_text(POD_LABELS)
    assert "Raw(" not in source
    # No labels on the Deployment itself (23 corpus Deployments look like this): labels={}
    # overrides the {"app": name} default, the pods' labels go to pod_labels=, and the
    # selector is left out because it is all of pod_labels.
    assert ('web = Deployment(\n    name="web",\n    replicas=2,\n    labels={},\n'
            '    pod_labels={"app": "web", "tier": "front"},\n    containers=') in source
    # The Service selects the pods, so it is built from the Deployment; its labels are its own.
    assert 'web_service = web.expose(80, target_port=8080, labels={"app": "web", "tier": "front"})' in source
    # The DaemonSet's own labels are the default ({"app": "agent"}), so only pod_labels= is written.
    assert 'agent = DaemonSet(\n    name="agent",\n    pod_labels={"name": "agent"},\n    containers=' in source
    assert "selector=" not in source
    rendered = {m.kind: m.obj for m in read_text(run_app(source), "rendered").manifests}
    original = read_text(POD_LABELS, "in.yaml").manifests
    assert canonical(list(rendered.values())) == canonical([m.obj for m in original])
    assert "labels" not in rendered["Deployment"]["metadata"]
    assert rendered["DaemonSet"]["spec"]["template"]["metadata"]["labels"] == {"name": "agent"}


STATEFUL = """\
apiVersion: v1
kind: Service
metadata: {name: db, labels: {app: db}}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, labels: {app: db}}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:16
        ports: [{containerPort: 5432}]
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""


def test_a_statefulset_mounting_its_volume_claim_template_is_typed() -> None:
    source = import_text(STATEFUL)
    assert "Raw(" not in source
    assert 'db = StatefulSet(\n    name="db",\n    replicas=3,\n    service_name="db",' in source
    # The mount names no pod volume: the claim template (a typed claim) provides it.
    assert 'VolumeMount(name="data", mount_path="/var/lib/postgresql/data")' in source
    assert "volumes=" not in source and "spec_extra" not in source
    assert 'volume_claim_templates=[PersistentVolumeClaim(name="data", storage="1Gi")],' in source
    assert 'db_service = db.expose(5432, cluster_ip="None")' in source
    back = read_text(run_app(source), "rendered").manifests
    assert canonical([m.obj for m in back]) == canonical([m.obj for m in read_text(STATEFUL, "in.yaml").manifests])


# --- errors ------------------------------------------------------------------------------


def test_cli_import_from_stdin_and_to_a_file(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["import", "-"], input=WEB)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Generated by `kubegen import` from <stdin>.\n")
    out = tmp_path / "app.py"
    result = runner.invoke(main, ["import", "-", "-o", str(out)], input=WEB)
    assert result.exit_code == 0
    assert result.output == ""
    assert "web.expose(" in out.read_text()


def test_cli_refuses_unreadable_input_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Service\nmetadata:\n  name: a\n  name: b\n")
    out = tmp_path / "app.py"
    result = CliRunner().invoke(main, ["import", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert "duplicate key 'name'" in result.output
    assert f"{bad}:4" in result.output
    assert "nothing was imported" in result.output
    assert not out.exists()


def test_cli_messages_for_missing_fields_paths_and_empty_input(tmp_path: Path) -> None:
    runner = CliRunner()
    no_api = tmp_path / "pod.yaml"
    no_api.write_text("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n")
    result = runner.invoke(main, ["import", str(no_api)])
    assert result.exit_code == 1
    assert f"Error: {no_api}:1: Pod 'p' has no apiVersion" in result.output
    assert "Traceback" not in result.output

    result = runner.invoke(main, ["import", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1
    assert "missing.yaml: no such file or directory" in result.output

    empty = tmp_path / "empty.yaml"
    empty.write_text("---\n")
    result = runner.invoke(main, ["import", str(empty)])
    assert result.exit_code == 1
    assert "no Kubernetes objects found" in result.output

    result = runner.invoke(main, ["import"])
    assert result.exit_code == 2


@pytest.mark.skipif(not CORPUS_FILES, reason="the manifest corpus is not available")
def test_output_does_not_depend_on_hash_seeds(tmp_path: Path) -> None:
    files = importable_corpus()
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "kubegen", "import", *files], capture_output=True, text=True,
                              env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_file_names_cannot_inject_code_into_the_header(tmp_path: Path) -> None:
    sneaky = tmp_path / "a\nimport os.yaml"
    sneaky.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    source = import_paths([str(sneaky)])
    assert "\nimport os" not in source
    assert "a\\nimport os.yaml" in source.split("\n\"\"\"", 1)[0]  # in the header comment
    assert "import os" not in [n.names[0].name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import)]
