"""One nesting limit for every entrance (kubegen.values.MAX_DEPTH): data nested up to it
works in lint, import, explain, graph and render; deeper data, up to libyaml's own limit
and beyond, is one clear finding in each, never a RecursionError or a traceback. And
brackets inside scalars are text, not nesting (an ANSI colour script in a ConfigMap)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_kubectl_oracle import kubeconfig, kubectl, kubectl_reads_file  # noqa: F401 - a fixture

from kubegen.cli import main
from kubegen.lint import lint_paths
from kubegen.reader import read_text
from kubegen.values import MAX_DEPTH

TOO_DEEP = f"the YAML nests too deeply to read safely: more than {MAX_DEPTH} levels"


def flow(levels: int, leaf: str = "x") -> str:
    """``levels`` nested flow mappings: {a: {a: ... x}}."""
    return "{a: " * levels + leaf + "}" * levels


def block(levels: int, indent: int) -> str:
    """``levels`` nested block mappings starting at column ``indent``."""
    return "".join(" " * (indent + 2 * i) + "a:\n" for i in range(levels - 1)) \
        + " " * (indent + 2 * (levels - 1)) + "a: x\n"


def stack_at(depth: int) -> str:
    """A Deployment, a Service selecting it and a custom object, each nesting exactly
    ``depth`` levels (the object itself is level 1) where a value is allowed."""
    selector_levels = depth - 3  # object, spec, selector, then the value's own levels
    return textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: web}}
        spec:
          selector: {{matchLabels: {{app: web}}}}
          template:
            metadata: {{labels: {{app: web, deep: {flow(depth - 5)}}}}}
            spec:
              containers: [{{name: web, image: "nginx:1.27", ports: [{{name: http, containerPort: 80}}]}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {{name: web}}
        spec:
          selector: {{app: {flow(selector_levels)}}}
          ports: [{{port: 80, targetPort: http}}]
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: w
        spec:
        """) + (block(depth - 1, 2) if depth <= 1001 else "  " + flow(depth - 1) + "\n")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, RecursionError), result.exception
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output, output
    return result.exit_code, output


COMMANDS = [("lint",), ("import",), ("explain",), ("explain", "--format", "json"), ("graph", "--format", "dot"),
            ("graph", "--format", "svg"), ("graph", "--format", "mermaid")]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_data_at_the_limit_works_everywhere(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(stack_at(MAX_DEPTH))
    code, output = invoke(*command, str(path))
    assert TOO_DEEP not in output
    assert code in (0, 1)
    if command == ("lint",):  # read whole: labels must be strings, so nothing is selected
        assert [f.rule for f in lint_paths([str(path)])] == ["schema", "schema", "selector-dangling"]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 325, 981, 999, 1000, 1001, 5000, 50_000])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_deeper_data_is_one_finding_per_document_everywhere(tmp_path: Path, command: tuple[str, ...],
                                                            depth: int) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(stack_at(depth))
    code, output = invoke(*command, str(path))
    assert code == 1
    assert TOO_DEEP in output


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 325, 981])
def test_each_deep_document_is_refused_at_its_deepest_line_and_the_others_are_read(depth: int) -> None:
    text = stack_at(depth)
    result = read_text(text, "deep.yaml")
    lines = text.splitlines()
    assert [(p.location.line, p.message[:len(TOO_DEEP)]) for p in result.problems] == [
        (next(i for i, line in enumerate(lines, 1) if "deep: {a:" in line), TOO_DEEP),
        (next(i for i, line in enumerate(lines, 1) if "selector: {app: {a:" in line), TOO_DEEP),
        (len(lines) - (depth - MAX_DEPTH), TOO_DEEP),  # the key whose value passes the limit
    ]
    assert result.manifests == []


def render_raw(tmp_path: Path, levels: int) -> tuple[int, str]:
    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent(f"""\
        from kubegen import Raw, Stack

        value = "x"
        for _ in range({levels}):
            value = {{"a": value}}
        stack = Stack(namespace="demo")
        stack.add(Raw(manifest={{"apiVersion": "example.com/v1", "kind": "Widget",
                                "metadata": {{"name": "w"}}, "spec": value}}))
        """))
    return invoke("render", str(app))


def test_render_writes_raw_data_at_the_limit(tmp_path: Path) -> None:
    code, output = render_raw(tmp_path, MAX_DEPTH - 1)  # the object is the first level
    assert code == 0, output
    assert sum(line.strip() in ("a:", "a: x") for line in output.splitlines()) == MAX_DEPTH - 1


@pytest.mark.parametrize("levels", [MAX_DEPTH, 325, 981, 5000])
def test_render_refuses_deeper_raw_data_at_the_users_line(tmp_path: Path, levels: int) -> None:
    code, output = render_raw(tmp_path, levels)
    assert code == 1
    assert f"{tmp_path / 'app.py'}:7: " in output or "app.py:7: " in output, output
    assert f"nests more than {MAX_DEPTH} levels of mappings and lists deep" in output
    assert "spec.a.a.a" in output


ANSI_SCRIPT = textwrap.dedent("""\
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: colours
    data:
      colours.sh: |
    {script}
      banner: "{banner}"
      flow: ['[[[', "{{{{", '[{{[']
    """)


def test_brackets_in_scalars_are_text_not_nesting(kubeconfig: Path, tmp_path: Path) -> None:  # noqa: F811
    script = "\n".join(f'    printf "\\033[1;3{i % 8}m line {i} [\\033[0m"' for i in range(101))
    text = ANSI_SCRIPT.format(script=script, banner="[" * 150 + "{" * 150)
    result = read_text(text, "colours.yaml")
    assert result.problems == []
    (m,) = result.manifests
    assert m.obj["data"]["colours.sh"].count("[") == 303
    assert m.obj["data"]["banner"] == "[" * 150 + "{" * 150
    path = tmp_path / "colours.yaml"
    path.write_text(text)
    (kubectl_read,) = kubectl_reads_file(kubeconfig, path, [m.obj])  # kubectl accepts the file as we do
    assert kubectl_read["data"] == m.obj["data"]


def test_each_object_of_a_list_is_measured_from_its_own_top() -> None:
    def item(name: str, depth: int) -> str:  # an object nesting `depth` levels
        return "{kind: Widget, apiVersion: example.com/v1, metadata: {name: " + name + "}, spec: " \
            + flow(depth - 1) + "}"

    text = "apiVersion: v1\nkind: List\nitems:\n- " + item("fits", MAX_DEPTH) + "\n- " + item("deep", MAX_DEPTH + 1) + "\n"
    result = read_text(text, "list.yaml")
    assert [m.name for m in result.manifests] == ["fits"]
    assert [(p.location.line, p.message[:len(TOO_DEEP)]) for p in result.problems] == [(5, TOO_DEEP)]
