"""`kubegen lint --fix` and `--diff` as a command, and what it must never do: change a byte
it did not mean to, edit what it does not fully understand, follow or write through a
symlink, touch a file it was not given, or leave a half-written file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kubegen.checks import CheckOptions
from kubegen.cli import main
from kubegen.errors import OutputError
from kubegen.fix import fix_paths
from kubegen.fix.files import replace_file
from kubegen.fix.ops import Set
from kubegen.fix.plan import Fix
from kubegen.fix.source import Source
from kubegen.lint import lint_read
from kubegen.reader import read_paths

BROKEN = "apiVersion: apps/v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    canary: yes\nspec:\n  type: ClusterIp\n  ports:\n  - port: 80\n"
FIXED = BROKEN.replace("apps/v1", "v1").replace("canary: yes", 'canary: "yes"').replace("ClusterIp", "ClusterIP")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode())
    return path


# --- the command --------------------------------------------------------------------


def test_fix_reports_each_change_and_exits_0_when_nothing_is_left(tmp_path: Path) -> None:
    svc = write(tmp_path / "svc.yaml", BROKEN)
    code, out, err = run("--fix", str(svc))
    assert code == 0, err
    assert out.splitlines() == [
        f"{svc}:1: fixed api-version: Service 'web': apiVersion apps/v1 -> v1",
        f"{svc}:6: fixed yaml-boolean: Service 'web': metadata.labels.canary: yes -> \"yes\"",
        f"{svc}:8: fixed service-type: Service 'web': spec.type ClusterIp -> ClusterIP",
        "fixed 3 findings in 1 file; 0 errors, 0 warnings left in 1 object from 1 file",
    ]
    assert svc.read_text() == FIXED


def test_fix_exits_1_and_lists_what_is_left(tmp_path: Path) -> None:
    svc = write(tmp_path / "svc.yaml", BROKEN.replace("  - port: 80\n", "  - port: 80\n  selector: {app: nothing}\n"))
    code, out, _ = run("--fix", str(svc))
    assert code == 1
    assert out.splitlines()[-2].startswith(f"{svc}:11: error selector-dangling: Service 'web': selector {{app: nothing}}")
    assert out.splitlines()[-1] == "fixed 3 findings in 1 file; 1 error, 0 warnings left in 1 object from 1 file"


def test_diff_writes_nothing_and_git_applies_its_output(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    svc = write(work / "svc.yaml", BROKEN.replace("\n", "\r\n").rstrip("\r\n"))  # CRLF, no final newline
    cwd = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(main, ["lint", "--diff", "svc.yaml"], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    code, out, err = result.exit_code, result.stdout_bytes.decode(), result.stderr
    assert code == 0
    assert svc.read_bytes() == BROKEN.replace("\n", "\r\n").rstrip("\r\n").encode()  # untouched
    assert out.startswith("--- a/svc.yaml\n+++ b/svc.yaml\n")
    assert "would fix 3 findings in 1 file" in err and "svc.yaml:1: would fix api-version" in err
    patch = tmp_path / "fix.patch"
    patch.write_bytes(out.encode())
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run(["git", "apply", "--whitespace=nowarn", str(patch)], cwd=work, check=True)
    assert svc.read_bytes() == FIXED.replace("\n", "\r\n").rstrip("\r\n").encode()


def test_json_report(tmp_path: Path) -> None:
    svc = write(tmp_path / "svc.yaml", BROKEN)
    code, out, _ = run("--fix", "--format", "json", str(svc))
    data = json.loads(out)
    assert code == 0 and data["findings"] == [] and data["skipped"] == [] and data["not_fixed"] == []
    assert [(f["line"], f["rule"], f["change"]) for f in data["fixed"]] == [
        (1, "api-version", "apiVersion apps/v1 -> v1"),
        (6, "yaml-boolean", 'metadata.labels.canary: yes -> "yes"'),
        (8, "service-type", "spec.type ClusterIp -> ClusterIP"),
    ]
    assert data["fixed"][0]["object"] == {"kind": "Service", "name": "web", "namespace": None}


def test_stdin_cannot_be_fixed(tmp_path: Path) -> None:
    code, _, err = run("--fix", "-")
    assert code == 2
    assert err == "Error: --fix and --diff work on files: they cannot rewrite stdin (-)\n"


def test_only_the_files_given_are_touched(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", BROKEN)
    b = write(tmp_path / "b.yaml", BROKEN.replace("name: web", "name: api"))
    run("--fix", str(a))
    assert a.read_text() == FIXED and b.read_text() == BROKEN.replace("name: web", "name: api")


# --- bytes kept ---------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final", [True, False])
@pytest.mark.parametrize("bom", [False, True])
def test_line_ends_final_newline_and_bom_are_kept(tmp_path: Path, newline: str, final: bool, bom: bool) -> None:
    text = BROKEN if final else BROKEN.rstrip("\n")
    data = ("\ufeff" if bom else "") + text.replace("\n", newline)
    svc = tmp_path / "svc.yaml"
    svc.write_bytes(data.encode())
    result = fix_paths([str(svc)])
    expected = ("\ufeff" if bom else "") + (FIXED if final else FIXED.rstrip("\n")).replace("\n", newline)
    assert svc.read_bytes() == expected.encode()
    assert len(result.applied) == 3


def test_permissions_are_kept_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    svc = write(tmp_path / "svc.yaml", BROKEN)
    svc.chmod(0o640)
    fix_paths([str(tmp_path)])
    assert svc.read_text() == FIXED
    assert oct(svc.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["svc.yaml"]


def test_a_file_changed_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    svc = write(tmp_path / "svc.yaml", "kind: x\n")
    with pytest.raises(OutputError, match="changed on disk while kubegen was fixing it"):
        replace_file(str(svc), b"kind: y\n", b"kind: old\n")
    assert svc.read_text() == "kind: x\n"


# --- left alone ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "reason"), [
    (BROKEN + "---\nkind: [\n", "has YAML errors; fix those first (see the findings), then run --fix again"),
    (BROKEN.replace("name: web", "name: {{ .Release.Name }}"),
     "has YAML errors; fix those first (see the findings), then run --fix again"),
    (BROKEN.replace("name: web", 'name: "{{ .Values.name }}"'),
     "looks like a template ('{{' on line 4); kubegen fixes plain manifests, not Helm or other templates"),
    (BROKEN.replace("  name: web\n", "  name: &n web\n  annotations: {also: *n}\n"),
     "uses YAML anchors or aliases (line 4); kubegen edits only plain YAML, where a change is made in one place"),
    (BROKEN.replace("type: ClusterIp", "type: !!str ClusterIp"), "uses a YAML tag (line 8); kubegen edits only plain YAML"),
    ('{"apiVersion": "apps/v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}]}}\n'
     '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}, "spec": {"ports": [{"port": 80}]}}\n',
     "is a stream of separate JSON objects; kubegen fixes YAML and single JSON documents"),
])
def test_what_kubegen_does_not_fully_understand_is_left_alone(tmp_path: Path, text: str, reason: str) -> None:
    svc = write(tmp_path / "svc.yaml", text)
    result = fix_paths([str(svc)])
    assert svc.read_text() == text
    assert result.applied == [] and result.skipped == {str(svc): reason}
    code, out, _ = run("--fix", str(svc))
    assert f"{svc}: not fixed: {reason}\n" in out and code == 1


def test_template_braces_inside_a_block_scalar_are_data(tmp_path: Path) -> None:
    text = BROKEN + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n  rule: |\n    {{ $labels.instance }} is down\n"
    svc = write(tmp_path / "svc.yaml", text)
    fix_paths([str(svc)])
    assert svc.read_text().startswith(FIXED)


def test_a_symlinked_file_is_never_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = write(outside / "real.yaml", BROKEN)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.yaml").symlink_to(target)
    result = fix_paths([str(tree)])
    assert target.read_text() == BROKEN
    assert result.skipped == {
        f"{tree}/link.yaml": "is a symlink; kubegen never writes through one (fix the file it points to)"
    }
    result = fix_paths([str(tree / "link.yaml")])
    assert target.read_text() == BROKEN and result.applied == []


def test_a_symlinked_directory_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside / "real.yaml", BROKEN)
    tree = tmp_path / "tree"
    tree.mkdir()
    write(tree / "own.yaml", BROKEN.replace("name: web", "name: api"))
    (tree / "elsewhere").symlink_to(outside, target_is_directory=True)
    fix_paths([str(tree)])
    assert (outside / "real.yaml").read_text() == BROKEN
    assert (tree / "own.yaml").read_text() == FIXED.replace("name: web", "name: api")


def test_a_change_that_does_not_read_back_as_intended_is_refused(tmp_path: Path) -> None:
    svc = write(tmp_path / "svc.yaml", BROKEN)
    read = read_paths([str(svc)])
    m = read.manifests[0]
    finding = lint_read(read, CheckOptions()).findings[0]
    # a Set whose text says something else than its value: the read-back check catches it
    lying = Fix(finding=finding, manifest=m, ops=(Set(("spec", "type"), "ClusterIP", "NodePort"),), summary="x")
    source = Source.load(str(svc), read.manifests, None, None)
    assert isinstance(source, Source)
    attempt, _ = source.attempt([lying])
    assert attempt.applied == []
    assert attempt.refused == [(lying, "the changed text would not read back as intended")]


def test_the_corpus_copy_is_fixed_only_where_it_is_wrong(tmp_path: Path) -> None:
    # a quick end-to-end on real files: the rest of this tree stays byte for byte
    corpus = Path(__file__).parent / "data" / "corpus" / "kubernetes__examples"
    tree = tmp_path / "c"
    shutil.copytree(corpus, tree)
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    result = fix_paths([str(tree / "_archived__volumes__scaleio__pod.yaml")])
    changed = [p for p, data in before.items() if p.read_bytes() != data]
    assert [p.name for p in changed] == ["_archived__volumes__scaleio__pod.yaml"]
    assert [f.summary for f in result.applied] == ["spec.volumes[0].scaleIO.protectionDoamin -> protectionDomain"]


def test_render_and_plain_lint_do_not_load_ruamel(tmp_path: Path) -> None:
    svc = write(tmp_path / "svc.yaml", FIXED)
    example = Path(__file__).resolve().parents[1] / "examples" / "shop.py"
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from kubegen.cli import main\n"
        f"assert CliRunner().invoke(main, ['render', {str(example)!r}]).exit_code == 0\n"
        f"assert CliRunner().invoke(main, ['lint', {str(svc)!r}]).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('ruamel')))\n"
        f"assert CliRunner().invoke(main, ['lint', '--diff', {str(svc)!r}]).exit_code == 0\n"
        "print('ruamel.yaml' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "[]\nTrue\n"


def test_a_directory_given_through_a_symlink_is_not_written(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    svc = write(real / "svc.yaml", BROKEN)
    (tmp_path / "k8s").symlink_to(real, target_is_directory=True)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        by_dir = fix_paths(["k8s"])
        by_file = fix_paths(["k8s/svc.yaml"])
    finally:
        os.chdir(cwd)
    assert svc.read_text() == BROKEN
    assert by_dir.skipped == {"k8s/svc.yaml": "is reached through the symlink k8s"}
    assert by_file.skipped == {"k8s/svc.yaml": "is reached through the symlink k8s"}


def test_a_fifo_in_place_of_the_file_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "svc.yaml"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        replace_file(str(fifo), b"x", b"")
