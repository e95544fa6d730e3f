"""generateName and GitOps hooks: builders, the generate-name and hook rules, output.

Facts the rules follow: a real kube-apiserver v1.36.2 answered ``kubectl apply`` of a
StatefulSet with only ``generateName: db-`` with ``error: from db-: cannot use generate
name with apply`` (issue 9's recorded verdict ``sts-gen-name-only``): kubectl refuses it
before the server sees it; ``kubectl create`` and hook-running tools (Argo CD, Helm) create
such objects (the kubectl oracle test in test_kubectl_oracle.py runs both).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kubegen import BuilderError, Container, External, Hook, Job, Pod, Stack, check_stack, render
from kubegen.checks import CheckOptions, run_checks
from kubegen.cli import main
from kubegen.errors import FindingsError
from kubegen.reader import read_text

MIGRATE = [Container(name="migrate", image="ghcr.io/example/migrate:2.1", args=["up"])]


def lint_text(text: str) -> list[str]:
    manifests = read_text(textwrap.dedent(text), "in.yaml").manifests
    return [f"{f.severity} {f.rule}: {f.message}" for f in run_checks(manifests, CheckOptions())
            if f.rule in ("generate-name", "hook")]


STS_GEN_NAME_ONLY = """\
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      generateName: db-
    spec:
      serviceName: db
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec:
          containers: [{name: postgres, image: "postgres:16.4"}]
"""


# --- the rules -------------------------------------------------------------------------


def test_generate_name_without_a_hook_is_an_error_as_kubectl_apply_refuses_it() -> None:
    found = lint_text(STS_GEN_NAME_ONLY)
    assert found == [
        "error generate-name: StatefulSet 'db-*' has metadata.generateName 'db-' and no metadata.name: kubectl "
        "apply cannot create it (error: cannot use generate name with apply), nor can Argo CD or Flux sync it; "
        "set metadata.name, create it with kubectl create -f, or make it a hook that Argo CD or Helm creates "
        "(argocd.argoproj.io/hook: PreSync, helm.sh/hook: pre-install)"
    ]


@pytest.mark.parametrize(("key", "value", "tool"), [
    ("argocd.argoproj.io/hook", "PreSync", "Argo CD creates it as a PreSync hook"),
    ("helm.sh/hook", "pre-install,pre-upgrade", "Helm creates it as a pre-install,pre-upgrade hook"),
])
def test_generate_name_on_a_hook_is_a_warning(key: str, value: str, tool: str) -> None:
    text = STS_GEN_NAME_ONLY.replace("  generateName: db-\n", f"  generateName: db-\n      annotations: {{{key}: '{value}'}}\n")
    found = lint_text(text)
    assert len(found) == 1 and found[0].startswith("warning generate-name: StatefulSet 'db-*'"), found
    assert f"{tool}, with a new name each time; without that tool, create it with kubectl create -f" in found[0]


def test_generate_name_on_an_argo_cd_skip_hook_is_a_warning_that_argo_cd_never_creates_it() -> None:
    text = STS_GEN_NAME_ONLY.replace(
        "  generateName: db-\n", "  generateName: db-\n      annotations: {argocd.argoproj.io/hook: Skip}\n")
    found = lint_text(text)
    assert len(found) == 1 and found[0].startswith("warning generate-name: StatefulSet 'db-*'"), found
    assert found[0].endswith("; Argo CD skips it (hook Skip) and never creates it; create it with kubectl create -f")
    assert "creates it as a" not in found[0]


def test_a_name_and_a_generate_name_is_fine() -> None:
    assert lint_text(STS_GEN_NAME_ONLY.replace("generateName: db-", "{name: db, generateName: db-}")
                     .replace("  metadata:\n      {", "  metadata: {")) == []


def test_unknown_hook_values_are_errors_with_the_closest_value() -> None:
    found = lint_text("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          annotations:
            argocd.argoproj.io/hook: Presync
            argocd.argoproj.io/hook-delete-policy: HookSucceded
            argocd.argoproj.io/sync-wave: first
            helm.sh/hook: pre-instal
            helm.sh/hook-weight: " 1"
            helm.sh/hook-delete-policy: before-hook-creation
    """)
    assert found == [
        "error hook: ConfigMap 'settings': argocd.argoproj.io/hook: 'Presync' is not one of PreSync, Sync, PostSync, "
        "SyncFail, PreDelete, PostDelete, Skip; did you mean 'PreSync'?; Argo CD ignores it, so the object is not "
        "the hook you meant",
        "error hook: ConfigMap 'settings': argocd.argoproj.io/hook-delete-policy: 'HookSucceded' is not one of "
        "HookSucceeded, HookFailed, BeforeHookCreation; did you mean 'HookSucceeded'?; Argo CD ignores it and keeps "
        "its default (BeforeHookCreation)",
        "error hook: ConfigMap 'settings': argocd.argoproj.io/sync-wave: 'first' is not an integer (such as \"-1\" "
        "or \"5\"); Argo CD reads it as wave 0",
        "error hook: ConfigMap 'settings': helm.sh/hook: 'pre-instal' is not one of pre-install, post-install, "
        "pre-upgrade, post-upgrade, pre-delete, post-delete, pre-rollback, post-rollback, test, test-success; did "
        "you mean 'pre-install'?; Helm skips an object with an unknown hook event altogether",
        "error hook: ConfigMap 'settings': helm.sh/hook-weight: ' 1' is not an integer (such as \"-1\" or \"5\"); "
        "Helm reads it as weight 0",
    ]


def test_hook_values_the_tools_accept() -> None:
    assert lint_text("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          annotations:
            argocd.argoproj.io/hook: PreSync,SyncFail
            argocd.argoproj.io/hook-delete-policy: HookSucceeded, BeforeHookCreation
            argocd.argoproj.io/sync-wave: "-3"
            helm.sh/hook: Pre-Install, post-upgrade
            helm.sh/hook-weight: "10"
    """) == []


@pytest.mark.parametrize("value", ["-5", "true", "[1]"])
def test_an_unquoted_hook_value_is_one_finding(value: str) -> None:
    """``helm.sh/hook-weight: -5`` unquoted is a number, which kubectl refuses in an
    annotation: the YAML-value (or schema) rule says so, once; the hook rule stays quiet."""
    manifests = read_text(textwrap.dedent(f"""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          annotations:
            helm.sh/hook: pre-install
            helm.sh/hook-weight: {value}
    """), "in.yaml").manifests
    found = [f for f in run_checks(manifests, CheckOptions()) if f.severity == "error"]
    assert len(found) == 1 and found[0].rule in ("yaml-boolean", "schema"), [f.format() for f in found]
    assert "helm.sh/hook-weight" in found[0].message and "string" in found[0].message


def test_a_delete_policy_on_an_object_that_is_no_hook_is_a_warning() -> None:
    found = lint_text("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: s, annotations: {argocd.argoproj.io/hook-delete-policy: HookSucceeded}}
    """)
    assert found == ["warning hook: ConfigMap 's': argocd.argoproj.io/hook-delete-policy has no effect: the object "
                     "is no hook (add argocd.argoproj.io/hook or helm.sh/hook, or drop it)"]


# --- builders --------------------------------------------------------------------------


def test_builders_take_generate_name_instead_of_name() -> None:
    job = Job(generate_name="db-migrate-", containers=MIGRATE, hook=Hook.argocd("PreSync"), sync_wave=-1)
    obj = job.to_dict()
    assert obj["metadata"] == {
        "generateName": "db-migrate-", "labels": {"app": "db-migrate"},
        "annotations": {"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/sync-wave": "-1"},
    }
    assert obj["spec"]["template"]["metadata"]["labels"] == {"app": "db-migrate"}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "Job: name= is required (or generate_name='prefix-'"),
    ({"name": "migrate", "generate_name": "migrate-"}, "Job 'migrate': give name= or generate_name=, not both"),
    ({"generate_name": "Migrate-"}, "Job: generate_name 'Migrate-' "),
    ({"name": "m", "sync_wave": "1"}, "Job 'm': sync_wave must be an int or None (got '1', a str); write sync_wave=1"),
    ({"name": "m", "hook": "PreSync"}, "Job 'm': hook must be a Hook or None (got 'PreSync', a str); write hook=Hook"),
    ({"name": "m", "hook": Hook.argocd("PreSync"), "annotations": {"argocd.argoproj.io/hook": "Sync"}},
     "Job 'm': annotation 'argocd.argoproj.io/hook' is also set by hook= or sync_wave=; set it in one place only"),
    ({"name": "m", "sync_wave": 2**70}, "Job 'm': sync_wave: argocd.argoproj.io/sync-wave: '1180591620717411303424' "
                                       "is beyond a 64-bit integer"),
])
def test_builder_messages(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises((BuilderError, TypeError), match=None) as info:
        Job(containers=MIGRATE, **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Hook.argocd("Presync"), "Hook: argocd.argoproj.io/hook: 'Presync' is not one of PreSync"),
    (lambda: Hook.helm("pre-install", delete_policy="hook-succeded"), "did you mean 'hook-succeeded'?"),
    (lambda: Hook(), "Hook: give Argo CD phases (Hook.argocd('PreSync')) or Helm events"),
    (lambda: Hook(argocd_delete_policy=["HookFailed"], helm_events=["test"]),
     "Hook: argocd_delete_policy needs argocd_phases"),
    (lambda: Hook.argocd("PreSync") | Hook.argocd("Sync"), "Hook: argocd_phases is given twice"),
])
def test_hook_messages(make: object, message: str) -> None:
    with pytest.raises(BuilderError) as info:
        make()  # type: ignore[operator]
    assert message in str(info.value)


def test_hooks_of_both_tools_combine() -> None:
    hook = Hook.argocd("PreSync", delete_policy=["HookSucceeded", "BeforeHookCreation"]) | Hook.helm(
        "pre-install", "pre-upgrade", weight=-5)
    assert hook.annotations() == {
        "argocd.argoproj.io/hook": "PreSync",
        "argocd.argoproj.io/hook-delete-policy": "HookSucceeded,BeforeHookCreation",
        "helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": "-5",
    }


def test_nothing_refers_to_an_object_by_a_generated_name() -> None:
    job = Job(generate_name="smoke-", containers=MIGRATE)
    with pytest.raises(BuilderError, match=r"Job 'smoke-\*' has only a generate_name: the API server names it"):
        Pod(name="p", containers=MIGRATE).run_as(job)


def test_render_errors_without_a_hook_and_warns_with_one() -> None:
    plain = Stack(objects=[Job(generate_name="migrate-", containers=MIGRATE)])
    with pytest.raises(FindingsError) as info:
        render(plain)
    assert [(f.rule, f.severity) for f in info.value.findings] == [("generate-name", "error")]
    hooked = Stack(objects=[Job(generate_name="migrate-", containers=MIGRATE, hook=Hook.helm("pre-upgrade"))])
    docs = list(yaml.safe_load_all(render(hooked)))
    assert docs[0]["metadata"]["generateName"] == "migrate-" and "name" not in docs[0]["metadata"]
    assert [(f.rule, f.severity) for f in check_stack(hooked)] == [("generate-name", "warning")]


# --- output directory ------------------------------------------------------------------


APP = """\
from kubegen import Container, Hook, Job, Stack
stack = Stack(namespace="shop", objects=[
    Job(generate_name="migrate-", hook=Hook.argocd("PreSync"),
        containers=[Container(name="m", image="ghcr.io/example/migrate:{tag}")]),
])
"""


def test_output_dir_names_the_file_after_the_prefix_and_a_new_template_is_no_immutable_change(tmp_path: Path) -> None:
    app, out = tmp_path / "app.py", tmp_path / "out"
    app.write_text(APP.format(tag="2.1"))
    result = CliRunner().invoke(main, ["render", str(app), "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "shop" / "job-migrate-.yaml").is_file()
    app.write_text(APP.format(tag="2.2"))  # a Job's template is immutable, but a hook is created anew
    result = CliRunner().invoke(main, ["render", str(app), "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert "ghcr.io/example/migrate:2.2" in (out / "shop" / "job-migrate-.yaml").read_text()


def test_kustomization_refuses_an_object_kustomize_cannot_build(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP.format(tag="2.1"))
    result = CliRunner().invoke(main, ["render", str(app), "--output-dir", str(tmp_path / "out"), "--kustomization"])
    assert result.exit_code == 1
    assert "Job 'migrate-*' has only a generateName, and kustomize cannot build an object without metadata.name" \
        in result.output
    assert not (tmp_path / "out").exists()


def test_externals_are_not_objects_of_the_output(tmp_path: Path) -> None:
    stack = Stack(objects=[External.pods({"app": "db"}, ports=[5432])])
    assert render(stack) == ""
