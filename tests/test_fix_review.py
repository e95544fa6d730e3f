"""`kubegen lint --fix` against messy real-world YAML: the layouts, file sets and
interactions a review found broken, each a reproduction of what a user ran into."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import yaml
from click.testing import CliRunner
from conftest import assert_valid_k8s

from kubegen.checks import CheckOptions
from kubegen.cli import main
from kubegen.fix import FixResult, fix_paths
from kubegen.lint import lint


def fix(tmp_path: Path, text: str, name: str = "app.yaml", *, partial: bool = True) -> tuple[FixResult, str]:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).encode())
    result = fix_paths([str(path)], CheckOptions(partial=partial))
    return result, path.read_bytes().decode()


def lint_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


SERVICE = "apiVersion: apps/v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n"


# --- the Ingress conversion ------------------------------------------------------------


def test_a_v1beta1_path_without_path_gets_its_path_type_too(tmp_path: Path) -> None:
    # `path` is optional in v1beta1; the backend is then the entry's last key, and the
    # pathType must not be added where the backend's old keys are taken away
    result, text = fix(tmp_path, """\
        apiVersion: networking.k8s.io/v1beta1
        kind: Ingress
        metadata:
          name: edge
          annotations:
            nginx.ingress.kubernetes.io/rewrite-target: /
        spec:
          tls:
          - hosts: [shop.example.com]
            secretName: shop-tls
          rules:
          - host: shop.example.com
            http:
              paths:
              - backend:
                  serviceName: web   # all of it
                  servicePort: 80
          - host: api.example.com
            http:
              paths:
              - backend:
                  serviceName: api
                  servicePort: grpc
        """)
    assert [f.rule for f in result.applied] == ["api-version"]
    assert text == textwrap.dedent("""\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: edge
          annotations:
            nginx.ingress.kubernetes.io/rewrite-target: /
        spec:
          tls:
          - hosts: [shop.example.com]
            secretName: shop-tls
          rules:
          - host: shop.example.com
            http:
              paths:
              - pathType: ImplementationSpecific
                backend:
                  service:
                    name: web   # all of it
                    port:
                      number: 80
          - host: api.example.com
            http:
              paths:
              - pathType: ImplementationSpecific
                backend:
                  service:
                    name: api
                    port:
                      name: grpc
        """)
    assert_valid_k8s(yaml.safe_load(text))


# --- fixes that meet in one object -----------------------------------------------------


def test_a_fix_that_brings_a_finding_is_refused_alone(tmp_path: Path) -> None:
    # quoting `-.5` makes a label value the API rejects (it must start with a letter or
    # digit): that fix is refused, with that finding as the reason; the others stand
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          labels:
            canary: yes
            ratio: -.5
        data:
          debug: on
        """)
    assert text.splitlines()[5:] == ['    canary: "yes"', "    ratio: -.5", "data:", '  debug: "on"']
    assert sorted(f.summary for f in result.applied) == ['data.debug: on -> "on"', 'metadata.labels.canary: yes -> "yes"']
    [(refused, reason)] = result.refused
    assert refused.summary == 'metadata.labels.ratio: -.5 -> "-.5"'
    assert reason.startswith("the change would bring name: ConfigMap 'settings': metadata.labels[ratio]: label ratio='-.5'")


# --- the files given -------------------------------------------------------------------


def test_a_file_given_twice_or_also_through_its_directory_is_one_file(tmp_path: Path) -> None:
    k8s = tmp_path / "k8s"
    k8s.mkdir()
    svc = k8s / "svc.yaml"
    svc.write_text(SERVICE)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        given = ["k8s", "k8s/svc.yaml", "./k8s/svc.yaml", str(svc), "k8s/../k8s/svc.yaml"]
        assert [f.rule for f in lint(given, CheckOptions()).findings] == ["api-version"]  # no `duplicate`
        result = fix_paths(given)
    finally:
        os.chdir(cwd)
    assert result.skipped == {} and [f.rule for f in result.applied] == ["api-version"]
    assert svc.read_text() == SERVICE.replace("apps/v1", "v1")
    assert result.lint.summary() == "0 errors, 0 warnings in 1 object from 1 file"


def test_a_read_only_file_is_left_alone_with_the_reason(tmp_path: Path) -> None:
    # as editors and other fixers do (ruff --fix, eslint --fix fail on it): a file made
    # read-only is not replaced behind its owner's back, even by root
    svc = tmp_path / "svc.yaml"
    svc.write_text(SERVICE)
    svc.chmod(0o444)
    code, out, _ = lint_cli("--fix", str(tmp_path))
    assert svc.read_text() == SERVICE and (svc.stat().st_mode & 0o777) == 0o444
    assert f"{svc}: not fixed: is read-only; make it writable (chmod u+w) to let --fix change it\n" in out
    assert code == 1
    code, out, _ = lint_cli("--diff", str(svc))  # --diff writes nothing: it shows the change
    assert code == 0 and out.startswith("--- a/")


def test_the_diff_applies_from_here_however_the_paths_were_written(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    (work / "k8s").mkdir(parents=True)
    svc = work / "k8s" / "svc.yaml"
    svc.write_text(SERVICE)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        for given in ["./k8s", "k8s/./svc.yaml", str(work / "k8s"), "../repo/k8s"]:
            code, out, _ = lint_cli("--diff", given)
            assert code == 0 and out.startswith("--- a/k8s/svc.yaml\n+++ b/k8s/svc.yaml\n"), (given, out)
            subprocess.run(["git", "apply", "--check", "-"], input=out.encode(), check=True)
            subprocess.run(["patch", "-p1", "--dry-run", "-s"], input=out.encode(), check=True)
    finally:
        os.chdir(cwd)
    assert svc.read_text() == SERVICE


# --- layouts ---------------------------------------------------------------------------


def test_tabs_where_kubectl_allows_them_do_not_stop_the_fix(tmp_path: Path) -> None:
    # libyaml (kubectl's YAML parser, and kubegen's) allows a tab after a value and before
    # a comment; ruamel.yaml's scanner does not, which must not leave the file unfixed
    text = "apiVersion: apps/v1\t# wrong group\nkind: Service\nmetadata:\n  name: web\t\nspec:\n  type: ClusterIp\t\n  ports: [{port: 80,\tprotocol: udp}]\n"
    result, after = fix(tmp_path, text)
    assert result.skipped == {}
    assert after == text.replace("apps/v1", "v1").replace("ClusterIp", "ClusterIP").replace("udp", "UDP")


def test_yaml_ruamel_cannot_edit_is_named_with_its_line(tmp_path: Path) -> None:
    # a BOM in the middle of the text: libyaml reads it, ruamel.yaml's scanner does not
    text = SERVICE.replace("kind: Service\n", "kind: Service\n\ufeff\n")
    result, after = fix(tmp_path, text)
    [(file, reason)] = result.skipped.items()
    assert after == text
    assert reason == "ruamel.yaml cannot read it for editing (line 4: could not find expected ':')"


# --- close matches ---------------------------------------------------------------------

PODS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api:1.2
        ports: [{name: http, containerPort: 8080}, {name: grpc, containerPort: 9090}]
"""


def wired(tmp_path: Path, selector: str, target: str) -> tuple[FixResult, str]:
    (tmp_path / "pods.yaml").write_text(PODS)
    svc = tmp_path / "svc.yaml"
    svc.write_text(f"apiVersion: v1\nkind: Service\nmetadata: {{name: api}}\nspec:\n  selector: {{app: {selector}}}\n"
                   f"  ports: [{{port: 80, targetPort: {target}}}]\n")
    result = fix_paths([str(tmp_path)])
    return result, svc.read_text()


def test_a_slip_in_a_short_port_name_is_a_typo(tmp_path: Path) -> None:
    # the README's own example: `targetPort: htpp` -> `http` (lint says "did you mean 'http'?");
    # port names are short by nature and chosen among the few the selected pods declare
    result, text = wired(tmp_path, "api", "htpp")
    assert "targetPort: http}" in text and result.left == []
    assert [f.summary for f in result.applied] == ["spec.ports[0].targetPort htpp -> http"]


def test_a_letter_changed_in_a_short_label_is_another_name(tmp_path: Path) -> None:
    # short label values differ by one letter (api, app) and are left
    result, text = wired(tmp_path, "apx", "http")
    assert "selector: {app: apx}" in text and result.applied == []
    assert [f.rule for f in result.left] == ["selector-dangling"]


# --- kustomize -------------------------------------------------------------------------


def test_kustomize_patches_are_left_alone_and_resources_fixed(tmp_path: Path) -> None:
    # a patch is part of an object: kustomize finds its target by apiVersion, kind and
    # name, so a "fixed" apiVersion would make the overlay fail to build, and a selector
    # added to a patch would change the live workload's (immutable) selector
    base, overlay = tmp_path / "base", tmp_path / "overlay"
    (overlay / "patches").mkdir(parents=True)
    base.mkdir()
    (base / "kustomization.yaml").write_text("resources: [svc.yaml]\n")
    (base / "svc.yaml").write_text(SERVICE.replace("apps/v1", "v1").replace("port: 80", "port: 80\n    protocol: tcp"))
    (overlay / "kustomization.yaml").write_text(
        "resources: [../base]\npatchesStrategicMerge:\n- svc-patch.yaml\npatches:\n"
        "- path: patches/deploy.yaml\n  target: {kind: Deployment}\n")
    svc_patch = "apiVersion: apps/v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: ClusterIp\n"
    deploy_patch = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: \"3\"\n"
                    "  template:\n    metadata:\n      labels: {version: v2}\n")
    (overlay / "svc-patch.yaml").write_text(svc_patch)
    (overlay / "patches" / "deploy.yaml").write_text(deploy_patch)
    result = fix_paths([str(tmp_path)], CheckOptions(partial=True))
    assert (overlay / "svc-patch.yaml").read_text() == svc_patch
    assert (overlay / "patches" / "deploy.yaml").read_text() == deploy_patch
    assert "protocol: TCP" in (base / "svc.yaml").read_text()
    reason = (f"is a kustomize patch (named in {overlay / 'kustomization.yaml'}): part of an object, "
              "not a whole one; fix the object it patches, or check `kubectl kustomize` output")
    # a directory walk does not read a patch at all (it is no object: kubegen.reader_kustomize),
    # so it has nothing to leave; given on its own, a patch is read, recognised and left
    assert result.skipped == {}
    assert fix_paths([str(overlay / "patches" / "deploy.yaml")]).skipped == {str(overlay / "patches" / "deploy.yaml"): reason}


def test_the_diff_of_a_file_with_a_bom_applies(tmp_path: Path) -> None:
    # the first line's text in the diff must carry the BOM, or git apply finds no match
    svc = tmp_path / "svc.yaml"
    svc.write_bytes(b"\xef\xbb\xbf" + SERVICE.encode())
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code, out, _ = lint_cli("--diff", "svc.yaml")
        subprocess.run(["git", "init", "-q", "."], check=True)
        subprocess.run(["git", "apply", "-"], input=out.encode(), check=True)
    finally:
        os.chdir(cwd)
    assert code == 0 and svc.read_bytes() == b"\xef\xbb\xbf" + SERVICE.replace("apps/v1", "v1").encode()


def test_the_diff_splits_lines_where_git_does(tmp_path: Path) -> None:
    # U+2028 and NEL inside a string are no line ends to git or patch (Python's
    # str.splitlines() says they are): the diff must still apply
    svc = tmp_path / "svc.yaml"
    text = SERVICE.replace("apps/v1", "v1").replace("  name: web\n", '  name: web\n  annotations:\n    note: "a\u2028b\x85c"\n    x: yes\n')
    svc.write_text(text)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code, out, _ = lint_cli("--diff", "svc.yaml")
        subprocess.run(["git", "init", "-q", "."], check=True)
        subprocess.run(["git", "apply", "-"], input=out.encode(), check=True)
    finally:
        os.chdir(cwd)
    assert svc.read_text() == text.replace("x: yes", 'x: "yes"')


def test_an_ingress_at_the_container_port_of_a_named_target_port_goes_to_the_service_port(tmp_path: Path) -> None:
    # `targetPort: http` is how most Services are written: 8080 is still the port behind 80
    (tmp_path / "pods.yaml").write_text(PODS)
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  selector: {app: api}\n  ports:\n"
        "  - {name: web, port: 80, targetPort: http}\n  - {name: rpc, port: 9000, targetPort: grpc}\n")
    ingress = tmp_path / "ingress.yaml"
    ingress.write_text(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: edge}\nspec:\n  defaultBackend:\n"
        "    service: {name: api, port: {number: 8080}}\n")
    result = fix_paths([str(tmp_path)])
    assert ingress.read_text().endswith("    service: {name: api, port: {number: 80}}\n")
    assert [f.summary for f in result.applied] == [
        "spec.defaultBackend.service.port.number 8080 (the targetPort) -> 80 (the Service port)"]
    assert result.left == []


# --- Helm ------------------------------------------------------------------------------

RENDERED = """\
---
# Source: shop/templates/rules.yaml
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: shop
spec:
  groups:
  - name: shop
    rules:
    - alert: ShopDown
      expr: up{job="shop"} == 0
      annotations:
        summary: "{{ $labels.instance }} is down"
        description: '{{ $value }} targets down'
---
# Source: shop/templates/service.yaml
apiVersion: apps/v1
kind: Service
metadata:
  name: shop
spec:
  ports:
  - port: 80
"""


def test_helm_rendered_output_with_alert_templates_in_strings_is_fixed(tmp_path: Path) -> None:
    # `helm template` marks each document with `# Source:`; what is left of `{{` there is
    # data (Prometheus and Alertmanager text in quoted strings), not a template to render
    result, text = fix(tmp_path, RENDERED)
    assert result.skipped == {} and text == RENDERED.replace("apiVersion: apps/v1", "apiVersion: v1")


def test_quoted_template_braces_without_helm_s_marker_still_make_a_template(tmp_path: Path) -> None:
    source = RENDERED.replace("# Source: shop/templates/rules.yaml\n", "").replace("# Source: shop/templates/service.yaml\n", "")
    result, text = fix(tmp_path, source)
    assert text == source
    assert list(result.skipped.values()) == [
        "looks like a template ('{{' on line 13); kubegen fixes plain manifests, not Helm or other templates"]
