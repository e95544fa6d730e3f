"""`render --output-dir`, `check` and the kubegen.gitops library: layout, ownership, atomicity, warnings."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubegen.cli import main
from kubegen.errors import FindingsError, KubegenError
from kubegen.gitops import RECORD_NAME, check_dir, diff_dir, object_path, recover_dir, source_label
from kubegen.gitops import write_dir as checked_write_dir
from kubegen.gitops.commit import PAUSE_ENV, leftovers


def write_dir(*args: Any, **kwargs: Any) -> Any:
    """These tests are about the files: their objects are often partial stacks (a Service
    without pods), which the checks ``write_dir`` runs first would refuse (tests/test_api.py)."""
    return checked_write_dir(*args, check=False, **kwargs)


APP = textwrap.dedent(
    """
    from kubegen import ConfigMap, Stack


    def stack(count: int = 3, version: str = "1") -> Stack:
        demo = Stack(namespace="demo")
        for i in range(count):
            demo.add(ConfigMap(name=f"settings-{i}", data={"version": version}))
        return demo
    """
)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below root (hidden ones too) with its bytes; folders as empty markers."""
    found: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for d in dirnames:
            found[os.path.normpath(os.path.join(rel, d)) + "/"] = b""
        for f in filenames:
            found[os.path.normpath(os.path.join(rel, f))] = (Path(dirpath) / f).read_bytes()
    return found


def deployment(name: str, labels: dict[str, str], namespace: str = "shop") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels},
                         "spec": {"containers": [{"name": name, "image": "nginx:1.27"}]}},
        },
    }


def service(name: str, type_: str = "ClusterIP", node_port: int | None = None,
            cluster_ip: str | None = None) -> dict[str, Any]:
    port: dict[str, Any] = {"name": "http", "port": 80, "targetPort": 8080}
    if node_port:
        port["nodePort"] = node_port
    spec: dict[str, Any] = {"type": type_, "selector": {"app": name}, "ports": [port]}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "shop"}, "spec": spec}


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    path = tmp_path / "app.py"
    path.write_text(APP)
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


# --- layout -------------------------------------------------------------------------------


def test_object_paths_follow_namespace_kind_name() -> None:
    assert object_path(deployment("web", {"app": "web"})) == "shop/deployment-web.yaml"
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    assert object_path(ns) == "_cluster/namespace-shop.yaml"
    role = {"kind": "ClusterRole", "metadata": {"name": "system:reader"}}
    assert object_path(role) == "_cluster/clusterrole-system_reader.yaml"
    loose = {"kind": "ConfigMap", "metadata": {"name": "cfg"}}
    assert object_path(loose) == "_default/configmap-cfg.yaml"
    sneaky = {"kind": "ConfigMap", "metadata": {"name": "x", "namespace": ".."}}
    assert not object_path(sneaky).startswith("..")


def test_two_objects_for_one_file_is_an_error(tmp_path: Path) -> None:
    a = {"kind": "ClusterRole", "metadata": {"name": "a:b"}}
    b = {"kind": "ClusterRole", "metadata": {"name": "a_b"}}
    with pytest.raises(KubegenError, match=r"ClusterRole 'a_b' and ClusterRole 'a:b' would both be written to "
                                           r"_cluster/clusterrole-a_b.yaml; rename one of them"):
        write_dir([a, b], str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_source_label_is_relative_to_the_project_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "repo" / "deploy").mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    app_file = tmp_path / "repo" / "deploy" / "app.py"
    app_file.write_text(APP)
    label = source_label(f"{app_file}:stack", {"version": "2 beta", "count": "5"})
    assert label == "deploy/app.py:stack --set count=5 --set 'version=2 beta'"
    assert source_label("mypkg.deploy:stack") == "mypkg.deploy:stack"


# --- writing --------------------------------------------------------------------------------


def test_writes_one_file_per_object_with_header_and_record(tmp_path: Path) -> None:
    out = tmp_path / "out"
    objs = [deployment("web", {"app": "web"}), service("web"),
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}]
    result = write_dir(objs, str(out), source="app.py --set env=prod")
    assert sorted(result.written) == [RECORD_NAME, "_cluster/namespace-shop.yaml",
                                      "shop/deployment-web.yaml", "shop/service-web.yaml"]
    text = (out / "shop/service-web.yaml").read_text()
    assert text.startswith("# Generated by kubegen from: app.py --set env=prod\n# Do not edit")
    assert yaml.safe_load(text) == service("web")
    record = yaml.safe_load((out / RECORD_NAME).read_text())
    assert set(record["files"]) == {"_cluster/namespace-shop.yaml", "shop/deployment-web.yaml",
                                    "shop/service-web.yaml"}
    assert record["source"] == "app.py --set env=prod"
    assert not leftovers(str(out))


def test_bytes_do_not_depend_on_machine_or_working_directory(app: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "one", tmp_path / "elsewhere" / "two"
    assert run("render", str(app), "--set", "count=2", "--output-dir", str(first)).exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = run("render", "app.py", "--set", "count=2", "--output-dir", "elsewhere/two", "--kustomization")
    assert result.exit_code == 0, result.output
    one, two = snapshot(first), snapshot(second)
    two.pop("kustomization.yaml")
    assert one.keys() == two.keys()
    for name, data in one.items():
        if name != RECORD_NAME:
            assert data == two[name], name
        assert str(tmp_path).encode() not in data
    assert b"--set" not in one["demo/configmap-settings-0.yaml"]  # headers carry no per-run values
    assert json.loads(one[RECORD_NAME])["set"] == {"count": "2"}  # the record does


def test_fsync_writes_the_same_tree(app: Path, tmp_path: Path) -> None:
    plain, synced = tmp_path / "plain", tmp_path / "synced"
    assert run("render", str(app), "--output-dir", str(plain)).exit_code == 0
    assert run("render", str(app), "--output-dir", str(synced), "--fsync").exit_code == 0
    assert snapshot(plain) == snapshot(synced)
    again = run("render", str(app), "--set", "count=1", "--output-dir", str(synced), "--fsync", "--force")
    assert again.exit_code == 0 and "2 removed" in again.stderr


def test_rerun_without_changes_writes_nothing(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("render", str(app), "--output-dir", str(out))
    stamp = os.stat(out / "demo/configmap-settings-0.yaml").st_mtime_ns
    result = run("render", str(app), "--output-dir", str(out))
    assert result.exit_code == 0
    assert "0 written, 0 removed, 5 unchanged" in result.stderr  # 3 ConfigMaps, the Namespace, the record
    assert os.stat(out / "demo/configmap-settings-0.yaml").st_mtime_ns == stamp


def test_stale_owned_files_go_and_other_files_stay(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("render", str(app), "--set", "count=3", "--output-dir", str(out)).exit_code == 0
    (out / "README.md").write_text("mine\n")
    (out / "demo" / "extra.yaml").write_text("kind: ConfigMap\n")
    result = run("render", str(app), "--set", "count=1", "--output-dir", str(out), "--force")
    assert result.exit_code == 0, result.output
    # headers name no --set value: only the record changes, the remaining objects stay
    assert "1 written, 2 removed, 2 unchanged" in result.stderr
    assert sorted(os.listdir(out / "demo")) == ["configmap-settings-0.yaml", "extra.yaml"]
    assert (out / "README.md").read_text() == "mine\n"
    assert (out / "demo" / "extra.yaml").read_text() == "kind: ConfigMap\n"
    # a namespace folder that only held kubegen's files goes with them
    write_dir([], str(out))
    assert sorted(os.listdir(out)) == [RECORD_NAME, "README.md", "demo"]
    assert os.listdir(out / "demo") == ["extra.yaml"]


def test_refuses_to_overwrite_a_file_it_did_not_write(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "demo").mkdir(parents=True)
    (out / "demo" / "configmap-settings-1.yaml").write_text("handmade: true\n")
    before = snapshot(out)
    result = run("render", str(app), "--output-dir", str(out))
    assert result.exit_code == 1
    assert (f"Error: {out}/demo/configmap-settings-1.yaml: not written by kubegen (not in {out}/{RECORD_NAME}), "
            "and render would overwrite it; move it away (or delete it) and render again. Nothing was written."
            ) in result.stderr
    assert snapshot(out) == before


def test_a_tampered_record_cannot_reach_outside_the_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_dir([service("web")], str(out))
    victim = tmp_path / "victim.yaml"
    victim.write_text("keep\n")
    (out / RECORD_NAME).write_text(
        '{"generator": "kubegen", "format": 1, "source": "", "files": {"../victim.yaml": "00"}}\n'
    )
    with pytest.raises(KubegenError, match=r"entry '../victim.yaml' is not a file kubegen writes; restore it"):
        write_dir([], str(out))
    assert victim.read_text() == "keep\n"


def test_hand_edited_owned_file_is_overwritten_with_a_note(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("render", str(app), "--output-dir", str(out))
    target = out / "demo" / "configmap-settings-0.yaml"
    rendered = target.read_bytes()
    target.write_text("edited\n")
    result = run("render", str(app), "--output-dir", str(out))
    assert result.exit_code == 0
    assert f"note: {out}/demo/configmap-settings-0.yaml had been edited by hand; replaced" in result.stderr
    assert target.read_bytes() == rendered


# --- all or nothing ---------------------------------------------------------------------------


def test_failed_checks_leave_the_directory_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = tmp_path / "good.py"
    good.write_text(APP)
    assert run("render", str(good), "--output-dir", str(out)).exit_code == 0
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent("""
        from kubegen import Service, ServicePort, Stack
        stack = Stack(namespace="demo", objects=[
            Service(name="web", selector={"app": "nope"}, ports=[ServicePort(port=80)])])
    """))
    before = snapshot(out)
    result = run("render", str(bad), "--output-dir", str(out), "--force")
    assert result.exit_code == 1
    assert "selector-dangling" in result.stderr
    assert snapshot(out) == before


def spawn_paused(app: Path, out: Path, pause: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, PAUSE_ENV: pause}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubegen", "render", str(app), "--output-dir", str(out), *args],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert f"kubegen: test pause: {pause.replace(':', ' ')}" in line, line + proc.stderr.read()
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.stderr is not None
    proc.stderr.close()


@pytest.mark.parametrize("fresh", [False, True], ids=["existing-dir", "new-dir"])
def test_kill_while_staging_leaves_the_directory_byte_identical(app: Path, tmp_path: Path, fresh: bool) -> None:
    out = tmp_path / "out"
    if not fresh:
        run("render", str(app), "--set", "count=4", "--output-dir", str(out))
        (out / "mine.txt").write_text("not kubegen's\n")
    before = snapshot(out)
    proc = spawn_paused(app, out, "stage:2", "--set", "count=6", "--set", "version=2", "--force")
    kill(proc)
    assert snapshot(out) == before
    assert out.exists() != fresh
    assert leftovers(str(out)), "the killed run left its temporary sibling"
    result = run("render", str(app), "--set", "count=6", "--set", "version=2", "--output-dir", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert not leftovers(str(out))
    assert run("check", "--output-dir", str(out)).exit_code == 0


@pytest.mark.parametrize("step", range(5))
def test_kill_between_renames_is_rolled_back(app: Path, tmp_path: Path, step: int) -> None:
    out = tmp_path / "out"
    run("render", str(app), "--set", "count=4", "--output-dir", str(out))
    (out / "mine.txt").write_text("not kubegen's\n")
    before = snapshot(out)
    # count=2, version=2: steps 0-2 replace 2 ConfigMaps and the record; 3-4 remove 2 ConfigMaps
    proc = spawn_paused(app, out, f"commit:{step}", "--set", "count=2", "--set", "version=2", "--force")
    kill(proc)
    if step:
        assert snapshot(out) != before, "the kill was meant to land mid-commit"
    checked = run("check", "--output-dir", str(out))
    assert checked.exit_code == 1
    assert "a kubegen write was killed part way; render again to roll it back and rewrite" in checked.stderr
    assert recover_dir(str(out)) is True
    assert snapshot(out) == before
    assert not leftovers(str(out))


def test_check_during_a_write_says_so(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("render", str(app), "--output-dir", str(out))
    proc = spawn_paused(app, out, "commit:1", "--set", "count=5", "--force")
    try:
        result = run("check", str(app), "--set", "count=5", "--output-dir", str(out), "--force")
    finally:
        kill(proc)
    assert result.exit_code == 1
    assert f"{out}: a kubegen render is writing this directory right now; check again when it is done" \
        in result.stderr


def test_renders_into_sibling_directories_do_not_wait_for_each_other(app: Path, tmp_path: Path) -> None:
    dev, prod = tmp_path / "dev", tmp_path / "prod"
    run("render", str(app), "--output-dir", str(dev))
    run("render", str(app), "--output-dir", str(prod))
    proc = spawn_paused(app, dev, "commit:1", "--set", "count=5", "--force")
    try:
        result = run("render", str(app), "--set", "count=2", "--output-dir", str(prod), "--force")
        assert result.exit_code == 0, result.output
        assert run("check", "--output-dir", str(prod)).exit_code == 0
    finally:
        kill(proc)


def test_next_render_recovers_then_writes(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("render", str(app), "--set", "count=4", "--output-dir", str(out))
    kill(spawn_paused(app, out, "commit:3", "--set", "count=1", "--force"))
    result = run("render", str(app), "--set", "count=5", "--output-dir", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert "rolled back an interrupted write" in result.stderr
    assert run("check", "--output-dir", str(out)).exit_code == 0


# --- check ---------------------------------------------------------------------------------


def test_check_passes_on_fresh_output_and_ignores_foreign_files(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("render", str(app), "--output-dir", str(out), "--kustomization")
    (out / "notes.txt").write_text("mine\n")
    result = run("check", str(app), "--output-dir", str(out), "--kustomization")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"kubegen: {out} is up to date" in result.stderr


def test_check_reports_each_kind_of_drift_with_a_diff(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("render", str(app), "--set", "count=3", "--output-dir", str(out))
    (out / "demo" / "configmap-settings-0.yaml").write_text("edited\n")  # hand-edited
    (out / "demo" / "configmap-settings-1.yaml").unlink()  # missing
    result = run("check", str(app), "--set", "count=2", "--set", "version=2", "--output-dir", str(out), "--force")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{out}/demo/configmap-settings-0.yaml: edited by hand since kubegen wrote it: render would overwrite it" \
        in lines
    assert f"{out}/demo/configmap-settings-1.yaml: missing: render would write it" in lines
    assert (f"{out}/demo/configmap-settings-2.yaml: kubegen wrote it on an earlier run, but render no longer "
            "produces it: render would remove it") in lines
    assert f"{out}/{RECORD_NAME}: stale: kubegen wrote it, but render now writes different content" in lines
    assert lines[-1] == (f"kubegen: {out} is not what render would write: 1 extra, 1 hand-edited, 1 missing, "
                         f"1 stale; to update it run: kubegen render {app} --set count=2 --set version=2 "
                         f"--output-dir {out} --force")
    diff = result.stdout
    assert "--- a/demo/configmap-settings-0.yaml\n+++ b/demo/configmap-settings-0.yaml\n" in diff
    assert "-edited\n" in diff
    assert "--- /dev/null\n+++ b/demo/configmap-settings-1.yaml\n" in diff
    assert "--- a/demo/configmap-settings-2.yaml\n+++ /dev/null\n" in diff


def test_check_diff_applies_with_patch(app: Path, tmp_path: Path) -> None:
    if shutil.which("patch") is None:
        pytest.skip("patch(1) is not installed")
    out = tmp_path / "out"
    run("render", str(app), "--set", "count=3", "--output-dir", str(out))
    (out / "demo" / "configmap-settings-0.yaml").write_bytes(b"no newline at the end")
    result = run("check", str(app), "--set", "count=4", "--set", "version=9", "--output-dir", str(out), "--force")
    assert result.exit_code == 1
    applied = subprocess.run(["patch", "-p1", "-s", "-d", str(out)], input=result.stdout, text=True,
                             capture_output=True)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert run("check", "--output-dir", str(out)).exit_code == 0  # the patch brought the record along


def test_check_of_a_missing_directory(app: Path, tmp_path: Path) -> None:
    result = run("check", str(app), "--set", "version=two words", "--output-dir", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert f"{tmp_path}/none: does not exist: render would create it with 5 files" in result.stderr
    assert f"to update it run: kubegen render {app} --set 'version=two words' --output-dir {tmp_path}/none" \
        in result.stderr
    assert result.stdout.count("--- /dev/null\n") == 5


def test_check_without_kustomization_flag_keeps_it_and_no_kustomization_says_how(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("render", str(app), "--output-dir", str(out), "--kustomization")
    assert run("check", str(app), "--output-dir", str(out)).exit_code == 0  # as recorded
    refused = run("check", str(app), "--output-dir", str(out), "--no-kustomization")
    assert refused.exit_code == 2 and "--no-kustomization: recorded with kustomization.yaml" in refused.stderr
    result = run("check", str(app), "--output-dir", str(out), "--no-kustomization", "--force")
    assert result.exit_code == 1
    assert (f"{out}/kustomization.yaml: kubegen wrote it on an earlier run, but render no longer produces it: "
            "render would remove it (it was rendered with --kustomization; leave --no-kustomization out to keep it)"
            ) in result.stderr


def test_check_reports_a_foreign_file_where_render_writes(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "demo").mkdir(parents=True)
    (out / "demo" / "configmap-settings-0.yaml").write_text("handmade\n")
    result = run("check", str(app), "--output-dir", str(out))
    assert result.exit_code == 1
    assert "configmap-settings-0.yaml: kubegen did not write this file, but render would write here" \
        in result.stderr


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["--set", "colour=red"], "--set colour=red: app.py:stack has no parameter 'colour' (parameters: count, "
                                  "version)"),
        (["--set", "count=many"], "--set count=many: expected a whole number"),
        (["--set", "count"], "'count': expected NAME=VALUE"),
    ],
)
def test_check_rejects_bad_set_values(app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      sets: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("check", "app.py:stack", *sets, "--output-dir", "out")
    assert result.exit_code in (1, 2)
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_library_check_and_diff(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    write_dir([service("web")], out, source="s")
    assert check_dir([service("web")], out, source="s").ok
    changed = service("web", cluster_ip="None")
    assert not check_dir([changed], out, source="s").ok
    diff = diff_dir([changed], out, source="s")
    assert "+  clusterIP: None\n" in diff
    assert check_dir([service("web")], out, source="other").drift[0].state == "stale"


# --- warnings for live objects -----------------------------------------------------------------


def line_of(path: Path, needle: str) -> int:
    return next(i for i, text in enumerate(path.read_text().splitlines(), 1) if needle in text)


FIX = ("the API server rejects the update (field is immutable), so `kubectl apply` and Argo CD fail: keep the old "
       "value, give the object a new name, or render with --allow-recreate and delete it first ({})")


def live_findings_of(objs: list[dict[str, Any]], out: Path) -> list[Any]:
    """What write_dir finds against the directory: raised errors (nothing written) or returned warnings."""
    before = snapshot(out)
    try:
        return write_dir(objs, str(out)).warnings
    except FindingsError as exc:
        assert snapshot(out) == before
        return list(exc.findings)


def test_selector_change_is_an_error_with_the_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_dir([deployment("web", {"app": "web"})], str(out))
    file = out / "shop" / "deployment-web.yaml"
    line = line_of(file, "selector:")
    before = snapshot(out)
    with pytest.raises(FindingsError, match=r"1 error, 0 warnings: nothing was written") as caught:
        write_dir([deployment("web", {"app": "web", "track": "stable"})], str(out))
    assert [f.format() for f in caught.value.findings] == [
        f"{file}:{line}: error immutable-field: Deployment 'web' (namespace shop): spec.selector changes from "
        "{app: web} to {app: web, track: stable}; " + FIX.format("kubectl delete deployment web -n shop")
    ]
    assert snapshot(out) == before
    result = write_dir([deployment("web", {"app": "web", "track": "stable"})], str(out), allow_recreate=True)
    assert [(w.rule, w.severity) for w in result.warnings] == [("immutable-field", "warning")]
    assert "delete the object before this is applied (kubectl delete deployment web -n shop)" in \
        result.warnings[0].message
    assert "track: stable" in file.read_text()


def test_strict_makes_the_warning_fail_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_dir([service("web", "NodePort", 30080)], str(out))
    before = snapshot(out)
    with pytest.raises(FindingsError, match=r"0 errors, 1 warning \(--strict\): nothing was written") as caught:
        write_dir([service("web", "ClusterIP")], str(out), strict=True)
    assert caught.value.findings[0].rule == "node-port-freed"
    assert "type changes from NodePort to ClusterIP, freeing node port(s) 30080" in caught.value.findings[0].message
    assert snapshot(out) == before
    assert write_dir([service("web")], str(out), strict=True, ignore=["node-port-freed"]).warnings == []


@pytest.mark.parametrize(
    ("old", "new", "rule", "needle", "text"),
    [
        (service("web", cluster_ip="10.96.0.10"), service("web", cluster_ip="10.96.0.11"), "immutable-field",
         "clusterIP:", "spec.clusterIP changes from 10.96.0.10 to 10.96.0.11"),
        (service("web", cluster_ip="None"), service("web"), "immutable-field",
         "clusterIP:", "spec.clusterIP leaves out clusterIP, but the Service is headless (None)"),
        (service("web"), service("web", cluster_ip="None"), "immutable-field",
         "spec:", "spec.clusterIP becomes None, but the live Service already has the address the cluster gave it"),
        (service("web", "NodePort", 30080), service("web", "NodePort", 30081), "node-port-freed",
         "nodePort:", "port 'http' moves from node port 30080 to 30081"),
        (service("web", "LoadBalancer", 30080), service("web", "ClusterIP"), "node-port-freed",
         "type:", "type changes from LoadBalancer to ClusterIP, freeing node port(s) 30080"),
    ],
)
def test_service_changes_that_break_live_objects(tmp_path: Path, old: dict[str, Any], new: dict[str, Any],
                                                 rule: str, needle: str, text: str) -> None:
    out = tmp_path / "out"
    write_dir([old], str(out))
    file = out / "shop" / "service-web.yaml"
    line = line_of(file, needle)
    found = live_findings_of([new], out)
    assert [(f.rule, f.location.line) for f in found] == [(rule, line)]
    assert text in found[0].message
    assert found[0].severity == ("error" if rule == "immutable-field" else "warning")


def test_changes_a_live_object_accepts_do_not_warn(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_dir([service("web", "NodePort", 30080), deployment("web", {"app": "web"})], str(out))
    labelled = deployment("web", {"app": "web"})
    labelled["spec"]["replicas"] = 5
    # NodePort -> LoadBalancer keeps the node port; a replica change is an ordinary update
    assert write_dir([service("web", "LoadBalancer", 30080), labelled], str(out)).warnings == []


def test_cli_refuses_an_immutable_change_unless_allowed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    app_file = tmp_path / "web.py"
    app_file.write_text(textwrap.dedent("""
        from kubegen import Container, Deployment, Stack

        def stack(track: str = "a") -> Stack:
            web = Deployment(name="web", labels={"app": "web", "track": track},
                             containers=[Container(name="web", image="nginx:1.27")])
            return Stack(namespace="shop", objects=[web])
    """))
    assert run("render", str(app_file), "--output-dir", str(out)).exit_code == 0
    file = out / "shop" / "deployment-web.yaml"
    line = line_of(file, "selector:")
    refused = run("render", str(app_file), "--set", "track=b", "--output-dir", str(out), "--force")
    assert refused.exit_code == 1
    assert f"{file}:{line}: error immutable-field: Deployment 'web' (namespace shop): spec.selector" in refused.stderr
    assert "kubegen: 1 error, 0 warnings: nothing was written" in refused.stderr
    assert "track: a" in file.read_text()
    assert run("check", str(app_file), "--set", "track=b", "--output-dir", str(out), "--force").exit_code == 1
    strict = run("render", str(app_file), "--set", "track=b", "--output-dir", str(out), "--force",
                 "--allow-recreate", "--strict")
    assert strict.exit_code == 1 and "warning immutable-field" in strict.stderr and "track: a" in file.read_text()
    relaxed = run("render", str(app_file), "--set", "track=b", "--output-dir", str(out), "--force", "--allow-recreate")
    assert relaxed.exit_code == 0
    assert f"{file}:{line}: warning immutable-field:" in relaxed.stderr
    assert "track: b" in file.read_text()
    ignored = run("render", str(app_file), "--set", "track=c", "--output-dir", str(out), "--force", "--ignore",
                  "immutable-field")
    assert ignored.exit_code == 0 and "immutable-field" not in ignored.stderr


def test_usage_errors(app: Path, tmp_path: Path) -> None:
    both = run("render", str(app), "-o", "x.yaml", "--output-dir", str(tmp_path / "o"))
    assert both.exit_code == 2 and "use either -o/--output or --output-dir, not both" in both.stderr
    kust = run("render", str(app), "--kustomization")
    assert kust.exit_code == 2 and "--kustomization needs --output-dir DIR" in kust.stderr
    fsync = run("render", str(app), "--fsync")
    assert fsync.exit_code == 2 and "--fsync needs --output-dir DIR" in fsync.stderr
    missing = run("check", str(app))
    assert missing.exit_code == 2 and "--output-dir" in missing.stderr


def test_an_error_at_any_step_of_the_swap_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    old = [service("a"), service("b"), service("c"), deployment("gone", {"app": "gone"}, namespace="old")]
    new = [service("a", cluster_ip="None"), service("b"), {**service("d"), "metadata": {"name": "d",
           "namespace": "fresh"}}]
    write_dir(old, str(out), kustomization=True)
    (out / "mine.txt").write_text("mine\n")
    before = snapshot(out)
    real_replace = os.replace
    steps = 0
    while True:
        calls = [0]

        def failing(src: Any, dst: Any, _limit: int = steps, _calls: list[int] = calls) -> None:
            _calls[0] += 1
            if _calls[0] == _limit + 1:  # fail this one call only: the rollback's own calls succeed
                raise OSError(28, "No space left on device")
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", failing)
        try:
            write_dir(new, str(out), allow_recreate=True)  # service a becomes headless
        except KubegenError as exc:
            assert f"cannot write {out}: No space left on device; nothing was changed" in str(exc)
        else:
            break  # every step has failed once; this run had no step left to fail
        finally:
            monkeypatch.setattr(os, "replace", real_replace)
        assert snapshot(out) == before, f"failure at os.replace #{steps}"
        assert not leftovers(str(out))
        steps += 1
    assert steps >= 5  # a, d, the record, kustomization removal, the gone Deployment
    assert check_dir(new, str(out), allow_recreate=True).ok
    assert not (out / "old").exists() and (out / "mine.txt").read_text() == "mine\n"


def test_statefulset_fields_the_api_will_not_update(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sts = deployment("db", {"app": "db"})
    sts["kind"] = "StatefulSet"
    sts["spec"]["serviceName"] = "db"
    write_dir([sts], str(out))
    file = out / "shop" / "statefulset-db.yaml"
    line = line_of(file, "serviceName:")
    moved = {**sts, "spec": {**sts["spec"], "serviceName": "db-headless", "replicas": 3}}
    assert [f.format() for f in live_findings_of([moved], out)] == [
        f"{file}:{line}: error immutable-field: StatefulSet 'db' (namespace shop): "
        "spec.serviceName changes from db to db-headless; " + FIX.format("kubectl delete statefulset db -n shop")
    ]


def _configmaps(spec: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns},
             "data": {"v": value}} for (ns, name), value in sorted(spec.items())]


_KEYS = [(ns, name) for ns in ("a", "b", "c") for name in ("x", "y")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    old=st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(["1", "2"])),
    new=st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(["1", "2"])),
    kustomize=st.tuples(st.booleans(), st.booleans()),
    fail_at=st.integers(min_value=0, max_value=12),
)
def test_any_change_is_all_or_nothing(monkeypatch: pytest.MonkeyPatch, old: dict[tuple[str, str], str],
                                      new: dict[tuple[str, str], str], kustomize: tuple[bool, bool],
                                      fail_at: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        write_dir(_configmaps(old), str(out), kustomization=kustomize[0])
        (out / "a").mkdir(exist_ok=True)
        (out / "a" / "notes.txt").write_text("mine\n")
        before = snapshot(out)
        real = os.replace
        calls = [0]

        def failing(src: Any, dst: Any) -> None:
            calls[0] += 1
            if calls[0] == fail_at + 1:
                raise OSError(5, "Input/output error")
            real(src, dst)

        monkeypatch.setattr(os, "replace", failing)
        try:
            write_dir(_configmaps(new), str(out), kustomization=kustomize[1])
            failed = False
        except KubegenError as exc:
            assert "Input/output error; nothing was changed" in str(exc)
            failed = True
        finally:
            monkeypatch.setattr(os, "replace", real)
        if failed:
            assert snapshot(out) == before
        else:
            assert check_dir(_configmaps(new), str(out), kustomization=kustomize[1]).ok
            assert (out / "a" / "notes.txt").read_text() == "mine\n"
        assert not leftovers(str(out))
