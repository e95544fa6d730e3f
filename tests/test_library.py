"""kubegen in deploy scripts: errors that list every finding, warnings that are never
lost, writers that check first, and the README's deploy script run for real against
kubectl (talking to tests/kubeapi.py's fake API server)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, ROOT
from kubeapi import FakeAPIServer

import kubegen
from kubegen import Container, Deployment, Pod, Service, Stack

DEPLOY = EXAMPLES / "scripts" / "deploy.py"


def broken() -> Stack:
    """One error (a selector matching nothing) and one warning (a selector matching two workloads)."""
    stack = Stack(namespace="demo")
    for name in ("a", "b"):
        stack.add(Pod(name=name, labels={"tier": "web"}, containers=[Container(name="c", image=f"{name}:1.0", ports=[80])]))
    stack.add(Service(name="all", ports=[80], selector={"tier": "web"}))
    stack.add(Service(name="none", ports=[80], selector={"tier": "wbe"}))
    return stack


def _line_of(text: str) -> int:
    return next(i for i, line in enumerate(Path(__file__).read_text().splitlines(), 1) if text in line)


def warned() -> Stack:
    stack = broken()
    stack.add(Pod(name="c", labels={"tier": "wbe"}, containers=[Container(name="c", image="nginx:1.27", ports=[80])]))
    return stack


def test_findings_error_text_lists_every_finding() -> None:
    with pytest.raises(kubegen.FindingsError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kubegen.render(broken())
    lines = str(info.value).splitlines()
    assert lines[0] == "1 error, 1 warning: nothing was written"
    assert lines[1:] == [f.format() for f in info.value.findings]
    assert [(f.severity, f.rule) for f in info.value.findings] == [
        ("warning", "selector-overlap"), ("error", "selector-dangling")]
    line = _line_of("Service(name=\"none\"")
    assert lines[2].startswith(f"tests/test_library.py:{line}: error selector-dangling: Service 'none'"), lines[2]


@pytest.mark.parametrize("render", [kubegen.render, kubegen.render_dicts])
def test_warnings_are_python_warnings_never_dropped(render: object) -> None:
    for _ in range(2):  # the same warning twice in a row is shown twice
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            render(warned())  # type: ignore[operator]
        found = [w for w in caught if issubclass(w.category, kubegen.FindingWarning)]
        assert len(found) == 1
        finding = found[0].message.finding  # type: ignore[union-attr]
        assert finding.rule == "selector-overlap" and finding.severity == "warning"
        assert found[0].filename == finding.location.file and found[0].lineno == finding.location.line
        assert str(found[0].message).startswith("selector-overlap: Service 'all': selector {tier: web} matches pods")
        copy = kubegen.FindingWarning(*found[0].message.args)  # as pytest-xdist ships warnings between processes
        assert str(copy) == str(found[0].message)


def test_strict_and_the_warnings_filter_turn_warnings_into_errors() -> None:
    with pytest.raises(kubegen.FindingsError, match="0 errors, 1 warning"):
        kubegen.render(warned(), strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", kubegen.FindingWarning)
        with pytest.raises(kubegen.FindingWarning):
            kubegen.render(warned())


def test_every_writer_checks_first(tmp_path: Path) -> None:
    bad = broken()
    manifests = kubegen.compile_stacks(bad)
    out = tmp_path / "out.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for write in (
            lambda: kubegen.write_manifests(manifests),
            lambda: kubegen.write_file(bad, out),
            lambda: kubegen.write_file(manifests, io.StringIO()),
            lambda: kubegen.write_dir(manifests, str(tmp_path / "dir")),
            lambda: kubegen.write_dir(bad, str(tmp_path / "dir")),
            lambda: kubegen.write_dir([m.obj for m in manifests], str(tmp_path / "dir")),
        ):
            with pytest.raises(kubegen.FindingsError, match="1 error, 1 warning: nothing was written"):
                write()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    # ... unless told not to, in so many words.
    assert kubegen.write_manifests(manifests, check=False).count("kind: Service") == 2
    result = kubegen.write_dir(manifests, str(tmp_path / "dir"), check=False)
    assert "demo/service-none.yaml" in result.written


def test_write_dir_returns_and_issues_the_checks_warnings(tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = kubegen.write_dir(warned(), str(tmp_path / "out"), ignore=["selector-dangling"])
    assert [w.rule for w in result.warnings] == ["selector-overlap"]
    assert [w.message.finding.rule for w in caught] == ["selector-overlap"]  # type: ignore[union-attr]
    assert (tmp_path / "out" / "demo" / "service-all.yaml").is_file()


def test_write_file_is_the_render_written_atomically(tmp_path: Path) -> None:
    stack = Stack(namespace="demo")
    web = stack.add(Deployment(name="web", containers=[Container(name="web", image="nginx:1.27", ports={"http": 80})]))
    stack.add(web.expose(80, target_port="http"))
    out = tmp_path / "out.yaml"
    assert kubegen.write_file(stack, out) == out.read_text() == kubegen.render(stack)
    stream = io.StringIO()
    kubegen.write_file(stack, stream, format="json")
    assert stream.getvalue() == kubegen.render(stack, format="json")
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]  # no temporary file left


# -- the README's deploy script, run for real ------------------------------------------

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH (tools/test-tools installs it)")


def readme_deploy_script() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```python\n(\"\"\"Deploy the shop.*?)```", text, re.S)
    assert found, "the README's library section shows the deploy script"
    return found.group(1)


def test_the_readme_shows_the_deploy_script_as_it_is() -> None:
    assert readme_deploy_script() == DEPLOY.read_text(encoding="utf-8")


def deploy(tmp_path: Path, *args: str, script: Path = DEPLOY) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)


@needs_kubectl
def test_the_deploy_script_renders_writes_and_applies_server_side(tmp_path: Path) -> None:
    with FakeAPIServer() as server:
        config = server.kubeconfig(tmp_path)
        done = deploy(tmp_path, "prod", "--out", "out",
                      "--kubectl", f"{KUBECTL} --kubeconfig {config} --cache-dir {tmp_path / 'cache'}")
    assert done.returncode == 0, done.stderr
    written = tmp_path / "out" / "prod.yaml"
    expected = list(yaml.safe_load_all(written.read_text()))
    assert expected == kubegen.render_dicts(_shop_stack("prod"))
    assert [a.obj for a in server.applied] == expected
    assert all(a.content_type == "application/apply-patch+yaml" for a in server.applied)
    assert all(a.query["fieldManager"] == ["shop-deploy"] and a.query["force"] == ["false"] for a in server.applied)
    assert "deployment.apps/frontend serverside-applied" in done.stdout
    assert done.stdout.endswith(f"deploy: {Path('out') / 'prod.yaml'} applied\n")


def _shop_stack(env: str) -> Stack:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import shop  # type: ignore[import-not-found]

        return shop.stack(env=env)  # type: ignore[no-any-return]
    finally:
        sys.path.remove(str(EXAMPLES))


@needs_kubectl
def test_the_deploy_script_stops_on_findings_before_writing_or_applying(tmp_path: Path) -> None:
    # The same script next to a shop whose report Service selects no pod.
    (tmp_path / "scripts").mkdir()
    script = shutil.copy(DEPLOY, tmp_path / "scripts" / "deploy.py")
    shop_text = (EXAMPLES / "shop.py").read_text().replace(
        'report_svc = shop.add(report.expose(80, target_port="http", type="ClusterIP"))',
        'report_svc = shop.add(Service(name="report", ports=[80], selector={"app": "reports"}))',
    ).replace("    Stack,\n", "    Service,\n    Stack,\n")
    (tmp_path / "shop.py").write_text(shop_text)
    with FakeAPIServer() as server:
        done = deploy(tmp_path, "dev", "--kubectl", f"{KUBECTL} --kubeconfig {server.kubeconfig(tmp_path)}",
                      script=Path(script))
    assert done.returncode == 1
    assert done.stderr.startswith("deploy: 1 error, 0 warnings: nothing was written\n")
    assert re.search(r"shop\.py:\d+: error selector-dangling: Service 'report': selector \{app: reports\} matches no "
                     r"pod template in the stack", done.stderr), done.stderr
    assert server.applied == [] and not (tmp_path / "deploy" / "dev.yaml").exists()


def test_the_deploy_script_reports_a_failing_or_missing_kubectl(tmp_path: Path) -> None:
    failing = deploy(tmp_path, "dev", "--kubectl", f"{sys.executable} -c 'import sys; sys.exit(\"refused\")'")
    assert failing.returncode == 1
    assert "apply --server-side --field-manager=shop-deploy -f deploy/dev.yaml failed (exit code 1):\nrefused\n" \
        in failing.stderr
    assert (tmp_path / "deploy" / "dev.yaml").is_file()  # written, then kubectl said no
    missing = deploy(tmp_path, "dev", "--kubectl", "no-such-kubectl --context prod")
    assert missing.returncode == 1 and missing.stderr == (
        "deploy: no-such-kubectl not found: install kubectl or pass --kubectl\n")
