"""`kubegen lint` and kubegen.lint: render's checks on YAML input, the CLI contract, and
bad input that must end in one clear message (exit 1), never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import kubegen
from kubegen.checks import CheckOptions
from kubegen.cli import main
from kubegen.lint import lint, lint_paths

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", *args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "in.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line][occurrence - 1]


SEED = """\
apiVersion: apps/v1
kind: Service
metadata:
  name: web
spec:
  type: ClusterIp
  selector:
    app: web
  ports:
    http:
      port: 80
"""

WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 80
    targetPort: http
    nodePort: 30080
"""


def test_seed_cases_each_name_the_line_and_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path, SEED)
    code, out, err = run(str(path))
    assert code == 1, err
    lines = out.splitlines()
    by_rule = {line.split(" ", 3)[2].rstrip(":"): line for line in lines[:-1]}
    assert by_rule["api-version"].startswith(f"{path}:1: error api-version: ")
    assert "apps/v1 does not serve kind Service; use apiVersion: v1" in by_rule["api-version"]
    assert by_rule["service-type"] == (
        f"{path}:{line_of(SEED, 'type:')}: error service-type: Service 'web': spec.type: 'ClusterIp' is not one "
        "of ClusterIP, ExternalName, LoadBalancer, NodePort; did you mean 'ClusterIP'?"
    )
    assert by_rule["schema"].startswith(f"{path}:{line_of(SEED, 'ports:')}: error schema: ")
    assert "spec.ports must be a list (got a mapping)" in by_rule["schema"]
    # Sorted by line, then the summary.
    numbers = [int(line.split(":")[1]) for line in lines[:-1]]
    assert numbers == sorted(numbers)
    assert lines[-1] == f"{len(lines) - 1} errors, 0 warnings in 1 object from 1 file"


def test_clean_stack_exits_0_and_nodeport_range_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path, WORKLOAD)
    assert run(str(path)) == (0, "0 errors, 0 warnings in 2 objects from 1 file\n", "")
    code, out, _ = run("--node-port-range", "31000-32000", str(path))
    assert code == 1
    assert (f"{path}:{line_of(WORKLOAD, 'nodePort:')}: error node-port: Service 'web': spec.ports[0].nodePort: "
            "30080 is outside the node-port range 31000-32000") in out
    code, _, err = run("--node-port-range", "banana", str(path))
    assert code == 2 and "--node-port-range" in err


def test_partial_strict_and_ignore(tmp_path: Path) -> None:
    service_only = WORKLOAD.split("---\n")[1]
    path = write(tmp_path, service_only)
    code, out, _ = run(str(path))
    assert code == 1 and " error selector-dangling: " in out
    code, out, _ = run("--partial", str(path))
    assert code == 0 and " warning selector-dangling: " in out
    assert out.splitlines()[-1] == "0 errors, 1 warning in 1 object from 1 file"
    code, out, _ = run("--partial", "--strict", str(path))
    assert code == 1 and " warning selector-dangling: " in out
    code, out, _ = run("--ignore", "selector-dangling", str(path))
    assert (code, out) == (0, "0 errors, 0 warnings in 1 object from 1 file\n")
    code, _, err = run("--ignore", "no-such-rule", str(path))
    assert code == 2 and "unknown rule 'no-such-rule'" in err


def test_json_format_is_the_documented_object(tmp_path: Path) -> None:
    path = write(tmp_path, SEED)
    code, out, _ = run("--format", "json", str(path))
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"findings", "summary"}
    assert data["summary"] == {"errors": len(data["findings"]), "warnings": 0, "objects": 1, "files": 1}
    first = data["findings"][0]
    assert first == {
        "file": str(path), "line": 1, "severity": "error", "rule": "api-version", "message": first["message"],
        "object": {"kind": "Service", "name": "web", "namespace": None}, "path": first["path"],
    }


def test_stdin_and_directories(tmp_path: Path) -> None:
    code, out, _ = run("-", stdin=WORKLOAD)
    assert (code, out) == (0, "0 errors, 0 warnings in 2 objects from 1 file\n")
    code, out, _ = run("-", stdin=SEED)
    assert code == 1 and out.startswith("<stdin>:1: error api-version: ")
    parts = WORKLOAD.split("---\n")
    write(tmp_path, parts[0], "deploy.yaml")
    (tmp_path / "svc").mkdir()
    write(tmp_path, parts[1], "svc/service.yml")
    assert run(str(tmp_path)) == (0, "0 errors, 0 warnings in 2 objects from 2 files\n", "")


POD = "{metadata: {labels: {app: APP}}, spec: {containers: [{name: c, image: busybox}]}}"
TEMPLATE_KINDS = {
    "Job": "apiVersion: batch/v1\nkind: Job\nmetadata: {name: APP}\nspec: {template: POD}",
    "CronJob": "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: APP}\n"
               "spec: {schedule: '* * * * *', jobTemplate: {spec: {template: POD}}}",
    "ReplicaSet": "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: APP}\n"
                  "spec: {selector: {matchLabels: {app: APP}}, template: POD}",
    "ReplicationController": "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: APP}\n"
                             "spec: {template: POD}",
    "StatefulSet": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: APP}\n"
                   "spec: {serviceName: APP, selector: {matchLabels: {app: APP}}, template: POD}",
    "DaemonSet": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: APP}\n"
                 "spec: {selector: {matchLabels: {app: APP}}, template: POD}",
    "Pod": "apiVersion: v1\nkind: Pod\nmetadata: {name: APP, labels: {app: APP}}\n"
           "spec: {containers: [{name: c, image: busybox}]}",
}


def test_every_pod_template_kind_is_a_selector_target(tmp_path: Path) -> None:
    docs = []
    for kind, source in TEMPLATE_KINDS.items():
        app = kind.lower()
        docs.append(source.replace("POD", POD).replace("APP", app))
        docs.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: {app}-svc}}\n"
                    f"spec: {{selector: {{app: {app}}}, ports: [{{port: 80}}]}}")
    path = write(tmp_path, "\n---\n".join(docs) + "\n")
    result = lint([str(path)])
    assert result.objects == 2 * len(TEMPLATE_KINDS)
    assert [f.format() for f in result.findings if f.rule in ("selector-dangling", "workload-selector")] == []
    # And the same Service with a drifted selector is caught for each kind.
    drifted = path.read_text().replace("selector: {app: job}", "selector: {app: jobs}")
    path.write_text(drifted)
    (dangling,) = [f for f in lint_paths([str(path)]) if f.rule == "selector-dangling"]
    assert dangling.location.line == line_of(drifted, "selector: {app: jobs}")


def test_rendered_python_stack_lints_like_render_checks_it(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import shop
    finally:
        sys.path.pop(0)
    stack = shop.stack(env="prod")
    assert kubegen.check_stack(stack) == []
    path = tmp_path / "shop.yaml"
    path.write_text(kubegen.render(stack))
    assert [f.format() for f in lint_paths([str(path)])] == []
    # Break the wiring in the YAML: lint must see what render's checks would.
    broken = path.read_text().replace("targetPort: http", "targetPort: htpt", 1)
    path.write_text(broken)
    findings = lint_paths([str(path)], CheckOptions())
    assert [(f.rule, f.location.line) for f in findings] == [("target-port", line_of(broken, "targetPort: htpt"))]
    assert "did you mean 'http'?" in findings[0].message


BAD_INPUTS = {
    "invalid.yaml": (b"apiVersion: v1\nkind: [Service\n", "invalid YAML"),
    "tabs.yaml": (b"apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n", "not tabs"),
    "junk.bin": (bytes(range(256)) * 4, "binary data, not YAML"),
    "latin1.yaml": ("kind: Pod\nmetadata: {name: caf\u00e9}\n".encode("latin-1"), "not UTF-8 text"),
    "python.yaml": (b"kind: !!python/object/apply:os.getcwd []\n", "asks for a Python object"),
    "bomb.yaml": (
        ("a: &a [" + ",".join(["x"] * 9) + "]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
        )).encode(),
        "alias bomb",
    ),
    "dupes.yaml": (b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n", "duplicate key 'name'"),
    "deep.yaml": (b"a: " + b"[" * 40_000 + b"]" * 40_000, "nests too deeply"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_clear_finding_exit_1(tmp_path: Path, name: str) -> None:
    data, expected = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(str(path))
    assert code == 1, (out, err)
    assert "Traceback" not in out + err and "internal error" not in err
    yaml_lines = [line for line in out.splitlines() if " error yaml: " in line]
    assert len(yaml_lines) == 1 and expected in yaml_lines[0], out
    assert yaml_lines[0].startswith(f"{path}:")


def test_cli_process_never_prints_a_traceback(tmp_path: Path) -> None:
    """The real process (not CliRunner): bad files and a missing one, all in one run."""
    for name, (data, _) in BAD_INPUTS.items():
        (tmp_path / name).write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-m", "kubegen", "lint", str(tmp_path)], capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    # junk.bin is not a manifest suffix, so a directory walk skips it.
    assert proc.stdout.count(" error yaml: ") == len(BAD_INPUTS) - 1
    missing = subprocess.run(
        [sys.executable, "-m", "kubegen", "lint", str(tmp_path / "missing.yaml")],
        capture_output=True, text=True, timeout=60,
    )
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == f"Error: {tmp_path / 'missing.yaml'}: no such file or directory\n"


def test_library_lint_matches_yaml_loaded_objects(tmp_path: Path) -> None:
    path = write(tmp_path, WORKLOAD)
    result = lint([str(path)])
    assert result.findings == [] and (result.objects, result.files) == (2, 1)
    assert result.to_json()["summary"] == {"errors": 0, "warnings": 0, "objects": 2, "files": 1}
    assert len(list(yaml.safe_load_all(path.read_text()))) == result.objects


STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:16
        volumeMounts:
        - {name: data, mountPath: /var/lib/postgresql}
        - {name: scratch, mountPath: /tmp}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""


def test_statefulset_claim_templates_are_volumes(tmp_path: Path) -> None:
    path = write(tmp_path, STATEFULSET)
    findings = lint_paths([str(path)])
    # 'data' comes from volumeClaimTemplates (the API server accepts it); 'scratch' is declared nowhere.
    assert [f.format() for f in findings] == [
        f"{path}:{line_of(STATEFULSET, 'name: scratch')}: error volume-mount: StatefulSet 'db': "
        "spec.template.spec.containers[0].volumeMounts[1].name: container 'db' mounts volume 'scratch', which the "
        "pod does not declare (volumes: data); declare it in the pod's volumes: [{name: scratch, ...}]"
    ]


def cluster_member(name: str, image: str, kind: str = "ReplicationController") -> str:
    api = "v1" if kind == "ReplicationController" else "apps/v1"
    selector = "" if kind == "ReplicationController" else f"  selector: {{matchLabels: {{node: {name}}}}}\n"
    return (f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}}}\nspec:\n{selector}"
            f"  template:\n    metadata: {{labels: {{unit: cluster, node: {name}}}}}\n"
            f"    spec: {{containers: [{{name: db, image: '{image}', ports: [{{containerPort: 3306}}]}}]}}\n")


CLUSTER_SERVICE = ("apiVersion: v1\nkind: Service\nmetadata: {name: cluster}\n"
                   "spec: {selector: {unit: cluster}, ports: [{port: 3306}]}\n")


def test_selector_overlap_spares_members_of_one_cluster_and_duplicates(tmp_path: Path) -> None:
    # pxc-node1..3: one database cluster; the Service spreads over its members on purpose.
    members = [cluster_member(f"node{i}", "percona:5.6") for i in (1, 2, 3)]
    path = write(tmp_path, "---\n".join([*members, CLUSTER_SERVICE]))
    assert [f.format() for f in lint_paths([str(path)])] == []
    # The same workload twice (the `duplicate` rule's business) is still one workload.
    path = write(tmp_path, "---\n".join([members[0], members[0], CLUSTER_SERVICE]))
    assert [f.rule for f in lint_paths([str(path)])] == ["duplicate"]
    # Different software behind one selector is an overlap.
    mixed = [members[0], cluster_member("cache", "redis:7", kind="Deployment")]
    path = write(tmp_path, "---\n".join([*mixed, CLUSTER_SERVICE]))
    (overlap,) = lint_paths([str(path)])
    assert overlap.rule == "selector-overlap" and overlap.severity == "warning"
    assert "matches pods of 2 workloads (Deployment 'cache', ReplicationController 'node1')" in overlap.message


def test_numeric_target_port_named_in_the_command_line_is_not_a_warning(tmp_path: Path) -> None:
    deployment = WORKLOAD.split("---\n")[0].replace("        ports:\n        - {name: http, containerPort: 8080}\n", "")
    service = ("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
               "spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}\n")
    path = write(tmp_path, deployment + "---\n" + service)
    (warning,) = lint_paths([str(path)])
    assert warning.rule == "target-port" and warning.severity == "warning"
    assert "the selected containers declare no ports; declare containerPort 8080" in warning.message
    # The same container started with --port=8080 evidently listens there.
    path.write_text(deployment.replace("image: nginx:1.27", "image: nginx:1.27\n        args: [--port=8080]")
                    + "---\n" + service)
    assert lint_paths([str(path)]) == []


def test_selector_key_drift_names_the_pods_key(tmp_path: Path) -> None:
    """The corpus's explore-graceful-termination case: Service `app: nginx`, pods
    `app.kubernetes.io/name: nginx`."""
    deployment = WORKLOAD.split("---\n")[0].replace("{app: web}", "{app.kubernetes.io/name: web}")
    service = ("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
               "spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}\n")
    path = write(tmp_path, deployment + "---\n" + service)
    (dangling,) = lint_paths([str(path)])
    assert dangling.message == (
        "Service 'web': selector {app: web} matches no pod template in the stack; closest pod labels: "
        "{app.kubernetes.io/name: web} (Deployment 'web'); did you mean app.kubernetes.io/name=web "
        "(instead of app=web)?"
    )


def test_yaml_boolean_messages_quote_the_scalar_as_written_even_from_stdin() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {short: y, v: 1.0}\ndata: {big: 1e3}\n"
    code, out, _ = run("-", stdin=text)
    assert code == 1
    assert ("<stdin>:5: error yaml-boolean: ConfigMap 'x': metadata.labels.short is the boolean true, but label "
            "values are strings: YAML 1.1 reads an unquoted y as a boolean; write short: \"y\"") in out
    assert 'YAML reads an unquoted 1.0 as the number 1; write v: "1.0"' in out
    assert 'YAML reads an unquoted 1e3 as the number 1000; write big: "1e3"' in out


SERVICE_PAIR = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: svc-{i}, namespace: bench, labels: {{app: svc-{i}}}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: svc-{i}}}}}
  template:
    metadata: {{labels: {{app: svc-{i}}}}}
    spec:
      containers:
      - name: app
        image: registry.example.com/svc-{i}:1.0.0
        ports: [{{name: http, containerPort: 8080}}]
        env: [{{name: LOG_LEVEL, value: info}}]
        resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}
        readinessProbe: {{httpGet: {{path: /ready, port: http}}, periodSeconds: 5}}
---
apiVersion: v1
kind: Service
metadata: {{name: svc-{i}, namespace: bench}}
spec:
  selector: {{app: svc-{i}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"""


def test_lint_of_a_thousand_objects_is_clean(tmp_path: Path) -> None:
    """bench/bench_lint.py measures lint against PyYAML's C loader (<= 2x at 10,000 objects);
    tests never time anything."""
    path = tmp_path / "stack.yaml"
    path.write_text("---\n".join(SERVICE_PAIR.format(i=i) for i in range(500)))
    result = lint([str(path)])
    assert result.findings == [] and result.objects == 1000


def test_kustomize_files_are_not_objects(tmp_path: Path) -> None:
    """A directory kubectl apply -k consumes lints clean: kustomization.yaml is kustomize's
    input (with or without apiVersion), not an object for the API server."""
    (tmp_path / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "kustomization.yml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    (tmp_path / "component.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: []\n")
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings in 1 object from 2 files" in result.output


def test_rendered_output_dirs_lint_clean() -> None:
    root = Path(__file__).resolve().parents[1] / "examples" / "shop" / "rendered"
    for env in ("dev", "prod"):
        result = CliRunner().invoke(main, ["lint", "--strict", str(root / env)])
        assert result.exit_code == 0, result.output


def test_a_kustomization_named_Kustomization_counts_as_one(tmp_path: Path) -> None:
    """kustomize also takes a file called `Kustomization` (no suffix): its patches are
    not objects and what its generators make exists, as for kustomization.yaml.
    `kubectl kustomize` is the oracle that the directory is a valid kustomization."""
    (tmp_path / "Kustomization").write_text(
        "resources:\n- deploy.yaml\npatches:\n- path: replicas.yaml\n"
        "configMapGenerator:\n- name: settings\n  literals: [LOG_LEVEL=info]\n")
    (tmp_path / "deploy.yaml").write_text(textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: nginx:1.27
                envFrom: [{configMapRef: {name: settings}}]
        """))
    (tmp_path / "replicas.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n")
    built = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    assert "replicas: 3" in built.stdout and "name: settings-" in built.stdout
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings in 1 object from 1 file" in result.output
