"""The YAML reader: kubectl's semantics, exact lines, and bounded, traceback-free failure.

Oracles: PyYAML's own YAML 1.1 loader for the data, line numbers found by searching the
source text, and kubectl (client-side decoding) for what kubectl refuses.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_kubectl_oracle import kubeconfig, kubectl, kubectl_reads_file  # noqa: F401 - a fixture

from kubegen import reader
from kubegen.errors import InputError
from kubegen.lint import lint_read
from kubegen.reader import read_bytes, read_paths, read_text


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle`` (the test's own oracle)."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def messages(result: reader.ReadResult) -> list[str]:
    return [p.format() for p in result.problems]


SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    canary: yes
    mode: 0755
    since: 2024-01-01
    at: 2001-12-14t21:59:43.10-05:00
spec:
  ports:
  - name: http
    port: 80
    targetPort: http
"""


def test_yaml_11_scalars_like_kubectl_and_timestamps_stay_strings() -> None:
    result = read_text(SERVICE, "svc.yaml")
    assert result.problems == []
    (m,) = result.manifests
    oracle = yaml.load(SERVICE, Loader=yaml.SafeLoader)  # PyYAML: YAML 1.1 like go-yaml v2
    labels = m.obj["metadata"]["labels"]
    assert labels["canary"] is True and oracle["metadata"]["labels"]["canary"] is True
    assert labels["mode"] == 0o755 == oracle["metadata"]["labels"]["mode"]
    # kubectl turns timestamps into JSON strings: the text as written, never a datetime.
    assert labels["since"] == "2024-01-01"
    assert labels["at"] == "2001-12-14t21:59:43.10-05:00"
    assert m.obj["spec"] == oracle["spec"]


def test_locate_points_at_the_exact_field_line_or_nearest_ancestor() -> None:
    (m,) = read_text(SERVICE, "svc.yaml").manifests
    assert str(m.locate(("spec", "ports", 0, "targetPort"))) == f"svc.yaml:{line_of(SERVICE, 'targetPort')}"
    assert m.locate(("metadata", "name")).line == line_of(SERVICE, "name: web")
    assert m.locate(()).line == 1
    # A field that does not exist: the nearest existing ancestor (the ports item).
    assert m.locate(("spec", "ports", 0, "nodePort")).line == line_of(SERVICE, "- name: http")
    assert m.locate(("spec", "ports", 5)).line == line_of(SERVICE, "ports:")


def test_multi_document_empty_documents_end_markers_and_lists() -> None:
    text = """\
---
# only a comment
---
apiVersion: v1
kind: ConfigMap
metadata: {name: first}
...
---
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: a
- apiVersion: v1
  kind: Pod
  metadata:
    name: b
---
"""
    result = read_text(text, "multi.yaml")
    assert result.problems == []
    assert [m.name for m in result.manifests] == ["first", "a", "b"]
    first, a, b = result.manifests
    assert first.locate(("metadata", "name")).line == line_of(text, "{name: first}")
    assert a.locate(("metadata", "name")).line == line_of(text, "name: a")
    assert b.locate(("metadata", "name")).line == line_of(text, "name: b")
    assert b.locate(()).line == line_of(text, "- apiVersion", 2)
    # The same documents as PyYAML reads them (empty ones skipped, as kubectl does).
    oracle = [d for d in yaml.load_all(text, Loader=yaml.SafeLoader) if d is not None]
    assert [first.obj, *(d for d in oracle[1]["items"])] == [oracle[0], a.obj, b.obj]


def test_empty_lists_and_typed_lists() -> None:
    text = ("apiVersion: v1\nkind: List\nitems: []\n---\napiVersion: v1\nkind: List\nitems:\n---\n"
            "apiVersion: v1\nkind: ServiceList\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n")
    result = read_text(text, "lists.yaml")
    assert result.problems == []
    assert [(m.kind, m.name, m.locate(()).line) for m in result.manifests] == [("Service", "s", text.count("\n"))]


def test_crlf_flow_style_and_json() -> None:
    crlf = "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\ndata:\r\n  a: b\r\n"
    (m,) = read_text(crlf, "crlf.yaml").manifests
    assert m.obj["data"] == {"a": "b"} and m.locate(("data", "a")).line == 6
    flow = '{apiVersion: v1, kind: ConfigMap,\n metadata: {name: flow},\n data: {k: "v"}}\n'
    (m,) = read_text(flow, "flow.yaml").manifests
    assert m.obj["metadata"] == {"name": "flow"} and m.locate(("data", "k")).line == 3
    js = '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {\n    "name": "j"\n  }\n}\n'
    (m,) = read_text(js, "cm.json").manifests
    assert m.name == "j" and m.locate(("metadata", "name")).line == 5


def test_tabs_are_one_clear_error_with_the_fix() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabbed\n"
    result = read_text(text, "tabs.yaml")
    assert result.manifests == []
    (msg,) = messages(result)
    assert msg.startswith("tabs.yaml:4: error yaml: invalid YAML: ")
    assert "indent YAML with spaces, not tabs" in msg


def test_syntax_error_keeps_earlier_documents_and_names_the_line() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: Pod\nmetadata: {name: [x\n"
    result = read_text(text, "broken.yaml")
    assert [m.name for m in result.manifests] == ["ok"]
    (problem,) = result.problems
    assert problem.rule == "yaml" and problem.severity == "error"
    assert problem.location.line == 7  # the end of input, where the flow sequence should have closed
    assert "invalid YAML" in problem.message and "flow sequence" in problem.message


# Plain scalars where YAML readers disagree; kubectl (go-yaml v2) is the oracle for each.
EDGE_SCALARS = [
    "yes", "Yes", "y", "Y", "n", "N", "no", "on", "OFF", "true", "TRUE", "~", "null", "NULL", "",
    "0755", "0o755", "0x1F", "0X1f", "0b101", "0B11", "-0b11", "+12", "1_000", "1:20", "1e3", "1.5e3",
    "6.8523015e+5", ".5", "1_0.5", "0o_7", "012", "08", "0.", "-0", "00", "2024-01-01",
    "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "=", "<<", "0x", "1__0",
]


def test_plain_scalars_and_keys_read_exactly_as_kubectl_reads_them(
    kubeconfig: Path, tmp_path: Path,  # noqa: F811 - the fixture imported above
) -> None:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: scalars}", "extra:"]
    lines += [f"  v{i}: {s}" for i, s in enumerate(EDGE_SCALARS)]
    lines += ["keys:"]
    lines += [f"  {s}: k{i}" for i, s in enumerate(EDGE_SCALARS) if s not in ("", "<<", "~", "null", "NULL")]
    text = "\n".join(lines) + "\n"
    path = tmp_path / "scalars.yaml"
    path.write_text(text)
    (kubectl_read,) = kubectl_reads_file(kubeconfig, path, [{"metadata": {}}])
    result = read_text(text, "scalars.yaml")
    (mine,) = result.manifests
    for i, scalar in enumerate(EDGE_SCALARS):
        assert mine.obj["extra"][f"v{i}"] == kubectl_read["extra"][f"v{i}"], scalar
        assert type(mine.obj["extra"][f"v{i}"]) is type(kubectl_read["extra"][f"v{i}"]), scalar
    # yes/y/on/true are one key to kubectl (the last wins); kubegen reports each repeat.
    assert set(mine.obj["keys"]) == set(kubectl_read["keys"])
    as_keys = [
        str(kubectl_read["extra"][f"v{i}"]).lower() if isinstance(kubectl_read["extra"][f"v{i}"], bool)
        else str(kubectl_read["extra"][f"v{i}"])
        for i, s in enumerate(EDGE_SCALARS) if s not in ("", "<<", "~", "null", "NULL")
    ]
    repeated = {key for key in as_keys if as_keys.count(key) > 1}
    assert repeated >= {"true", "false", "493"}
    assert {p.message.split("'")[1] for p in result.problems} == repeated


@pytest.mark.parametrize(("extra", "kubectl_says", "kubegen_says"), [
    ("{a: 1, b: .inf}", "unsupported value: +Inf",
     ".inf (infinity or not-a-number) cannot be written as JSON, so kubectl refuses it"),
    ("{a: 1, ~: 2}", "unsupported map key of type",
     "found a null key (~, null or nothing); kubectl refuses it: quote it if it is text"),
])
def test_values_kubectl_cannot_convert_to_json_are_refused(
    kubeconfig: Path, tmp_path: Path, extra: str, kubectl_says: str, kubegen_says: str,  # noqa: F811
) -> None:
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: inf}}\nextra: {extra}\n"
    path = tmp_path / "inf.yaml"
    path.write_text(text)
    proc = kubectl(kubeconfig, "create", "-f", str(path), "--validate=false", ok=False, output="json")
    assert proc.returncode != 0 and kubectl_says in proc.stderr
    (msg,) = messages(read_text(text, "inf.yaml"))
    assert msg.startswith("inf.yaml:4: error yaml: invalid YAML: ") and kubegen_says in msg


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n    port: 81\n"
    result = read_text(text, "dup.yaml")
    (msg,) = messages(result)
    assert msg.startswith("dup.yaml:8: error yaml: duplicate key 'port' (also on line 7); YAML forbids "
                          "duplicate keys and strict Kubernetes validation rejects them")
    # PyYAML alone silently keeps the last value; so does the manifest (for the other checks).
    assert result.manifests[0].obj["spec"]["ports"] == yaml.safe_load(text)["spec"]["ports"] == [{"port": 81}]


def test_merge_keys_are_not_duplicates() -> None:
    text = "base: &base {a: 1, b: 2}\nuse:\n  <<: *base\n  b: 3\n"
    result = read_text(text, "merge.yaml")
    assert result.problems == []
    assert result.manifests[0].obj["use"] == yaml.safe_load(text)["use"] == {"a": 1, "b": 3}


def test_non_string_keys_become_json_keys_like_sigs_k8s_yaml() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: k}\ndata:\n  yes: a\n  1: b\n  0x10: c\n"
    (m,) = read_text(text, "keys.yaml").manifests
    assert m.obj["data"] == {"true": "a", "1": "b", "16": "c"}
    assert m.locate(("data", "true")).line == 5


def test_alias_bomb_is_refused_like_kubectl() -> None:
    levels = ["a: &a [" + ",".join(['"lol"'] * 9) + "]"]
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(levels) + "\n"
    result = read_text(text, "bomb.yaml")
    assert result.manifests == []
    (msg,) = messages(result)
    assert msg.startswith("bomb.yaml:1: error yaml: the aliases (*name) expand to more than 1,000,000 values")
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not installed: cannot confirm kubectl refuses the same input")
    proc = subprocess.run(
        [kubectl, "create", "--dry-run=client", "--validate=false", "-f", "-", "-o", "json"],
        input=text, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0 and "excessive aliasing" in proc.stderr


def test_small_aliases_are_fine_and_recursive_ones_refused() -> None:
    ok = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: al, labels: &l {app: x}}\ndata: *l\n"
    (m,) = read_text(ok, "al.yaml").manifests
    assert m.obj["data"] == {"app": "x"}
    result = read_text("a: &a [*a]\n", "rec.yaml")
    assert result.manifests == []
    assert "an alias refers to the collection that contains it" in messages(result)[0]


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata: !!python/object/apply:os.system ['touch {marker}']\n"
    result = read_text(text, "evil.yaml")
    assert not marker.exists()
    assert result.manifests == []
    (msg,) = messages(result)
    assert msg.startswith("evil.yaml:4: error yaml: the tag !!python/object/apply:os.system asks for a Python object")


def test_binary_and_undecodable_input_is_one_clear_problem() -> None:
    result = read_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00garbage", "a.out")
    (msg,) = messages(result)
    assert msg == ("a.out:1: error yaml: this is binary data, not YAML (a NUL byte at offset 7); pass "
                   "Kubernetes manifests written as YAML or JSON text")
    result = read_bytes(b"kind: ConfigMap\nmetadata:\n  name: caf\xe9\n", "latin1.yaml")
    (msg,) = messages(result)
    assert msg.startswith("latin1.yaml:3: error yaml: not UTF-8 text (byte 0xe9 at offset 37")
    utf16 = "kind: ConfigMap\nmetadata: {name: u}\n".encode("utf-16")
    assert [m.name for m in read_bytes(utf16, "u16.yaml").manifests] == ["u"]


def test_documents_that_are_not_objects() -> None:
    text = "- a\n- b\n---\njust text\n---\nkind: List\nitems: [1]\n"
    result = read_text(text, "odd.yaml")
    assert messages(result) == [
        "odd.yaml:1: error yaml: document 1 is a list, not a Kubernetes object (a mapping with apiVersion, "
        "kind and metadata)",
        "odd.yaml:4: error yaml: document 2 is the text 'just text', not a Kubernetes object (a mapping with "
        "apiVersion, kind and metadata)",
        "odd.yaml:7: error yaml: items[0] of this List is the value 1, not a Kubernetes object",
    ]


@pytest.mark.parametrize("text", [
    "a: " + "[" * 50_000 + "]" * 50_000,
    "- " * 100_000 + "x",
    "? " * 100_000 + "x",
])
def test_pathological_nesting_is_refused_not_a_crash(text: str) -> None:
    result = read_text(text, "deep.yaml")
    (msg,) = messages(result)
    assert msg.startswith("deep.yaml:1: error yaml: the YAML nests too deeply to read safely: more than 100 levels")


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  k: " + "x" * 3000 + "\n")
    monkeypatch.setenv("KUBEGEN_MAX_INPUT_MB", str(2048 / 2**20))
    result = read_paths([str(path)])
    (msg,) = messages(result)
    assert msg == (f"{path}: error yaml: input is 3,065 bytes, over kubegen's limit of 2,048 bytes; split it into "
                   "several files or raise the limit with KUBEGEN_MAX_INPUT_MB")
    monkeypatch.setenv("KUBEGEN_MAX_INPUT_MB", str(4096 / 2**20))
    assert [m.name for m in read_paths([str(path)]).manifests] == ["big"]


@pytest.mark.parametrize("value", ["abc", "0", "-1", "inf", "nan", "1e400"])
def test_a_size_limit_kubegen_cannot_apply_is_a_usage_error(tmp_path: Path, value: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    proc = subprocess.run([sys.executable, "-m", "kubegen", "lint", str(path)], capture_output=True, text=True,
                          env={**os.environ, "KUBEGEN_MAX_INPUT_MB": value}, timeout=60)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"Error: KUBEGEN_MAX_INPUT_MB={value!r}: expected the input limit as a positive number "
                           "of MiB (default 64)\n")


def test_a_few_megabytes_of_manifests_read_in_linear_time() -> None:
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  key: value-{i}\n"
    text = "---\n".join(doc.format(i=i) for i in range(20_000))
    result = read_text(text, "many.yaml")
    assert len(result.manifests) == 20_000 and result.problems == []
    assert result.manifests[-1].locate(("data", "key")).line == text.count("\n")


def test_read_paths_walks_directories_sorted_and_reads_stdin(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.yml").write_text("kind: ConfigMap\nmetadata: {name: two}\n")
    (tmp_path / "a.yaml").write_text("kind: ConfigMap\nmetadata: {name: one}\n")
    (tmp_path / "c.json").write_text('{"kind": "ConfigMap", "metadata": {"name": "three"}}')
    (tmp_path / "notes.txt").write_text("kind: ConfigMap\nmetadata: {name: ignored}\n")
    stdin = io.StringIO("kind: ConfigMap\nmetadata: {name: piped}\n")
    result = read_paths([str(tmp_path), "-"], stdin=stdin)
    assert [m.name for m in result.manifests] == ["one", "two", "three", "piped"]
    assert result.files == 4
    assert result.manifests[-1].origin.file == "<stdin>"
    with pytest.raises(InputError, match="nope.yaml: no such file or directory"):
        read_paths([str(tmp_path / "nope.yaml")])


def test_json_streams_binary_sets_and_control_characters() -> None:
    stream = ('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}\n'
              '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {\n    "name": "b"\n  }\n}\n')
    result = read_text(stream, "stream.json")
    assert result.problems == []
    assert [(m.name, m.locate(("metadata", "name")).line) for m in result.manifests] == [
        ("a", 1), ("b", line_of(stream, '"name": "b"'))
    ]
    # go-yaml (kubectl) decodes !!binary to the bytes' text and has no sets (a mapping to nulls).
    text = "kind: ConfigMap\nmetadata: {name: x}\ndata: {a: !!binary aGVsbG8=, b: !!set {x1, x2}}\n"
    (m,) = read_text(text, "tags.yaml").manifests
    assert m.obj["data"] == {"a": "hello", "b": {"x1": None, "x2": None}}
    (msg,) = messages(read_text("kind: ConfigMap\nmetadata: {name: x\x07}\n", "bell.yaml"))
    assert msg == ("bell.yaml:2: error yaml: invalid YAML: character #x0007 is not allowed (control "
                   "characters are not allowed); remove it")


def test_a_directory_without_manifests_is_an_error_not_a_clean_run(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# not a manifest\n")
    with pytest.raises(InputError, match="no \\*.yaml, \\*.yml or \\*.json files in this directory"):
        read_paths([str(tmp_path)])


def test_a_bad_value_spoils_only_its_own_document() -> None:
    text = ("kind: ConfigMap\nmetadata: {name: a}\ndata: {x: .inf}\n---\nkind: ConfigMap\nmetadata: {name: b}\n"
            "---\nkind: !!python/object:os.system {}\n---\nkind: ConfigMap\nmetadata: {name: c}\n")
    result = read_text(text, "mixed.yaml")
    assert [m.name for m in result.manifests] == ["b", "c"]
    assert [(p.location.line, p.message.split(":")[0]) for p in result.problems] == [
        (3, "invalid YAML"), (8, "the tag !!python/object"),
    ]


YAMLISH = ["a", ": ", "- ", "\n", "  ", "\t", "[", "]", "{", "}", ",", "&x ", "*x", "<<", "? ", "---\n", "...\n",
           "!!python/object:os.system", "!!binary", "!!set", "!!int", "!!float", "!!bool", "yes", "y", "0755",
           "1e3", ".inf", "~", '"q\\x"', "'s'", "|\n", ">-\n", "#c", "%YAML 1.1\n", "kind: List\n", "items",
           "kind: Service\n", "ports", "\ufeff", "\x00", "\r\n", "\x85", "\u2028", "@", "%"]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(YAMLISH), max_size=40), st.binary(max_size=64))
def test_any_input_gives_manifests_or_findings_never_an_exception(tokens: list[str], junk: bytes) -> None:
    for name, result in (("f.yaml", read_text("".join(tokens), "f.yaml")), ("f.bin", read_bytes(junk, "f.bin"))):
        findings = lint_read(result).findings
        assert all(f.rule != "yaml" or f.severity == "error" for f in findings)
        for finding in findings:
            assert finding.format().startswith(name)
        for m in result.manifests:
            assert m.locate(("spec", "ports", 0, "port")).file == name


# --- the fast constructor builds what PyYAML's generic one builds --------------------

def _both_ways(text: str) -> tuple[list[object], list[object]]:
    from kubegen.reader_loader import KubeLoader

    fast, generic = [], []
    for into, build in ((fast, KubeLoader.construct_document),
                        (generic, lambda loader, node: super(KubeLoader, loader).construct_document(node))):
        loader = KubeLoader(text)
        try:
            while loader.check_node():
                into.append(build(loader, loader.get_node()))
        finally:
            loader.dispose()
    return fast, generic


def test_fast_construction_equals_the_generic_one_on_the_corpus() -> None:
    corpus = Path(__file__).resolve().parent / "data" / "corpus"
    compared = 0
    for path in sorted(corpus.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            fast, generic = _both_ways(text)
        except yaml.YAMLError:
            continue  # invalid YAML: both refuse it (the reader tests say how)
        assert fast == generic, path
        compared += len(fast)
    assert compared > 250


_shared = {"a": 1, "b": [True, None, "yes", "0755", 1.5]}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(
    st.one_of(st.text(max_size=8), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
              st.booleans(), st.none(), st.just(_shared)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=15,
), st.sampled_from([None, True, False]))
def test_fast_construction_equals_the_generic_one_on_any_data(data: object, flow: bool | None) -> None:
    text = yaml.dump({"apiVersion": "v1", "kind": "X", "data": data, "again": _shared}, default_flow_style=flow)
    fast, generic = _both_ways(text)  # anchors and aliases included: _shared is written once
    assert fast == generic
    assert (fast[0]["again"] is fast[0]["data"]) == (generic[0]["again"] is generic[0]["data"])
