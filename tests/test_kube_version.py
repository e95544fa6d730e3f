"""``--kube-version X.Y`` (lint, render, check) and ``kube_version=`` (library): rules whose
answer changed between Kubernetes releases answer for the target, and say which release
their verdict applies to."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import kubegen
from kubegen.checks import CheckOptions, kubeversion
from kubegen.cli import main
from kubegen.errors import FindingsError, UsageError
from kubegen.lint import lint_paths


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "in.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def errors_for(path: Path, version: str | None) -> list[str]:
    options = CheckOptions(kube_version=version, partial=True)
    return [f.message for f in lint_paths([str(path)], options) if f.severity == "error"]


SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: 2fa}
spec:
  selector: {app: x}
  ports: [{port: 80}]
"""


def test_default_is_the_newest_shipped_release() -> None:
    assert kubeversion.newest() == "1.36"
    assert CheckOptions().target == (1, 36)
    assert CheckOptions(kube_version="v1.30.4").target == (1, 30)


@pytest.mark.parametrize("bad", ["1.24", "1.37", "2.0", "latest", ""])
def test_versions_outside_the_supported_range_are_refused(bad: str) -> None:
    with pytest.raises(UsageError, match="--kube-version"):
        CheckOptions(kube_version=bad)


def test_lint_option_answers_for_the_target(tmp_path: Path) -> None:
    path = write(tmp_path, SERVICE)
    code, out, _ = run("lint", "--partial", str(path))
    assert code == 0, out
    code, out, _ = run("lint", "--partial", "--kube-version", "1.35", str(path))
    assert code == 1
    assert ("error name: Service '2fa': metadata.name: '2fa' must be an RFC 1035 label: it must consist of lower "
            "case alphanumeric characters or '-', start with a letter and end with an alphanumeric character (try "
            "'svc-2fa') (Kubernetes 1.35; 1.36 changed this rule)") in out
    code, _, err = run("lint", "--kube-version", "1.20", str(path))
    assert code == 2
    assert "Invalid value for --kube-version: '1.20': kubegen answers for Kubernetes 1.25 to 1.36" in err
    code, _, err = run("lint", "--kube-version", "next", str(path))
    assert code == 2 and "expected MAJOR.MINOR, e.g. 1.36" in err


APP = """\
from kubegen import Container, Deployment, Stack

web = Deployment(name="web", containers=[Container(name="web", image="nginx", ports={"http": 80})])
stack = Stack(namespace="demo", objects=[web, web.expose(80, target_port="http", name="2fa")])
"""


def test_render_and_check_options_and_the_library(tmp_path: Path) -> None:
    app = write(tmp_path, APP, "app.py")
    code, out, err = run("render", str(app))
    assert code == 0, err
    code, out, err = run("render", str(app), "--kube-version", "1.35")
    assert code == 1 and out == ""
    assert f"{app}:4: error name: Service '2fa': metadata.name: '2fa' must be an RFC 1035 label" in err
    code, _, err = run("check", str(app), "--output-dir", str(tmp_path / "deploy"), "--kube-version", "1.35")
    assert code == 1 and "error name: Service '2fa'" in err
    code, _, err = run("check", str(app), "--output-dir", str(tmp_path / "deploy"), "--kube-version", "1.36")
    assert code == 1 and "error" not in err and "does not exist" in err

    web = kubegen.Deployment(name="web", containers=[kubegen.Container(name="web", image="nginx", ports={"http": 80})])
    stack = kubegen.Stack(namespace="demo", objects=[web, web.expose(80, target_port="http", name="2fa")])
    assert "kind: Service" in kubegen.render(stack)
    with pytest.raises(FindingsError) as caught:
        kubegen.render(stack, kube_version="1.35")
    assert [f.rule for f in caught.value.findings if f.severity == "error"] == ["name"]
    assert [f.rule for f in kubegen.check_stack(stack, kube_version="1.35") if f.severity == "error"] == ["name"]
    with pytest.raises(FindingsError):
        kubegen.render_dicts(stack, kube_version="1.35")


def test_statefulset_rules_per_release(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db.main}
        spec:
          serviceName: DB
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: c, image: x, ports: [{containerPort: 70000}]}]
        """)
    found = {v: errors_for(path, v) for v in ("1.26", "1.27", "1.32", "1.33", "1.34")}
    assert not [m for m in found["1.26"] if "metadata.name" in m], "a subdomain name was fine before 1.27"
    assert any("metadata.name: 'db.main' must be a lowercase RFC 1123 label" in m
               and "(Kubernetes 1.27 and later)" in m for m in found["1.27"])
    assert not [m for m in found["1.32"] if "serviceName" in m]
    assert any("spec.serviceName: 'DB' must be a lowercase RFC 1123 label" in m for m in found["1.33"])
    # the pod template is validated by the API server since 1.34; before, the pods fail later
    assert not [m for m in found["1.33"] if "containerPort" in m]
    assert any("containers[0].ports[0].containerPort: 70000 must be between 1 and 65535" in m for m in found["1.34"])
    warnings = [f.message for f in lint_paths([str(path)], CheckOptions(kube_version="1.33", partial=True))
                if f.severity == "warning" and "containerPort" in f.message]
    assert warnings and "the Kubernetes 1.33 API server accepts this in a StatefulSet" in warnings[0]


def test_service_traffic_distribution_and_env_names_per_release(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          trafficDistribution: PreferSameZone
          selector: {app: web}
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, labels: {app: web}}
        spec:
          containers: [{name: c, image: x, env: [{name: 1ST VAR, value: a}]}]
        """)
    assert [m for m in errors_for(path, "1.30") if "trafficDistribution" in m] == []  # ignored before 1.31
    [older] = [m for m in errors_for(path, "1.33") if "trafficDistribution" in m]
    assert "'PreferSameZone' is not supported (Kubernetes 1.33; 1.34 changed this rule); supported values: " \
        "PreferClose" in older
    assert [m for m in errors_for(path, "1.34") if "trafficDistribution" in m] == []
    [env] = [m for m in errors_for(path, "1.31") if "env[0].name" in m]
    assert "must not start with a digit (Kubernetes 1.31; 1.32 changed this rule)" in env
    assert [m for m in errors_for(path, "1.32") if "env[0].name" in m] == []


def test_removed_api_versions_answer_for_the_target(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        apiVersion: autoscaling/v2beta2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          maxReplicas: 3
        """)
    [old] = [f for f in lint_paths([str(path)], CheckOptions(kube_version="1.25", partial=True))
             if f.rule == "api-version"]
    assert (old.severity, old.rule) == ("warning", "api-version")
    assert old.message.endswith("autoscaling/v2beta2 HorizontalPodAutoscaler is served by Kubernetes 1.25 but "
                                "removed in 1.26; move to autoscaling/v2 before upgrading")
    [new] = [f for f in lint_paths([str(path)], CheckOptions(kube_version="1.26", partial=True))
             if f.rule == "api-version"]
    assert (new.severity, new.rule) == ("error", "api-version")
    assert new.message.endswith("was removed in Kubernetes 1.26; use autoscaling/v2")
