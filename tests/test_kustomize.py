"""Consumers of a rendered directory: kubectl kustomize, Argo CD's plugin, pre-commit, CI; the committed
examples/shop/rendered/{dev,prod} stay what render writes."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kubegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHOP = EXAMPLES / "shop.py"
ENVS = ["dev", "prod"]


def kubegen(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kubegen", *args], cwd=cwd, capture_output=True, text=True,
                          env=env)


def by_identity(docs: list[Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    objs = [d for d in docs if d]
    keyed = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in objs}
    assert len(keyed) == len(objs), "duplicate objects"
    return keyed


def stream(*sets: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    result = CliRunner().invoke(main, ["render", str(SHOP), *sets])
    assert result.exit_code == 0, result.output
    return by_identity(list(yaml.safe_load_all(result.stdout)))


@pytest.mark.parametrize("env", ENVS)
def test_committed_rendered_dirs_are_up_to_date(env: str) -> None:
    out = EXAMPLES / "shop" / "rendered" / env
    result = CliRunner().invoke(main, ["check", str(SHOP), "--set", f"env={env}", "--output-dir", str(out),
                                       "--kustomization"])
    assert result.exit_code == 0, (
        f"{out} is stale: run `kubegen render examples/shop.py --set env={env} --output-dir "
        f"examples/shop/rendered/{env} --kustomization`\n{result.output}"
    )


@pytest.mark.parametrize("env", ENVS)
def test_kubectl_kustomize_reads_the_same_objects_as_the_stream(env: str) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    out = EXAMPLES / "shop" / "rendered" / env
    built = subprocess.run([kubectl, "kustomize", str(out)], capture_output=True, text=True)
    if built.returncode != 0 and "unknown command" in built.stderr:
        pytest.skip(f"this kubectl has no kustomize: {built.stderr.strip()}")
    assert built.returncode == 0, built.stderr
    assert by_identity(list(yaml.safe_load_all(built.stdout))) == stream("--set", f"env={env}")


def test_kubectl_kustomize_on_a_fresh_dir_with_cluster_and_default_objects(tmp_path: Path) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    app = tmp_path / "app.py"
    app.write_text(
        "from kubegen import ConfigMap, Stack\n"
        "stack = [Stack(objects=[ConfigMap(name='loose', data={'a': 'yes'})]),\n"
        "         Stack(namespace='team', objects=[ConfigMap(name='cfg', data={'on': 'off'})])]\n"
    )
    out = tmp_path / "out"
    rendered = CliRunner().invoke(main, ["render", str(app)])
    assert rendered.exit_code == 0, rendered.output
    assert CliRunner().invoke(main, ["render", str(app), "--output-dir", str(out), "--kustomization"]).exit_code == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.yaml")) == [
        "_cluster/namespace-team.yaml", "_default/configmap-loose.yaml", "kustomization.yaml",
        "team/configmap-cfg.yaml",
    ]
    built = subprocess.run([kubectl, "kustomize", str(out)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert by_identity(list(yaml.safe_load_all(built.stdout))) == by_identity(
        list(yaml.safe_load_all(rendered.stdout)))


def test_kubectl_reads_a_plain_dir_recursively(tmp_path: Path) -> None:
    """Without --kustomization, `kubectl apply -R -f DIR` must read every object and nothing else
    (the ownership record must not look like a manifest to kubectl)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    out = tmp_path / "dev"
    assert CliRunner().invoke(main, ["render", str(SHOP), "--output-dir", str(out)]).exit_code == 0
    # `label --local` runs kubectl's own -R -f reader without a cluster
    read = subprocess.run([kubectl, "label", "--local", "-R", "-f", str(out), "kubegen-test=1", "-o", "json"],
                          capture_output=True, text=True)
    assert read.returncode == 0, read.stderr
    decoder, text, objs = json.JSONDecoder(), read.stdout.strip(), []
    while text:
        obj, end = decoder.raw_decode(text)
        del obj["metadata"]["labels"]["kubegen-test"]
        objs.append(obj)
        text = text[end:].strip()
    assert by_identity(objs) == stream()


# --- Argo CD config management plugin ----------------------------------------------------------


def test_argocd_plugin_definition_generates_the_shop(tmp_path: Path) -> None:
    plugin = yaml.safe_load((EXAMPLES / "gitops" / "plugin.yaml").read_text())
    assert plugin["apiVersion"] == "argoproj.io/v1alpha1"
    assert plugin["kind"] == "ConfigManagementPlugin"
    assert plugin["metadata"]["name"] == "kubegen"
    generate = plugin["spec"]["generate"]
    command = [*generate["command"], *generate.get("args", [])]
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed")
    # Argo CD runs the command in the Application's source path with ARGOCD_ENV_* set
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "kubegen"
    shim.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m kubegen \"$@\"\n")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "ARGOCD_ENV_KUBEGEN_APP": "shop.py", "ARGOCD_ENV_KUBEGEN_SET": "env=prod replicas=5",
           "ARGOCD_APP_NAME": "shop-prod"}
    result = subprocess.run(command, cwd=EXAMPLES, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert by_identity(list(yaml.safe_load_all(result.stdout))) == stream("--set", "env=prod", "--set",
                                                                           "replicas=5")
    # KUBEGEN_DIR: the app and --set values the committed directory recorded
    recorded = subprocess.run(command, cwd=EXAMPLES, capture_output=True, text=True,
                              env={**env, "ARGOCD_ENV_KUBEGEN_DIR": "shop/rendered/prod"})
    assert recorded.returncode == 0, recorded.stderr
    assert by_identity(list(yaml.safe_load_all(recorded.stdout))) == stream("--set", "env=prod")
    env["ARGOCD_ENV_KUBEGEN_SET"] = "env=staging"
    failed = subprocess.run(command, cwd=EXAMPLES, capture_output=True, text=True, env=env)
    assert failed.returncode != 0
    assert "--set env=staging: must be one of dev, prod" in failed.stderr


def test_argocd_application_names_the_plugin() -> None:
    app = yaml.safe_load((EXAMPLES / "gitops" / "application.yaml").read_text())
    plugin = yaml.safe_load((EXAMPLES / "gitops" / "plugin.yaml").read_text())
    # with spec.version set, Applications name the plugin <name>-<version>
    assert app["spec"]["source"]["plugin"]["name"] == f"{plugin['metadata']['name']}-{plugin['spec']['version']}"
    env = {e["name"]: e["value"] for e in app["spec"]["source"]["plugin"]["env"]}
    rendered = ROOT / app["spec"]["source"]["path"] / env["KUBEGEN_DIR"]
    assert rendered == EXAMPLES / "shop" / "rendered" / "prod" and (rendered / ".kubegen-manifest").is_file()
    patch = yaml.safe_load((EXAMPLES / "gitops" / "repo-server-patch.yaml").read_text())
    mounts = patch["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert "/home/argocd/cmp-server/config/plugin.yaml" in [m["mountPath"] for m in mounts]


# --- pre-commit ---------------------------------------------------------------------------------


def test_pre_commit_hook_runs_check(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"kubegen-check", "kubegen-render"}
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["pass_filenames"] is False
    entry = shlex.split(by_id["kubegen-check"]["entry"])
    assert entry == ["kubegen", "check"]
    copy = tmp_path / "examples" / "shop" / "rendered" / "prod"  # the recorded app is ../../../shop.py
    shutil.copytree(EXAMPLES / "shop" / "rendered" / "prod", copy)
    shutil.copy(SHOP, tmp_path / "examples" / "shop.py")
    (tmp_path / "pyproject.toml").write_text("")  # the project root headers name the app from
    args = ["--output-dir", str(copy)]  # the directory remembers the app, --set env=prod, --kustomization
    clean = kubegen(*entry[1:], *args)
    assert clean.returncode == 0, clean.stderr
    (copy / "shop" / "service-frontend.yaml").write_text("edited\n")
    dirty = kubegen(*entry[1:], *args)
    assert dirty.returncode == 1
    assert "service-frontend.yaml: edited by hand since kubegen wrote it" in dirty.stderr
    fixed = kubegen(*shlex.split(by_id["kubegen-render"]["entry"])[1:], *args)
    assert fixed.returncode == 0, fixed.stderr
    assert kubegen(*entry[1:], *args).returncode == 0


# --- CI -----------------------------------------------------------------------------------------


def test_github_actions_snippet_runs_the_check_for_each_environment(tmp_path: Path) -> None:
    workflow = yaml.safe_load((EXAMPLES / "gitops" / "github-actions.yaml").read_text())
    job = workflow["jobs"]["kubegen-check"]
    steps = [s["run"] for s in job["steps"] if "run" in s]
    checks = [s for s in steps if s.startswith("kubegen check ")]
    assert len(checks) == 2 and any("--base origin/${{ github.base_ref }}" in c for c in checks)
    # the job runs in a checkout whose base branch is origin/<base_ref>: a git repository of its own here
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "shop", repo / "examples" / "shop")
    shutil.copy(SHOP, repo / "examples" / "shop.py")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"],
                    ["update-ref", "refs/remotes/origin/main", "HEAD"]):
        subprocess.run([*git, *command], cwd=repo, check=True)
    for env in job["strategy"]["matrix"]["env"]:
        for check in checks:
            line = check.replace("${{ matrix.env }}", env).replace("${{ github.base_ref }}", "main")
            result = kubegen(*shlex.split(line)[1:], cwd=repo)
            assert result.returncode == 0, f"{line}\n{result.stderr}"
