"""`lint --fix` on real manifests: the corpus (tests/data/corpus) and the API server's
recorded verdicts (tests/data/apiserver-verdicts).

Corpus: each original directory is fixed as one stack (as `kubectl apply -f DIR` would
take it). Every file with a fixable finding comes out clean of that finding, no object
gains a finding, and the diff touches only the lines the fixes say they edited.

Verdicts: a case the server rejected for a reason the fixer repairs comes out in the
shape the server accepts (no error of a rule the server applies, valid against the
official OpenAPI schema); every other case, accepted ones first, is never changed.
"""

from __future__ import annotations

import difflib
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from apiserver_verdicts import Verdict, load
from conftest import assert_valid_k8s
from test_corpus import CORPUS, stacks

from kubegen.checks import CROSS_OBJECT_RULES, CheckOptions
from kubegen.fix import FixResult, fix_paths
from kubegen.lint import lint

VERDICTS = load()

# What the fixer repairs in the corpus (file, rule, change): reviewed, each a real mistake.
EX, WEB = "kubernetes__examples/", "kubernetes__website/content__en__examples__"
EXPECTED = {
    (EX + "_archived__cockroachdb__cockroachdb-statefulset.yaml", "api-version",
     "apiVersion policy/v1beta1 -> policy/v1"),
    (EX + "_archived__newrelic-infrastructure__newrelic-infra-daemonset.yaml", "api-version",
     "apiVersion extensions/v1beta1 -> apps/v1 (selector from the template labels; updateStrategy: "
     "{type: OnDelete} kept (extensions/v1beta1's default))"),
    (EX + "_archived__volumes__flexvolume__deploy__ds.yaml", "api-version",
     "apiVersion extensions/v1beta1 -> apps/v1 (selector from the template labels; updateStrategy: "
     "{type: OnDelete} kept (extensions/v1beta1's default))"),
    (EX + "_archived__volumes__flocker__flocker-pod-with-rc.yaml", "target-port",
     "spec.ports[0].targetPort 80 (a hostPort) -> 2368 (its containerPort)"),
    (EX + "_archived__volumes__scaleio__pod.yaml", "schema", "spec.volumes[0].scaleIO.protectionDoamin -> protectionDomain"),
    # the API server's enumerations (OpenAPI data): a port protocol in lower case
    (EX + "_archived__volumes__aws_ebs__aws-ebs-web.yaml", "invalid-value", "spec.containers[0].ports[0].protocol tcp -> TCP"),
    (EX + "_archived__volumes__cinder__cinder-web.yaml", "invalid-value", "spec.containers[0].ports[0].protocol tcp -> TCP"),
    (WEB + "pods__inject__pod-single-secret-env-variable.yaml", "schema", "apiVersion: v1 added"),
    (WEB + "pods__probe__grpc-liveness.yaml", "schema", "spec.containers[0].livenessProbe.gRPC -> grpc"),
}


def changed_lines_only(before: str, after: str, changed: set[int]) -> list[str]:
    """Diff hunks that touch a line outside ``changed`` (1-based lines of ``before``)."""
    stray = []
    old, new = before.splitlines(), after.splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lines = set(range(i1 + 1, i2 + 1)) if i2 > i1 else {i1, i1 + 1}  # an insertion: next to an edit
        inside = lines <= changed if i2 > i1 else bool(lines & changed)
        if not inside:
            stray.append(f"{tag} old {i1 + 1}-{i2} new {j1 + 1}-{j2}: {old[i1:i2]} -> {new[j1:j2]}")
    return stray


def fix_stack(tmp_path: Path, files: list[str]) -> tuple[FixResult, Path]:
    tree = tmp_path / "c"
    for name in files:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / name, tree / name)
    return fix_paths([str(tree / f) for f in files], CheckOptions()), tree


@pytest.mark.slow
def test_corpus_fixes_are_clean_and_confined(tmp_path: Path) -> None:
    done: set[tuple[str, str, str]] = set()
    for number, files in enumerate(stacks().values()):
        before = lint([str(CORPUS / f) for f in files], CheckOptions())
        result, tree = fix_stack(tmp_path / str(number), files)
        prefix = str(tree) + "/"
        assert result.errors == [] and not any("Traceback" in r for r in result.skipped.values())
        for fix in result.applied:
            done.add((fix.manifest.origin.file.removeprefix(prefix), fix.rule, fix.summary))
        # the fixed findings are gone; no object has more findings of a rule than before
        after = lint([str(tree / f) for f in files], CheckOptions())
        left = {(f.rule, f.location.file, f.manifest.label, f.path) for f in after.findings if f.manifest}
        for fix in result.applied:
            m = fix.manifest
            assert (fix.rule, m.origin.file, m.label, fix.finding.path) not in left, fix.describe()
        count = Counter((f.rule, f.location.file.removeprefix(prefix)) for f in after.findings)
        was = Counter((f.rule, f.location.file.removeprefix(str(CORPUS) + "/")) for f in before.findings)
        assert not count - was, count - was
        # the diff touches only the lines the fixes edited
        for source in result.sources:
            name = source.path.removeprefix(prefix)
            original = (CORPUS / name).read_text(encoding="utf-8")
            assert source.original_text == original
            assert changed_lines_only(original, (tree / name).read_text(encoding="utf-8"), source.changed) == []
    assert done == EXPECTED


# The cases the fixer repairs: the rejection's cause has one safe fix.
FIXED_CASES = {
    "ds-pull-policy-lower": "spec.template.spec.containers[0].imagePullPolicy always -> Always",
    "lb-protocol-udp-lower": "spec.ports[0].protocol udp -> UDP",
    "lb-type-casing": "spec.type Loadbalancer -> LoadBalancer",
    "secret-value-int": 'stringData.port: 5432 -> "5432"',
    "sts-env-two-refs": 'spec.template.spec.containers[0].env[1].valueFrom.configMapKeyRef.key: y -> "y"',
}


@pytest.mark.parametrize("verdict", VERDICTS, ids=[v.case for v in VERDICTS])
def test_api_server_cases(tmp_path: Path, verdict: Verdict) -> None:
    path = tmp_path / verdict.file.name
    shutil.copyfile(verdict.file, path)
    original = path.read_text(encoding="utf-8")
    result = fix_paths([str(path)])
    text = path.read_text(encoding="utf-8")
    if verdict.accepted or verdict.case not in FIXED_CASES:  # nothing to fix, nothing changed
        assert result.applied == [] and text == original, [f.summary for f in result.applied]
        return
    assert [f.summary for f in result.applied] == [FIXED_CASES[verdict.case]]
    assert changed_lines_only(original, text, result.sources[0].changed) == []
    fixed_rules = {f.rule for f in result.applied}
    assert not [f for f in result.left if f.rule in fixed_rules]
    server_side = [f for f in result.left if f.severity == "error" and f.rule not in CROSS_OBJECT_RULES]
    if not server_side:  # every cause of the rejection repaired: the shape the server accepts
        assert_valid_k8s([d for d in yaml.safe_load_all(text) if d])
    else:  # sts-env-two-refs: a second mistake (two sources for one env var) has no safe fix
        assert verdict.case == "sts-env-two-refs" and [f.rule for f in server_side] == ["invalid-value"]


def test_the_confinement_check_itself_catches_a_stray_change() -> None:
    assert changed_lines_only("a\nb\nc\n", "a\nB\nc\n", {2}) == []
    assert changed_lines_only("a\nb\nc\n", "a\nB\nC\n", {2}) == ["replace old 2-3 new 2-3: ['b', 'c'] -> ['B', 'C']"]
    assert changed_lines_only("a\nb\n", "a\nx\nb\n", {1}) == []
    assert changed_lines_only("a\nb\nc\nd\n", "a\nb\nc\nx\nd\n", {1}) != []
