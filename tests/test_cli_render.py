"""`kubegen render`: every APP form, options, and every error path (message + exit code)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kubegen.cli import main

ROOT = Path(__file__).resolve().parents[1]

APP = """\
from kubegen import Container, Deployment, Stack

web = Deployment(name="web", containers=[Container(name="web", image="nginx:1.27", ports={"http": 80})])
stack = Stack(namespace="demo", objects=[web, web.expose(80, target_port="http")])
"""


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, source: str, name: str = "app.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def test_render_file_to_stdout(tmp_path: Path) -> None:
    code, out, err = run("render", str(write(tmp_path, APP)))
    assert code == 0, err
    docs = list(yaml.safe_load_all(out))
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("Namespace", "demo"), ("Deployment", "web"), ("Service", "web")
    ]
    assert err == ""


def test_render_file_colon_attr_and_module_attr(tmp_path: Path) -> None:
    write(tmp_path, APP + "other = Stack(objects=[web])\n", name="mymod.py")
    code, out, err = run("render", str(tmp_path / "mymod.py") + ":other")
    assert code == 0, err
    assert [d["kind"] for d in yaml.safe_load_all(out)] == ["Deployment"]
    sys.path.insert(0, str(tmp_path))
    try:
        code, out, err = run("render", "mymod:stack")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("mymod", None)
    assert code == 0, err
    assert len(list(yaml.safe_load_all(out))) == 3


def test_render_list_of_stacks(tmp_path: Path) -> None:
    app = write(tmp_path, APP + "stacks = [stack, Stack(namespace='two', objects=[web])]\n")
    code, out, err = run("render", f"{app}:stacks")
    assert code == 0, err
    names = [(d["kind"], d["metadata"].get("namespace")) for d in yaml.safe_load_all(out)]
    assert ("Deployment", "two") in names and ("Deployment", "demo") in names


def test_render_json(tmp_path: Path) -> None:
    code, out, _ = run("render", str(write(tmp_path, APP)), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["kind"] == "List" and len(doc["items"]) == 3
    assert list(doc["items"][1])[:4] == ["apiVersion", "kind", "metadata", "spec"]


def test_render_json_of_a_stack_without_objects_is_still_json(tmp_path: Path) -> None:
    code, out, _ = run("render", str(write(tmp_path, "from kubegen import Stack\nstack = Stack()\n")), "--format", "json")
    assert code == 0
    assert json.loads(out) == {"apiVersion": "v1", "kind": "List", "items": []}


def test_render_output_file_atomic_and_untouched_on_findings(tmp_path: Path) -> None:
    app = write(tmp_path, APP)
    out_file = tmp_path / "out.yaml"
    code, out, _ = run("render", str(app), "-o", str(out_file))
    assert code == 0 and out == ""
    good = out_file.read_bytes()
    assert good.startswith(b"apiVersion: v1\nkind: Namespace\n")
    broken = write(tmp_path, APP + "stack.add(web.expose(81, target_port=8081, name='x', type='NodePort', node_port=99))\n",
                   name="broken.py")
    code, _, err = run("render", str(broken), "-o", str(out_file))
    assert code == 1
    assert "error node-port: Service 'x': spec.ports[0].nodePort: 99 is outside the node-port range 30000-32767" in err
    assert "nothing was written" in err
    assert out_file.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".kubegen-")] == []


def test_warnings_are_printed_but_do_not_fail_unless_strict(tmp_path: Path) -> None:
    app = write(tmp_path, APP + "from kubegen import Service, ServicePort\n"
                "stack.add(Service(name='num', selector=web.pod_labels, ports=[ServicePort(port=80, target_port=81)]))\n")
    code, out, err = run("render", str(app))
    assert code == 0 and "warning target-port" in err and out
    code, out, err = run("render", str(app), "--strict")
    assert code == 1 and out == "" and "warning target-port" in err
    code, out, err = run("render", str(app), "--ignore", "target-port")
    assert code == 0 and err == ""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = (\n", "app.py:1: syntax error: '(' was never closed"),
        ("from kubegen import Stack\nStack(namespace='Bad_NS')\n",
         "app.py:2: error while building the stack: Stack: namespace 'Bad_NS' must be a lowercase RFC 1123 label"),
        ("import kubegen\nraise RuntimeError('boom')\n", "app.py:2: error while building the stack: RuntimeError: boom"),
        ("x = 1\n", "app.py: no Stack found; define one at module level (stack = Stack(...))"),
        ("from kubegen import Stack\na = Stack()\nb = Stack()\n", "app.py: found several Stacks (a, b); pick one:"),
        ("from kubegen import Stack\ndef stack() -> Stack:\n    return 42\n", "app.py:stack is a int, not a Stack"),
        ("from kubegen import Stack\ndef stack() -> Stack:\n    return {}['missing']\n",
         "app.py:3: error while building the stack: KeyError: 'missing'"),
    ],
)
def test_app_errors_are_one_clear_message(tmp_path: Path, source: str, expected: str) -> None:
    code, out, err = run("render", "app.py", cwd=write(tmp_path, source).parent)
    assert code == 1, err
    assert out == ""
    assert err.startswith("Error: ") and expected in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["missing.py"], 1, "app file 'missing.py' not found"),
        (["app.py:nope"], 1, "app.py: attribute 'nope' not found (it defines: "),
        (["no_such_module_xyz:stack"], 1, "module 'no_such_module_xyz' not found"),
        (["app.py", "--set", "x=1"], 2, "--set needs a function to pass values to, but app.py:stack is a Stack"),
        (["app.py", "--set", "novalue"], 2, "'novalue': expected NAME=VALUE"),
        (["app.py", "--format", "xml"], 2, "'xml' is not one of 'yaml', 'json'"),
        (["app.py", "--ignore", "nope"], 2, "unknown rule 'nope'"),
        (["app.py", "--node-port-range", "5-1"], 2, "'5-1': expected A-B"),
        (["app.py:1x"], 2, "'1x' is not a Python name"),
    ],
)
def test_usage_and_target_errors(tmp_path: Path, args: list[str], code: int, expected: str) -> None:
    write(tmp_path, APP)
    got, out, err = run("render", *args, cwd=tmp_path)
    assert got == code, err
    assert expected in err, err
    assert out == "" and "Traceback" not in err


FACTORY = """\
from typing import Literal
from kubegen import Container, Deployment, Stack

def stack(env: Literal["dev", "prod"] = "dev", replicas: int = 2, debug: bool = False) -> Stack:
    web = Deployment(name="web", replicas=replicas, containers=[Container(name="web", image="nginx:1.27")],
                     annotations={"debug": str(debug).lower(), "env": env})
    return Stack(objects=[web])
"""


def test_set_converts_by_annotation(tmp_path: Path) -> None:
    app = write(tmp_path, FACTORY)
    code, out, err = run("render", str(app), "--set", "env=prod", "--set", "replicas=5", "--set", "debug=yes")
    assert code == 0, err
    (doc,) = yaml.safe_load_all(out)
    assert doc["spec"]["replicas"] == 5
    assert doc["metadata"]["annotations"] == {"debug": "true", "env": "prod"}


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        (["env=staging"], "--set env=staging: must be one of dev, prod"),
        (["replicas=many"], "--set replicas=many: expected a whole number"),
        (["debug=maybe"], "--set debug=maybe: expected true or false"),
        (["colour=red"], "has no parameter 'colour' (parameters: env, replicas, debug)"),
    ],
)
def test_set_rejects_bad_values(tmp_path: Path, sets: list[str], expected: str) -> None:
    app = write(tmp_path, FACTORY)
    args = [a for s in sets for a in ("--set", s)]
    code, out, err = run("render", str(app), *args)
    assert code == 2 and expected in err and out == "", err


@pytest.mark.parametrize("annotation", ["list[str]", "list", "dict[str, str] | None", "tuple", "set[int]"])
def test_set_refuses_collections_it_cannot_give(tmp_path: Path, annotation: str) -> None:
    """list("a,b") would hand the app the characters of the text: a clear refusal instead."""
    app = write(tmp_path, f"from kubegen import Stack\n\ndef stack(hosts: {annotation} = None) -> Stack:\n"
                          "    return Stack(labels={'n': str(len(hosts))})\n")
    code, out, err = run("render", str(app), "--set", "hosts=a.example.com,b.example.com")
    assert code == 2 and out == ""
    assert f"--set hosts=a.example.com,b.example.com: the parameter is a {annotation.split(' |')[0]}, which one " \
        "--set value cannot give" in err


def test_real_process_no_traceback_and_exit_codes(tmp_path: Path) -> None:
    bad = write(tmp_path, "from kubegen import *\nstack = Stack(objects=[Service(name='s', selector={'a': 'b'}, ports=[80])])\n")
    proc = subprocess.run([sys.executable, "-m", "kubegen", "render", str(bad)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "app.py:2: error selector-dangling: Service 's': selector {a: b} matches no pod template" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "kubegen", "render"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert proc.returncode == 2 and "Missing argument 'APP'" in proc.stderr


def test_help_explains() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "APP is path/to/app.py" in out and "render" in out
    code, out, _ = run("render", "--help")
    assert code == 0 and "--set NAME=VALUE" in out and "Nothing is written when a check finds an error" in out


def test_prints_in_the_app_go_to_stderr_not_into_the_yaml(tmp_path: Path) -> None:
    app = write(tmp_path, "print('building...')\n" + APP)
    code, out, err = run("render", str(app))
    assert code == 0
    assert out.startswith("apiVersion: v1\n") and "building" not in out
    assert "building..." in err
