"""Where findings and errors point: the line of the user's code that made the object,
and the helpers it went through; every builder error of a run, each with its line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest

import kubegen
from kubegen import Container, Deployment, Ingress, Service, Stack
from kubegen.appload import load_stacks

ROOT = Path(__file__).resolve().parents[1]

SHOP_LIKE = """\
from kubegen import Container, Deployment, Service, Stack


def service(name: str, port: int = 8080) -> Deployment:
    return Deployment(
        name=name,
        containers=[Container(name=name, image="nginx", ports={"http": port})],
    )


def stack() -> Stack:
    s = Stack(namespace="shop")
    s.add(service("frontend"))
    report = s.add(service("report"))
    s.add(Service(name="report", ports=[80], selector={"app": "reports"}))
    return s
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_objects_made_in_a_helper_name_the_call_and_the_helper(tmp_path: Path) -> None:
    app = write(tmp_path, "shop.py", SHOP_LIKE)
    found = kubegen.check_stack(load_stacks(str(app)))
    dangling = [f for f in found if f.rule == "selector-dangling"]
    assert [str(f.location) for f in dangling] == [f"{app}:15"]
    manifests = kubegen.compile_stacks(load_stacks(str(app)))
    where = {m.name: str(m.locate()) for m in manifests if m.kind == "Deployment"}
    assert where == {
        "frontend": f"{app}:13 (via service() at {app}:5)",
        "report": f"{app}:14 (via service() at {app}:5)",
    }


def test_a_deploy_script_or_a_test_calling_the_app_does_not_move_the_lines(tmp_path: Path) -> None:
    # Imported by this test (not loaded by kubegen): the frames of the caller are the
    # same for the Stack and for its objects, so they are left out.
    write(tmp_path, "shop_helpers.py", SHOP_LIKE)
    sys.path.insert(0, str(tmp_path))
    try:
        import shop_helpers  # type: ignore[import-not-found]

        manifests = kubegen.compile_stacks(shop_helpers.stack())
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("shop_helpers", None)
    shown = {m.name: str(m.locate()).replace(str(tmp_path) + "/", "") for m in manifests}
    assert shown["frontend"] == "shop_helpers.py:13 (via service() at shop_helpers.py:5)"
    assert shown["shop"] == "shop_helpers.py:12"  # the Namespace: where the Stack was made


def test_a_finding_in_a_helper_names_both_lines(tmp_path: Path) -> None:
    app = write(tmp_path, "app.py", """\
        from kubegen import Container, Deployment, Service, Stack

        def broken(name):
            return Service(name=name, ports=[80], selector={"app": name + "x"})

        stack = Stack()
        stack.add(Deployment(name="web", containers=[Container(name="web", image="nginx", ports=[80])]))
        stack.add(broken("web"))
    """)
    finding = next(f for f in kubegen.check_stack(load_stacks(str(app))) if f.rule == "selector-dangling")
    assert finding.format().startswith(f"{app}:8 (via broken() at {app}:4): error selector-dangling: ")
    assert finding.to_json()["line"] == 8


def test_evolve_copies_carry_the_line_of_the_evolve_call() -> None:
    web = Deployment(name="web", containers=[Container(name="web", image="nginx")])
    line = sys._getframe().f_lineno + 1
    bigger = attrs.evolve(web, replicas=5)
    assert bigger.source.line == line and web.source.line == line - 2
    assert bigger.source.file == web.source.file


def test_builder_errors_carry_the_callers_line() -> None:
    line = sys._getframe().f_lineno + 2
    with pytest.raises(kubegen.BuilderError) as info:
        Ingress(name="shop", host="Shop.Example.com", paths={"/": Service(name="web", ports=[80])})
    assert info.value.location is not None and info.value.location.line == line
    assert str(info.value).startswith(f"{info.value.location}: Ingress 'shop': host 'Shop.Example.com' must")
    assert "(try 'shop.example.com')" in str(info.value)


def test_every_builder_error_of_a_run_is_reported_together(tmp_path: Path) -> None:
    app = write(tmp_path, "app.py", """\
        from kubegen import Container, Deployment, Ingress, Service, Stack

        def service(name, port):
            return Deployment(name=name, containers=[Container(name=name, image="x", ports={"http": port},
                                                               command="sleep 10")])

        stack = Stack(namespace="shop")
        web = stack.add(service("web", 8080))
        stack.add(web.expose(80, target_port="htttp"))
        stack.add(Ingress(name="shop", host="Shop.Example.com", paths={"/": Service(name="x", ports=[80])}))
    """)
    with pytest.raises(kubegen.BuilderErrors) as info:
        load_stacks(str(app))
    lines = info.value.lines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{app}:8 (via service() at {app}:4): Container 'web': command must be a list")
    assert lines[1].startswith(f"{app}:9: expose(Deployment 'web'): target_port 'htttp'")
    assert lines[2].startswith(f"{app}:10: Ingress 'shop': host 'Shop.Example.com'")
    assert str(info.value).startswith("3 errors while building the stack:\n  ")


def test_collected_errors_then_a_crash_report_both(tmp_path: Path) -> None:
    app = write(tmp_path, "app.py", """\
        from kubegen import Container, Stack
        c = Container(name="web", image="x", ports=8080)
        raise RuntimeError("boom")
    """)
    with pytest.raises(kubegen.BuilderErrors) as info:
        load_stacks(str(app))
    assert info.value.lines()[-1] == "then: RuntimeError: boom"
    assert isinstance(info.value.original, RuntimeError)


def test_outside_the_loader_builders_raise_at_once() -> None:
    with pytest.raises(kubegen.BuilderTypeError, match=r"ports must be a list"):
        Container(name="web", image="x", ports=8080)  # type: ignore[arg-type]
    assert not kubegen.errors.collecting()


def test_collect_errors_for_library_users() -> None:
    with pytest.raises(kubegen.BuilderErrors) as info, kubegen.collect_errors():
        Container(name="Web", image="x")
        Deployment(name="d", replicas="3", containers=[])  # type: ignore[arg-type]
    messages = [e.message for e in info.value.errors]
    assert messages[0].startswith("Container: name 'Web' must be a lowercase RFC 1123 label")
    assert "Deployment 'd': replicas must be an int or None (got '3', a str); write replicas=3" in messages
    assert "Deployment 'd': needs at least one container (containers=[Container(...)])" in messages
    with kubegen.collect_errors() as errors:  # nothing wrong: nothing raised
        Container(name="web", image="x")
    assert errors == []


def test_a_node_port_clash_across_namespaces_names_both() -> None:
    stacks = []
    for ns in ("dev", "prod"):
        stack = Stack(namespace=ns)
        web = stack.add(Deployment(name="web", containers=[Container(name="web", image="nginx", ports=[80])]))
        stack.add(web.expose(80, type="NodePort", node_port=30080))
        stacks.append(stack)
    clash = next(f for f in kubegen.check_stack(stacks) if f.rule == "node-port")
    assert clash.message.startswith(
        "Service 'web' in namespace 'prod': nodePort 30080 is already claimed by Service 'web' in namespace 'dev' ("
    )


# -- the CLI ------------------------------------------------------------------------


def kubegen_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kubegen", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_traceback_shows_the_apps_own_frames(tmp_path: Path) -> None:
    write(tmp_path, "app.py", """\
        import json

        def settings():
            return json.loads("{bad")

        stack = settings()
    """)
    plain = kubegen_cli("render", "app.py", cwd=tmp_path)
    assert plain.returncode == 1
    assert plain.stderr == ("Error: app.py:6 (via settings() at app.py:4): error while building the stack: "
                            "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 "
                            "(char 1)\n")
    verbose = kubegen_cli("render", "app.py", "--traceback", cwd=tmp_path)
    lines = verbose.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == '  File "app.py", line 6, in <module>'
    assert '  File "app.py", line 4, in settings' in lines
    assert "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)" in lines
    assert "appload" not in verbose.stderr and "click" not in verbose.stderr
    assert lines[-1] == plain.stderr.rstrip("\n")


def test_traceback_of_collected_builder_errors(tmp_path: Path) -> None:
    write(tmp_path, "app.py", """\
        from kubegen import Container
        a = Container(name="a", image="x", command="sleep 10")
        b = Container(name="b", image="x", ports=8080)
    """)
    result = kubegen_cli("render", "app.py", "-v", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("Traceback (most recent call last):") == 2
    assert '  File "app.py", line 2, in <module>' in result.stderr
    assert "BuilderTypeError: Container 'b': ports must be a list (got 8080, an int); write ports=[8080] or " \
           "ports={'http': 8080}" in result.stderr
    assert result.stderr.endswith(
        "Error: 2 errors while building the stack:\n"
        "  app.py:2: Container 'a': command must be a list of strings, one per argument (got 'sleep 10', a str); "
        "write command=['sleep', '10'] (one string is one argument: the container would look for a program "
        "called 'sleep 10')\n"
        "  app.py:3: Container 'b': ports must be a list (got 8080, an int); write ports=[8080] or "
        "ports={'http': 8080}\n"
    )
