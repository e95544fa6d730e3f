"""Render writes only what its own lint accepts (kubegen.values is the one admission
rule, shared by the checks and the writer): a value JSON cannot carry is a ``schema``
finding at the user's app.py line naming the field; everything else is written as
YAML that kubegen's own reader and lint, PyYAML and kubectl read back equal."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_kubectl_oracle import kubeconfig, kubectl, kubectl_reads_file  # noqa: F401 - a fixture

import kubegen
from kubegen import ConfigMap, Raw, Stack
from kubegen.appload import convert_sets
from kubegen.checks import run_checks
from kubegen.cli import main
from kubegen.errors import FindingsError, UsageError
from kubegen.reader import read_text

HOSTILE = {
    "surrogate in ConfigMap data": (
        'ConfigMap(name="c", data={"script": "echo \\ud800"})',
        "ConfigMap 'c': data.script contains the lone surrogate U+D800 at index 5, which UTF-8 (and so YAML, "
        "JSON and the API server) cannot carry; remove it or decode the text it came from properly",
    ),
    "surrogate in an annotation": (
        'ConfigMap(name="c", annotations={"note": "\\udcff"})',
        "ConfigMap 'c': metadata.annotations.note contains the lone surrogate U+DCFF at index 0",
    ),
    "NaN": ('Raw(manifest=widget({"ratio": float("nan")}))',
            "Widget 'w': spec.ratio is nan, which JSON (what kubectl sends to the API server) cannot carry; "
            "use a finite number or a string"),
    "infinity": ('Raw(manifest=widget({"limits": [1.5, float("-inf")]}))', "Widget 'w': spec.limits[1] is -inf"),
    "None key": ('Raw(manifest=widget({None: 1}))',
                 "Widget 'w': spec has the key None: mapping keys are strings in Kubernetes; use a string key"),
    "bytes": ('Raw(manifest=widget({"blob": b"\\x00"}))',
              "Widget 'w': spec.blob is a bytes (b'\\x00'): manifests hold text; decode it"),
    "set": ('Raw(manifest=widget({"tags": {"a", "b"}}))', "Widget 'w': spec.tags is a set ("),
    "object": ('Raw(manifest=widget({"x": object()}))', "Widget 'w': spec.x is an object (<object object at"),
    "huge int": ('Raw(manifest=widget({"n": 10**5000}))',
                 "Widget 'w': spec.n is an integer of about 5001 digits, outside the 64-bit range Kubernetes "
                 "stores (-2**63 .. 2**63-1); write it as a string if it is text"),
    "tuple key": ('Raw(manifest=widget({(1, 2): "pair"}))',
                  "Widget 'w': spec has a tuple ((1, 2)) as a key: mapping keys are strings in Kubernetes"),
    "int key": ('Raw(manifest=widget({"ports": {80: "http"}}))',
                "Widget 'w': spec.ports has the key 80 (int): mapping keys are strings in Kubernetes; write '80'"),
    "repr raises": ('Raw(manifest=widget({"x": Odd()}))',
                    "Widget 'w': spec.x is an Odd (<Odd whose repr() raised RuntimeError>): manifests hold only"),
    "key whose repr raises": ('Raw(manifest=widget({Odd(): 1}))',
                              "Widget 'w': spec has an Odd (<Odd whose repr() raised RuntimeError>) as a key"),
    "cycle": ('Raw(manifest=widget(cyclic()))',
              "Widget 'w': spec.self.self.self.self.self...self.self (100 levels down) nests more than 100 levels"),
}

APP = textwrap.dedent("""\
    from kubegen import ConfigMap, Raw, Stack

    def widget(spec):
        return {{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {{"name": "w"}}, "spec": spec}}

    def cyclic():
        loop = {{}}
        loop["self"] = loop
        return loop

    class Odd:
        def __repr__(self):
            raise RuntimeError("no")

    stack = Stack(namespace="demo")
    stack.add(ConfigMap(name="fine", data={{"k": "v"}}))
    stack.add({builder})
    """)
LINE = 17  # of the stack.add above


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_values_json_cannot_carry_are_findings_at_the_users_line(tmp_path: Path, case: str, fmt: str) -> None:
    builder, message = HOSTILE[case]
    app = tmp_path / "app.py"
    app.write_text(APP.format(builder=builder))
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(main, ["render", str(app), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if " error " in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"{app}:{LINE}: error schema: {message}"), errors[0]
    assert result.stderr.endswith("kubegen: 1 error, 0 warnings: nothing was written\n")
    assert not out.exists()


ENUMS_APP = textwrap.dedent("""\
    import enum
    from kubegen import Raw, Stack

    class Port(enum.IntEnum):
        HTTP = 80

        def __repr__(self):
            raise RuntimeError("no repr")

    class Mode(str, enum.Enum):
        ON = "on"

    stack = Stack(namespace="demo")
    stack.add(Raw(manifest={{"apiVersion": "v1", "kind": "{kind}", "metadata": {{"name": "w"}}, {body}}}))
    """)


def test_enum_members_in_raw_are_the_values_they_stand_for(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    body = '"spec": {"ports": [{"port": Port.HTTP, "name": Mode.ON}], "selector": {"app": "w"}}'
    app.write_text(ENUMS_APP.format(kind="Service", body=body))
    result = CliRunner().invoke(main, ["render", str(app), "--ignore", "selector-dangling"])
    assert result.exit_code == 0, result.output
    service = list(yaml.safe_load_all(result.stdout))[-1]
    assert service["spec"]["ports"] == [{"port": 80, "name": "on"}]
    app.write_text(ENUMS_APP.format(kind="ConfigMap", body='"data": {"port": Port.HTTP}'))
    result = CliRunner().invoke(main, ["render", str(app)])
    assert result.exit_code == 1
    assert f"{app}:14: error yaml-boolean: ConfigMap 'w': data.port is the number 80, but ConfigMap data " \
        "values are strings; use the string '80'" in result.stderr
    assert "internal error" not in result.stderr


def test_reading_never_yields_what_the_writer_refuses() -> None:
    """YAML integers beyond int64 are read as go-yaml reads them (a float, or the text),
    so what lint reads, render can write."""
    text = ("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n"
            "  big: 99999999999999999999\n  hex: 0xffffffffffffffffffff\n  huge: 1" + "0" * 5000 + "\n")
    (m,) = read_text(text, "w.yaml").manifests
    assert m.obj["spec"] == {"big": 1e20, "hex": "0xffffffffffffffffffff", "huge": "1" + "0" * 5000}
    assert kubegen.write_manifests([m]).count("huge: '1000") == 1


# --- the fuzz test -----------------------------------------------------------------

# any code point, lone surrogates made likely, and YAML's own indicators
CHARS = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.sampled_from(list("\x00\t\n\r\x85\u2028\ufeff -?:#,[]{}&*!|>'\"%@`~\\")),
)
TEXT = st.text(CHARS, max_size=12)
SCALARS = st.one_of(
    TEXT, st.integers(), st.floats(), st.booleans(), st.none(), st.binary(max_size=3),
    st.frozensets(st.integers(0, 3), max_size=2), st.builds(object),
    st.sampled_from([2**63, -(2**63) - 1, 2**63 - 1, -(2**63), 1e308, -0.0, 5e-324]),
    st.builds(pow, st.just(10), st.just(5000)),  # built: hypothesis cannot even print it
)
KEYS = st.one_of(TEXT, TEXT, st.none(), st.integers(), st.booleans(), st.floats(), st.tuples(st.integers(0, 3)),
                 st.text(CHARS, min_size=1000, max_size=1100))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner),
                            st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=10,
)


NUMBERS = st.one_of(
    TEXT, st.floats().map(str), st.integers().map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "1e308", "-0", "99999999999999999999", "0x10", "1_000"]),
)


def stack_with(note: str = "", ratio: float = 1.0, replicas: int = 1, *, spec: Any = None,
               annotation: Any = None, data: str = "") -> Stack:
    """An app's stack function: ``--set`` strings arrive converted by these annotations."""
    stack = Stack(namespace="fuzz")
    stack.add(Raw(manifest={
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "annotations": {"note": note, "any": annotation}},
        "spec": {"value": spec, "ratio": ratio, "replicas": replicas},
    }))
    stack.add(ConfigMap(name="c", data={"data": data, "note": note}, annotations={"note": note}))
    return stack


def _as_json(value: Any) -> Any:
    """What a JSON (or YAML) reader gives back for an admitted value: tuples are lists."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_json(v) for v in value]
    return value


def _equal(a: Any, b: Any) -> bool:
    """Equal values (1 == 1.0 as in JSON; -0.0 == 0)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_equal, a, b))
    if isinstance(a, float) or isinstance(b, float):
        return not isinstance(a, (bool, str)) and not isinstance(b, (bool, str)) and math.isclose(a, b, rel_tol=0)
    return type(a) is type(b) and a == b


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=VALUES, annotation=VALUES, data=TEXT, note=TEXT, ratio=NUMBERS, replicas=NUMBERS)
def test_render_refuses_with_a_finding_or_writes_what_lint_and_pyyaml_read_back(
    spec: Any, annotation: Any, data: str, note: str, ratio: str, replicas: str,
) -> None:
    try:
        sets = convert_sets(stack_with, {"note": note, "ratio": ratio, "replicas": replicas}, "stack_with")
    except UsageError:  # "--set ratio=abc" is the command line's error, before any render
        sets = convert_sets(stack_with, {"note": note}, "stack_with")
    try:
        stack = stack_with(**sets, spec=spec, annotation=annotation, data=data)
    except kubegen.KubegenError:
        return  # a builder refused a value at once, with its own message
    try:
        text = kubegen.render(stack)
    except FindingsError as exc:
        assert exc.findings
        for finding in exc.findings:
            assert finding.location.file == __file__ or Path(finding.location.file).name == Path(__file__).name
            finding.format().encode("utf-8", "backslashreplace")  # printable on any terminal
        return
    expected = [_as_json(obj) for obj in kubegen.render_dicts(stack)]
    pyyaml = list(yaml.load_all(text, Loader=yaml.CSafeLoader))  # noqa: S506 - the safe C loader
    assert _equal(pyyaml, expected)
    read = read_text(text, "out.yaml")
    assert read.problems == []
    assert _equal([m.obj for m in read.manifests], expected)
    assert [f.format() for f in run_checks(read.manifests) if f.severity == "error"] == []


def test_what_render_writes_from_odd_values_is_what_kubectl_reads(kubeconfig: Path, tmp_path: Path) -> None:  # noqa: F811
    odd = {"huge": 2**63 - 1, "tiny": 5e-324, "big": 1e308, "negzero": -0.0, "text": "\x85\u2028\ufeff\x00",
           "nested": [("a", 1), {"": None}], "long key " + "k" * 1100: "v"}
    stack = Stack(namespace="odd")
    stack.add(ConfigMap(name="c", data={"d": "x"}))
    stack.add(Raw(manifest={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "raw"},
                            "data": {"k": "\U0001f600 \x7f"}, "extra": odd}))
    path = tmp_path / "out.yaml"
    path.write_text(kubegen.render(stack, options=kubegen.CheckOptions(ignore=frozenset({"schema"}))))
    expected = [_as_json(obj) for obj in kubegen.render_dicts(stack, kubegen.CheckOptions(ignore=frozenset({"schema"})))]
    read = kubectl_reads_file(kubeconfig, path, expected)
    assert _equal(read[1:], expected[1:]), (read, expected)


def test_explain_and_graph_model_only_what_could_reach_a_cluster(tmp_path: Path) -> None:
    import json

    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent("""\
        from kubegen import Container, Deployment, Raw, Stack

        deep = "x"
        for _ in range(981):
            deep = {"a": deep}
        stack = Stack(namespace="demo")
        web = stack.add(Deployment(name="web", containers=[Container(name="web", image="nginx", ports={"http": 80})]))
        stack.add(web.expose(80, target_port="http"))
        for name, selector in [("deep", {"app": deep}), ("nan", {"app": float("nan")}), ("none", {None: "web"}),
                               ("surrogate", {"app": "\\udcff"})]:
            stack.add(Raw(manifest={"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                                    "spec": {"selector": selector, "ports": [{"port": 80}]}}))
        """))
    result = CliRunner().invoke(main, ["explain", str(app), "--format", "json"])
    assert result.exit_code == 1 and "internal error" not in result.stderr
    assert result.stderr.count(" error schema: ") == 4
    doc = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert [s["name"] for s in doc["services"]] == ["web"]
    for fmt in ("dot", "svg", "mermaid"):
        result = CliRunner().invoke(main, ["graph", str(app), "--format", fmt])
        assert result.exit_code == 1 and "internal error" not in result.stderr, result.stderr
        assert "surrogate" not in result.stdout and "web" in result.stdout
