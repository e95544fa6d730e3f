"""kubegen init: a starter app.py + README.md that render, validate, and are never clobbered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import yaml
from click.testing import CliRunner
from conftest import assert_valid_k8s

from kubegen.cli import main
from kubegen.importer.scaffold import app_name
from kubegen.importer.templates import environment, render_template, templates_dir


def init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", *args])
    return result.exit_code, result.output


def test_init_writes_an_app_that_renders_and_validates(tmp_path: Path) -> None:
    target = tmp_path / "shop"
    code, output = init(str(target))
    assert code == 0, output
    assert f"wrote {target / 'app.py'}" in output
    assert (target / "README.md").read_text().startswith("# shop\n")
    # The real CLI in a fresh process, as a user would run it.
    rendered = subprocess.run(
        [sys.executable, "-m", "kubegen", "render", str(target / "app.py")],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stderr == ""
    objs = list(yaml.safe_load_all(rendered.stdout))
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("Namespace", "shop"), ("Deployment", "shop"), ("Service", "shop"),
    ]
    service = objs[2]
    assert service["spec"]["selector"] == objs[1]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert_valid_k8s(objs)


def test_init_refuses_to_overwrite_and_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("mine\n")
    code, output = init(str(tmp_path))
    assert code == 1
    assert f"Error: {tmp_path / 'README.md'} already exists" in output
    assert "--force" in output
    assert (tmp_path / "README.md").read_text() == "mine\n"
    assert not (tmp_path / "app.py").exists()  # nothing half-written

    code, output = init(str(tmp_path), "--force")
    assert code == 0, output
    assert (tmp_path / "README.md").read_text() != "mine\n"
    assert (tmp_path / "app.py").exists()


def test_init_defaults_to_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "My_Service"
    work.mkdir()
    monkeypatch.chdir(work)
    code, output = init()
    assert code == 0, output
    assert 'name="my-service"' in (work / "app.py").read_text()


def test_init_name_option_is_validated(tmp_path: Path) -> None:
    code, output = init(str(tmp_path), "--name", "Web_1")
    assert code == 2
    assert "--name 'Web_1' must be an RFC 1035 label: it must consist of lower case alphanumeric characters" in output
    code, output = init(str(tmp_path), "--name", "web")
    assert code == 0
    assert 'namespace="web"' in (tmp_path / "app.py").read_text()


@pytest.mark.parametrize(("directory", "name"), [("shop", "shop"), ("2fast", "hello"), ("A b", "a-b"), ("---", "hello")])
def test_app_name_from_directory(directory: str, name: str) -> None:
    assert app_name(directory) == name


def test_templates_are_strict_and_plain_text(tmp_path: Path) -> None:
    env = environment()
    assert env.undefined is jinja2.StrictUndefined
    assert env.autoescape is False
    with pytest.raises(jinja2.UndefinedError, match="'image' is undefined"):
        render_template("init_app.py.j2", name="x", port=80)
    assert (templates_dir() / "app.py.j2").is_file()


def test_init_app_is_ruff_formatted(tmp_path: Path) -> None:
    ruff = pytest.importorskip("ruff", reason="ruff is not installed") and [sys.executable, "-m", "ruff"]
    init(str(tmp_path))
    for args in (["format", "--isolated", "--check"], ["check", "--isolated", "--extend-select", "I,UP,B,W"]):
        result = subprocess.run([*ruff, *args, "app.py"], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
