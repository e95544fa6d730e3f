"""The second render (issue 10): stable selectors, immutable changes blocked, runs that remember
their arguments, headers without per-run values, image references checked."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kubegen
from kubegen.cli import main
from kubegen.errors import BuilderError, FindingsError
from kubegen.gitops import RECORD_NAME
from kubegen.gitops import write_dir as checked_write_dir
from kubegen.model.identity import default_selector


def write_dir(*args: Any, **kwargs: Any) -> Any:
    """These tests are about the second render: their objects are often partial stacks,
    which the checks ``write_dir`` runs first would refuse (tests/test_library.py)."""
    return checked_write_dir(*args, check=False, **kwargs)

SHOP = textwrap.dedent(
    """\
    from typing import Literal

    from kubegen import ConfigMap, Container, Deployment, Stack


    def stack(env: Literal["dev", "prod"] = "dev", tag: str = "1.0.0", replicas: int = 2, note: str = "") -> Stack:
        shop = Stack(namespace="shop", labels={"env": env})
        shop.add(ConfigMap(name="settings", data={"env": env, "note": note}))
        web = shop.add(Deployment(
            name="web", replicas=replicas, labels={"app": "web"},
            pod_labels={"app": "web", "app.kubernetes.io/version": tag},
            containers=[Container(name="web", image=f"ghcr.io/example/web:{tag}", ports={"http": 8080})],
        ))
        shop.add(web.expose(80, target_port="http"))
        shop.add(Deployment(name="db", containers=[Container(name="db", image="postgres:16.4")]))
        return shop
    """
)


def run(*args: str, cwd: Path | None = None) -> Any:
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)


@pytest.fixture()
def shop(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    app = tmp_path / "shop.py"
    app.write_text(SHOP)
    return app


def objects(directory: Path) -> dict[str, dict[str, Any]]:
    return {str(p.relative_to(directory)): yaml.safe_load(p.read_text())
            for p in sorted(directory.rglob("*.yaml")) if p.name != "kustomization.yaml"}


# --- stable default selectors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "selector"),
    [
        ({"app": "web", "app.kubernetes.io/version": "1.2.4"}, {"app": "web"}),
        ({"app": "web", "version": "2", "env": "prod", "helm.sh/chart": "web-1.0", "build-id": "77"}, {"app": "web"}),
        ({"app": "web", "track": "canary"}, {"app": "web", "track": "canary"}),  # canary and stable stay apart
        ({"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "shop", "app.kubernetes.io/version": "1",
          "app.kubernetes.io/component": "api", "app.kubernetes.io/part-of": "shop",
          "app.kubernetes.io/managed-by": "kubegen", "app": "web"},
         {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "shop", "app.kubernetes.io/component": "api"}),
        ({"k8s-app": "dns", "release-version": "3"}, {"k8s-app": "dns"}),
    ],
)
def test_default_selector_is_the_identity_labels(labels: dict[str, str], selector: dict[str, str]) -> None:
    assert default_selector(labels) == selector


def _workload(kind: str, **fields: Any) -> Any:
    container = kubegen.Container(name="c", image="nginx:1.27", ports={"http": 8080})
    extra = {"service_name": "web"} if kind == "StatefulSet" else {}
    return getattr(kubegen, kind)(name="web", containers=[container], **extra, **fields)


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "Job"])
def test_every_workload_and_expose_use_the_same_rule(kind: str) -> None:
    labels = {"app": "web", "app.kubernetes.io/version": "1.2.4", "environment": "prod"}
    workload = _workload(kind, labels=labels)
    obj = workload.to_dict()
    assert obj["spec"]["template"]["metadata"]["labels"] == labels  # pods keep every label
    assert dict(workload.match_labels) == {"app": "web"}
    if kind != "Job":  # a Job's selector is the API server's (controller-uid)
        assert obj["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    else:
        assert "selector" not in obj["spec"]
    assert workload.expose(80, target_port="http").to_dict()["spec"]["selector"] == {"app": "web"}


def test_pod_expose_and_stack_labels_follow_the_rule() -> None:
    pod = kubegen.Pod(name="p", labels={"app": "p", "version": "3"},
                      containers=[kubegen.Container(name="c", image="nginx:1.27", ports=[80])])
    assert pod.expose(80).to_dict()["spec"]["selector"] == {"app": "p"}
    stack = kubegen.Stack(namespace="n", labels={"team": "web", "env": "prod"}, objects=[_workload("Deployment")])
    [deploy] = [o for o in kubegen.render_dicts(stack) if o["kind"] == "Deployment"]
    assert deploy["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert deploy["spec"]["template"]["metadata"]["labels"] == {"team": "web", "env": "prod", "app": "web"}


def test_an_explicit_selector_wins_and_per_release_only_labels_are_refused() -> None:
    labels = {"app": "web", "version": "1"}
    assert _workload("Deployment", labels=labels, selector=labels).to_dict()["spec"]["selector"] == {
        "matchLabels": labels}
    with pytest.raises(BuilderError, match=r"Deployment 'web': its pod labels \{'version': '1'\} only say which "
                                           r"release or environment it is, and a selector is immutable; add an "
                                           r"identity label"):
        _workload("Deployment", labels={"version": "1"})


def test_a_version_bump_keeps_the_selector_and_renders_again(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    assert run("render", str(shop), "--set", "tag=1.2.3", "--output-dir", str(out)).exit_code == 0
    result = run("render", str(shop), "--set", "tag=1.2.4", "--output-dir", str(out), "--force")
    assert result.exit_code == 0, result.output
    web = objects(out)["shop/deployment-web.yaml"]
    assert web["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert objects(out)["shop/service-web.yaml"]["spec"]["selector"] == {"app": "web"}
    assert web["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] == "1.2.4"


# --- immutable changes are errors ----------------------------------------------------------------


def _obj(kind: str, spec: dict[str, Any] | None = None, api: str = "v1", **top: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": api, "kind": kind, "metadata": {"name": "x", "namespace": "n"}}
    if spec is not None:
        obj["spec"] = spec
    obj.update(top)
    return obj


POD = {"containers": [{"name": "c", "image": "nginx:1.27"}]}
TEMPLATE = {"metadata": {"labels": {"app": "x"}}, "spec": POD}
STS = {"serviceName": "x", "replicas": 1, "selector": {"matchLabels": {"app": "x"}}, "template": TEMPLATE,
       "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                                         "resources": {"requests": {"storage": "1Gi"}}}}]}
JOB = {"template": {**TEMPLATE, "spec": {**POD, "restartPolicy": "Never"}}, "parallelism": 1}
PVC = {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast", "resources": {"requests": {"storage": "10Gi"}}}


def _swap(spec: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(spec))
    node = out
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[keys[-1]] = value
    return out


BLOCKED = {
    "statefulset-claims": (_obj("StatefulSet", STS, "apps/v1"),
                           _obj("StatefulSet", _swap(STS, "volumeClaimTemplates.0.spec.resources.requests.storage",
                                                     "5Gi"), "apps/v1"), "spec.volumeClaimTemplates"),
    "statefulset-policy": (_obj("StatefulSet", STS, "apps/v1"),
                           _obj("StatefulSet", {**STS, "podManagementPolicy": "Parallel"}, "apps/v1"),
                           "spec.podManagementPolicy"),
    "job-template": (_obj("Job", JOB, "batch/v1"),
                     _obj("Job", _swap(JOB, "template.spec.containers.0.image", "nginx:1.28"), "batch/v1"),
                     "spec.template"),
    "job-completions": (_obj("Job", JOB, "batch/v1"), _obj("Job", {**JOB, "completions": 3}, "batch/v1"),
                        "spec.completions"),
    "pod-spec": (_obj("Pod", POD), _obj("Pod", {**POD, "nodeName": "n1"}), "spec.nodeName"),
    "pvc-shrink": (_obj("PersistentVolumeClaim", PVC),
                   _obj("PersistentVolumeClaim", _swap(PVC, "resources.requests.storage", "5Gi")),
                   "spec.resources.requests.storage"),
    "pvc-class": (_obj("PersistentVolumeClaim", PVC),
                  _obj("PersistentVolumeClaim", {**PVC, "storageClassName": "slow"}), "spec.storageClassName"),
    "configmap-immutable": (_obj("ConfigMap", immutable=True, data={"a": "1"}),
                            _obj("ConfigMap", immutable=True, data={"a": "2"}), "its data changes"),
    "configmap-unmarked": (_obj("ConfigMap", immutable=True, data={"a": "1"}), _obj("ConfigMap", data={"a": "1"}),
                           "the mark cannot be taken away"),
    "rolebinding-roleref": (
        _obj("RoleBinding", None, "rbac.authorization.k8s.io/v1",
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}),
        _obj("RoleBinding", None, "rbac.authorization.k8s.io/v1",
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "writer"}), "roleRef"),
    "storageclass-parameters": (
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"},
         "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3"}},
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"},
         "provisioner": "ebs.csi.aws.com", "parameters": {"type": "io2"}}, "parameters changes from {type: gp3}"),
    "loadbalancer-class": (
        _obj("Service", {"type": "LoadBalancer", "ports": [{"port": 80}]}),
        _obj("Service", {"type": "LoadBalancer", "ports": [{"port": 80}], "loadBalancerClass": "example.com/lb"}),
        "spec.loadBalancerClass changes from (none) to example.com/lb"),
    "secret-type": (_obj("Secret", type="Opaque", stringData={"a": "1"}),
                    _obj("Secret", type="kubernetes.io/basic-auth", stringData={"username": "u", "password": "p"}),
                    "type changes from Opaque to kubernetes.io/basic-auth"),
    "secret-immutable": (_obj("Secret", immutable=True, stringData={"a": "1"}),
                         _obj("Secret", immutable=True, data={"a": "Mg=="}), "its data changes"),
}

ACCEPTED = {
    "statefulset-scale-and-image": (_obj("StatefulSet", STS, "apps/v1"),
                                    _obj("StatefulSet", _swap({**STS, "replicas": 3},
                                                              "template.spec.containers.0.image", "nginx:1.28"),
                                         "apps/v1")),
    "job-parallelism": (_obj("Job", JOB, "batch/v1"), _obj("Job", {**JOB, "parallelism": 4}, "batch/v1")),
    "indexed-job-scaled": (_obj("Job", {**JOB, "completionMode": "Indexed", "completions": 2, "parallelism": 2},
                                "batch/v1"),
                           _obj("Job", {**JOB, "completionMode": "Indexed", "completions": 4, "parallelism": 4},
                                "batch/v1")),
    "pod-image": (_obj("Pod", POD), _obj("Pod", _swap(POD, "containers.0.image", "nginx:1.28"))),
    "pvc-grow": (_obj("PersistentVolumeClaim", PVC),
                 _obj("PersistentVolumeClaim", _swap(PVC, "resources.requests.storage", "20Gi"))),
    "configmap-mutable": (_obj("ConfigMap", data={"a": "1"}), _obj("ConfigMap", data={"a": "2"})),
    "immutable-secret-written-the-other-way": (  # stringData is stored as data: the same Secret
        _obj("Secret", immutable=True, stringData={"a": "1"}), _obj("Secret", immutable=True, data={"a": "MQ=="})),
    "cronjob-template": (_obj("CronJob", {"schedule": "@hourly", "jobTemplate": {"spec": JOB}}, "batch/v1"),
                         _obj("CronJob", {"schedule": "@daily", "jobTemplate": {"spec": {**JOB, "parallelism": 2}}},
                              "batch/v1")),
}


@pytest.mark.parametrize("case", BLOCKED.keys())
def test_changes_a_live_object_rejects_are_errors(tmp_path: Path, case: str) -> None:
    old, new, field = BLOCKED[case]
    out = tmp_path / "out"
    write_dir([old], str(out))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(FindingsError, match="nothing was written") as caught:
        write_dir([new], str(out))
    [finding] = caught.value.findings
    assert (finding.rule, finding.severity) == ("immutable-field", "error")
    assert field in finding.message
    assert "give the object a new name, or render with --allow-recreate" in finding.message
    assert finding.location.line > 0 and finding.location.file.startswith(str(out))
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    allowed = write_dir([new], str(out), allow_recreate=True)
    assert [(w.rule, w.severity) for w in allowed.warnings] == [("immutable-field", "warning")]


@pytest.mark.parametrize("case", ACCEPTED.keys())
def test_changes_a_live_object_takes_are_not_flagged(tmp_path: Path, case: str) -> None:
    old, new = ACCEPTED[case]
    out = tmp_path / "out"
    write_dir([old], str(out))
    assert write_dir([new], str(out)).warnings == []


# --- --base REV: the pull-request gate with a real git repository -----------------------------------

TRACK_APP = textwrap.dedent(
    """\
    from kubegen import Container, Deployment, Stack


    def stack(track: str = "stable") -> Stack:
        web = Deployment(name="web", labels={"app": "web", "track": track},
                         containers=[Container(name="web", image="nginx:1.27")])
        return Stack(namespace="shop", objects=[web])
    """
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(TRACK_APP)
    git(root, "init", "-q", "-b", "main")
    assert run("render", "app.py", "--output-dir", "deploy", cwd=root).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base: track=stable")
    git(root, "switch", "-qc", "feature")
    # the pull request re-renders with a new track: the selector changes, the directory is up to date
    assert run("render", "app.py", "--set", "track=canary", "--output-dir", "deploy", "--force",
               "--allow-recreate", cwd=root).exit_code == 0
    git(root, "commit", "-qam", "feature: track=canary")
    return root


def test_base_revision_catches_what_the_working_tree_hides(repo: Path) -> None:
    assert run("check", "--output-dir", "deploy", cwd=repo).exit_code == 0  # up to date, nothing to compare
    gate = run("check", "--output-dir", "deploy", "--base", "main", cwd=repo)
    assert gate.exit_code == 1
    line = next(i for i, text in enumerate(git(repo, "show", "main:deploy/shop/deployment-web.yaml").splitlines(), 1)
                if "selector:" in text)
    assert (f"main:deploy/shop/deployment-web.yaml:{line}: error immutable-field: Deployment 'web' (namespace shop): "
            "spec.selector changes from {app: web, track: stable} to {app: web, track: canary}") in gate.stderr
    assert "kubegen: deploy is up to date, but the change from DIR at main fails: 1 error, 0 warnings" in gate.stderr
    assert gate.stdout == ""
    render = run("render", "--output-dir", "deploy", "--base", "main", cwd=repo)
    assert render.exit_code == 1 and "immutable-field" in render.stderr
    allowed = run("check", "--output-dir", "deploy", "--base", "main", "--allow-recreate", cwd=repo)
    assert allowed.exit_code == 0 and "warning immutable-field" in allowed.stderr
    assert run("check", "--output-dir", "deploy", "--base", "feature", cwd=repo).exit_code == 0


def test_base_revision_errors_are_usage_errors(repo: Path, tmp_path: Path) -> None:
    missing = run("check", "--output-dir", "deploy", "--base", "no-such-branch", cwd=repo)
    assert missing.exit_code == 2 and "--base no-such-branch: not a commit here (fetch it first" in missing.stderr
    option = run("check", "--output-dir", "deploy", "--base", "--output=x", cwd=repo)
    assert option.exit_code == 2
    elsewhere = tmp_path / "plain"
    elsewhere.mkdir()
    (elsewhere / "app.py").write_text(TRACK_APP)
    outside = run("check", "app.py", "--output-dir", "deploy", "--base", "main", cwd=elsewhere)
    assert outside.exit_code == 2 and "is not in a git work tree" in outside.stderr
    assert run("render", "app.py", "--base", "main", cwd=elsewhere).exit_code == 2  # needs --output-dir


def test_a_directory_new_at_this_revision_has_nothing_to_compare(repo: Path) -> None:
    assert run("render", "app.py", "--output-dir", "deploy-eu", cwd=repo).exit_code == 0
    assert run("check", "--output-dir", "deploy-eu", "--base", "main", cwd=repo).exit_code == 0


# --- runs remember their arguments ------------------------------------------------------------------


def test_check_and_render_take_the_recorded_arguments(shop: Path, tmp_path: Path) -> None:
    prod = tmp_path / "deploy" / "prod"
    first = run("render", str(shop), "--set", "env=prod", "--set", "replicas=5", "--output-dir", str(prod),
                "--kustomization")
    assert first.exit_code == 0, first.output
    record = json.loads((prod / RECORD_NAME).read_text())
    assert (record["format"], record["app"], record["set"], record["kustomization"]) == (
        2, "../../shop.py", {"env": "prod", "replicas": "5"}, True)
    # the mistakes: check without --set env=prod, render without --kustomization
    assert run("check", str(shop), "--output-dir", str(prod)).exit_code == 0
    again = run("render", "--output-dir", str(prod))
    assert again.exit_code == 0 and "0 written, 0 removed" in again.stderr
    assert (prod / "kustomization.yaml").exists()
    assert run("check", "--output-dir", str(prod), "--set", "env=prod").exit_code == 0  # agreeing is fine


def test_differing_arguments_are_refused_unless_forced(shop: Path, tmp_path: Path) -> None:
    prod = tmp_path / "prod"
    run("render", str(shop), "--set", "env=prod", "--output-dir", str(prod), "--kustomization")
    before = {p: p.read_bytes() for p in prod.rglob("*") if p.is_file()}
    for command in ("render", "check"):
        refused = run(command, str(shop), "--set", "env=dev", "--set", "tag=2", "--output-dir", str(prod),
                      "--no-kustomization")
        assert refused.exit_code == 2
        assert f"{prod} was rendered with: kubegen render {shop} --set env=prod --output-dir {prod} --kustomization" \
            in refused.stderr
        assert "  --set env=dev: recorded env=prod\n" in refused.stderr
        assert "  --set tag=2: not among the recorded values\n" in refused.stderr
        assert "  --no-kustomization: recorded with kustomization.yaml\n" in refused.stderr
        assert "pass --force to render with them" in refused.stderr
    assert {p: p.read_bytes() for p in prod.rglob("*") if p.is_file()} == before
    forced = run("render", str(shop), "--set", "tag=2", "--output-dir", str(prod), "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads((prod / RECORD_NAME).read_text())["set"] == {"env": "prod", "tag": "2"}  # env kept
    unset = run("render", "--output-dir", str(prod), "--unset", "tag", "--force")
    assert unset.exit_code == 0 and json.loads((prod / RECORD_NAME).read_text())["set"] == {"env": "prod"}


def test_a_directory_another_app_rendered_is_never_overwritten_silently(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("render", str(shop), "--output-dir", str(out))
    other = tmp_path / "other.py"
    other.write_text(TRACK_APP)
    refused = run("render", str(other), "--output-dir", str(out))
    assert refused.exit_code == 2
    assert f"APP: rendered from {shop}, not {other}" in refused.stderr
    taken = run("render", str(other), "--output-dir", str(out), "--force")
    assert taken.exit_code == 1 and "error immutable-field: Deployment 'web'" in taken.stderr  # still judged
    assert run("render", str(other), "--output-dir", str(out), "--force", "--allow-recreate").exit_code == 0
    assert json.loads((out / RECORD_NAME).read_text())["app"] == "../other.py"
    assert run("render", f"{other}:stack", "--output-dir", str(out)).exit_code == 0  # the same file


TWO_STACKS = textwrap.dedent(
    """\
    from kubegen import ConfigMap, Stack

    stack = Stack(namespace="dev", objects=[ConfigMap(name="settings", data={"env": "dev"})])


    def prod() -> Stack:
        return Stack(namespace="prod", objects=[ConfigMap(name="settings", data={"env": "prod"})])
    """
)


def test_the_file_alone_is_not_the_target_the_directory_recorded(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(TWO_STACKS)
    out = tmp_path / "out"
    assert run("render", f"{app}:prod", "--output-dir", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for command in ("render", "check"):  # app.py alone finds the module-level dev stack
        refused = run(command, str(app), "--output-dir", str(out))
        assert refused.exit_code == 2, refused.output
        assert (f"Error: APP: the output directory was rendered from {app}:prod, but {app} is the stack 'stack'; "
                "leave APP out to render as recorded, or pass --force") in refused.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert run("check", f"{app}:prod", "--output-dir", str(out)).exit_code == 0
    assert run("render", str(app), "--output-dir", str(out), "--force").exit_code == 0  # taken over, on purpose
    assert sorted(p.name for p in out.iterdir()) == [RECORD_NAME, "_cluster", "dev"]
    assert json.loads((out / RECORD_NAME).read_text())["app"] == "../app.py"
    refused = run("render", f"{app}:prod", "--output-dir", str(out))
    assert refused.exit_code == 2
    assert f"rendered from {app} (its stack 'stack'), but {app}:prod is the stack 'prod'" in refused.stderr


def test_naming_the_recorded_target_rewrites_nothing(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("render", str(shop), "--output-dir", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = run("render", f"{shop}:stack", "--output-dir", str(out))
    assert again.exit_code == 0 and f"{out}: 0 written, 0 removed, 6 unchanged" in again.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert run("check", f"./{os.path.relpath(shop)}:stack", "--output-dir", str(out)).exit_code == 0


def test_a_recorded_value_the_app_no_longer_takes_says_where_it_came_from(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("render", str(shop), "--set", "note=hi", "--set", "replicas=3", "--output-dir", str(out)).exit_code == 0
    shop.write_text(SHOP.replace(', note: str = ""', "").replace(', "note": note', "").replace(
        "replicas: int = 2", "replicas: Literal[1, 2] = 2"))
    for command in ("check", "render"):
        refused = run(command, "--output-dir", str(out))
        assert refused.exit_code == 2
        assert (f"Error: --set note=hi (recorded in {out}/{RECORD_NAME}): {shop}:stack has no parameter 'note' "
                "(parameters: env, tag, replicas); drop it with --unset note --force") in refused.stderr
    refused = run("render", "--output-dir", str(out), "--unset", "note", "--force")
    assert f"--set replicas=3 (recorded in {out}/{RECORD_NAME}): must be one of 1, 2" in refused.stderr
    given = run("render", "--output-dir", str(out), "--set", "replicas=3", "--unset", "note", "--force")
    assert "Error: --set replicas=3: must be one of 1, 2" in given.stderr  # typed now: no origin to name


def test_app_is_required_where_nothing_records_it(tmp_path: Path) -> None:
    fresh = run("check", "--output-dir", str(tmp_path / "none"))
    assert fresh.exit_code == 2
    assert f"APP is required: {tmp_path}/none has no .kubegen-manifest to take it from" in fresh.stderr
    library = tmp_path / "lib"
    write_dir([_obj("ConfigMap", data={"a": "1"})], str(library), source="deploy.py")
    assert "records no app" in run("check", "--output-dir", str(library)).stderr
    assert run("render").exit_code == 2


def test_a_format_1_record_is_read_and_upgraded(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "deploy" / "prod"
    run("render", str(shop), "--set", "env=prod", "--output-dir", str(out), "--kustomization")
    record = json.loads((out / RECORD_NAME).read_text())
    old = {"generator": "kubegen", "format": 1, "source": "shop.py --set env=prod", "files": record["files"]}
    (out / RECORD_NAME).write_text(json.dumps(old))
    result = run("render", "--output-dir", str(out))
    assert result.exit_code == 0, result.output
    upgraded = json.loads((out / RECORD_NAME).read_text())
    assert (upgraded["format"], upgraded["app"], upgraded["set"], upgraded["kustomization"]) == (
        2, "../../shop.py", {"env": "prod"}, True)


# --- headers carry no per-run values -------------------------------------------------------------


def test_a_tag_bump_rewrites_only_the_objects_that_use_the_image(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("render", str(shop), "--set", "env=prod", "--output-dir", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    header = (out / "shop" / "configmap-settings.yaml").read_text().splitlines()[0]
    assert header == "# Generated by kubegen from: shop.py"
    result = run("render", "--set", "tag=1.0.1", "--output-dir", str(out), "--force")
    assert result.exit_code == 0, result.output
    changed = sorted(str(p.relative_to(out)) for p, data in before.items() if p.read_bytes() != data)
    assert changed == [RECORD_NAME, "shop/deployment-web.yaml"]
    assert "2 written, 0 removed, 4 unchanged" in result.stderr


# --- image references -------------------------------------------------------------------------------

HEX = "a" * 64


@pytest.mark.parametrize("image", [
    "nginx:1.27", "ghcr.io/example/web:1.0.0", "localhost:5000/team/app:v2", "registry.example.com:443/a/b_c__d.e-f:t",
    f"nginx@sha256:{HEX}", f"ghcr.io/x/y:1.2@sha256:{HEX}", "[::1]:5000/app:1", "quay.io/org/app:1.0_RC-1",
    f"nginx@sha384:{'b' * 96}", f"nginx@sha512:{'c' * 128}", f"{HEX}:1",
])
def test_valid_image_references_pass(image: str) -> None:
    assert _image_findings(image) == []


@pytest.mark.parametrize(("image", "said"), [
    ("ghcr.io/x/backend:", "has an empty tag after ':'"),
    ("nginx 1.27", "contains whitespace"),
    ("Nginx:1.27", "has upper-case letters in repository 'Nginx'; repositories are lower case: nginx"),
    ("ghcr.io/MyOrg/app:1", "repositories are lower case: ghcr.io/myorg/app"),
    ("https://ghcr.io/x:1", "starts with a scheme (https://)"),
    ("nginx@sha256:abc", "has digest 'sha256:abc', not ALGORITHM:HEX"),
    ("nginx:-1", "has tag '-1'"),
    ("nginx:" + "x" * 129, "up to 128 characters"),
    ("my_/app:1", "has repository part 'my_'"),
    ("nginx:1.0-\u00e4", "has tag '1.0-\u00e4'"),  # Go's \w is ASCII
    (f"nginx@md5:{HEX[:32]}", "has a digest of algorithm 'md5'; the kubelet knows sha256, sha384 and sha512 only"),
    (f"nginx@sha256:{HEX.upper()}", "has a sha256 digest with upper-case hex digits"),
    (f"nginx@sha512:{HEX}", "has a sha512 digest of 64 hex digits, not 128"),
    (f"nginx@sha256:{HEX}a", "has a sha256 digest of 65 hex digits, not 64"),
    (HEX, "is 64 hexadecimal digits, which is taken for an image ID"),
])
def test_invalid_image_references_are_errors(image: str, said: str) -> None:
    [finding] = _image_findings(image)
    assert (finding.rule, finding.severity) == ("image", "error")
    assert said in finding.message and "the kubelet cannot pull it (InvalidImageName)" in finding.message


@pytest.mark.parametrize("image", ["nginx", "nginx:latest", "ghcr.io/x/y:latest"])
def test_moving_tags_are_warnings(image: str) -> None:
    [finding] = _image_findings(image)
    assert (finding.rule, finding.severity) == ("image-latest", "warning")
    assert "pin a version" in finding.message


def test_whitespace_around_an_image_is_an_error_on_a_pod_and_a_warning_in_a_template() -> None:
    [on_pod] = _image_findings("postgres:16.4 ", kind="Pod")
    assert on_pod.severity == "error"
    [in_template] = _image_findings("postgres:16.4 ", kind="StatefulSet")
    assert in_template.severity == "warning"
    assert "the API server accepts it in a template but refuses every pod made from it" in in_template.message


def _image_findings(image: str, kind: str = "Deployment") -> list[Any]:
    from kubegen.lint import lint_manifests
    from kubegen.location import Location
    from kubegen.manifest import Manifest

    container = {"name": "c", "image": image}
    if kind == "Pod":
        obj = _obj("Pod", {"containers": [container]})
    else:
        obj = _obj(kind, {"selector": {"matchLabels": {"app": "x"}}, "serviceName": "x",
                          "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [container]}}},
                   "apps/v1")
        if kind != "StatefulSet":
            del obj["spec"]["serviceName"]
    return [f for f in lint_manifests([Manifest(obj, Location("x.yaml", 1))]) if f.rule.startswith("image")]


def test_an_empty_set_tag_is_a_finding_at_the_app_line(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("render", str(shop), "--set", "tag=", "--output-dir", str(out))
    assert result.exit_code == 1
    line = SHOP.splitlines().index("    web = shop.add(Deployment(") + 1
    assert (f"{shop}:{line}: error image: Deployment 'web': container 'web': image 'ghcr.io/example/web:' has an "
            "empty tag after ':'") in result.stderr
    assert not out.exists()


# --- property: check after render with the recorded arguments is always clean -------------------------

_TAGS = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
_NOTES = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    runs=st.lists(
        st.tuples(st.sampled_from(["dev", "prod"]), st.one_of(st.none(), _TAGS), _NOTES, st.integers(0, 3),
                  st.booleans()),
        min_size=1, max_size=3,
    ),
)
def test_check_after_render_is_clean_with_the_recorded_arguments(shop: Path, runs: list[Any]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(dir=shop.parent) as tmp:
        out = Path(tmp) / "out"
        for env, tag, note, replicas, kustomization in runs:
            args = ["--set", f"env={env}", "--set", f"replicas={replicas}", "--set", f"note={note}"]
            if tag is not None:
                args += ["--set", f"tag={tag}"]
            flag = "--kustomization" if kustomization else "--no-kustomization"
            result = run("render", str(shop), *args, flag, "--output-dir", str(out), "--force", "--allow-recreate")
            if result.exit_code != 0:  # a value the API would refuse: one clear finding or error, nothing written
                assert result.exit_code == 1 and "Traceback" not in result.output, result.output
                assert "error" in result.stderr, result.output
                continue
            checked = run("check", "--output-dir", str(out))
            assert checked.exit_code == 0, checked.output
            assert checked.stdout == ""


def test_the_previous_state_read_in_part_equals_the_whole_file() -> None:
    """What kubegen wrote is read field by field (fast); it must equal a full parse, for the
    corpus of real manifests written by kubegen's writer."""
    from kubegen.gitops.layout import header, object_text
    from kubegen.gitops.previous import FIELDS, previous_object

    corpus = Path(__file__).parent / "data" / "corpus"
    docs: list[dict[str, Any]] = [new for old, new, *_ in [*BLOCKED.values(), *ACCEPTED.values()]]
    for path in sorted(corpus.rglob("*.yaml")):
        try:
            docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
    compared = 0
    for doc in docs:
        kind = doc.get("kind")
        if not isinstance(kind, str) or kind not in FIELDS:
            continue
        try:
            text = object_text(doc, header("app.py"))
        except Exception:  # noqa: BLE001 - values the writer refuses are not files kubegen writes
            continue
        whole = yaml.safe_load(text)
        part = previous_object(text, kind, canonical=True)
        assert part is not None
        for fields in FIELDS[kind]:
            want, got = whole, part
            for key in fields:
                want = want.get(key) if isinstance(want, dict) else None
                got = got.get(key) if isinstance(got, dict) else None
            if fields == ("data",) and kind == "ConfigMap" and whole.get("immutable") is not True:
                continue  # not read for a mutable ConfigMap
            assert got == want, (kind, fields)
        compared += 1
    assert compared > 150


def test_a_hand_edited_previous_file_is_read_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_dir([_obj("StatefulSet", STS, "apps/v1")], str(out))
    file = out / "n" / "statefulset-x.yaml"
    flow = yaml.safe_load(file.read_text())
    file.write_text(json.dumps(flow))  # JSON is YAML: nothing of kubegen's layout is left
    with pytest.raises(FindingsError) as caught:
        write_dir([_obj("StatefulSet", {**STS, "serviceName": "y"}, "apps/v1")], str(out))
    assert [f.rule for f in caught.value.findings] == ["immutable-field"]
    assert "spec.serviceName changes from x to y" in caught.value.findings[0].message
