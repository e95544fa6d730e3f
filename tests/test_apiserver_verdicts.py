"""kubegen against a real API server's recorded verdicts (tests/data/apiserver-verdicts/),
case by case: every rejected case gets an error on the object the server named, at each
field path the server named; every accepted case gets no error. The agreement figure is
printed at the end of the run (see conftest.py); ``python tests/apiserver_verdicts.py``
prints it alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from apiserver_verdicts import Verdict, covers, findings_for, judge, load

from kubegen.checks import kubeversion

VERDICTS = load()


def test_the_recorded_cases_are_all_here() -> None:
    assert len(VERDICTS) == 111
    assert sum(v.accepted for v in VERDICTS) == 21
    assert all(v.file.exists() for v in VERDICTS)
    # every "is invalid" answer was parsed into at least one field path
    assert all(v.paths for v in VERDICTS if " is invalid: " in v.answer)


@pytest.mark.parametrize("verdict", VERDICTS, ids=[v.case for v in VERDICTS])
def test_kubegen_agrees_with_the_api_server(verdict: Verdict, record_property: Callable[[str, object], None]) -> None:
    ok, why = judge(verdict, findings_for(verdict))
    record_property("apiserver_verdict", ("accepted" if verdict.accepted else "rejected", ok))
    assert ok, f"{verdict.case}: the server said {verdict.answer!r}; kubegen: {why}"


def test_rejections_are_worded_with_the_servers_field_path_and_value() -> None:
    verdict = next(v for v in VERDICTS if v.case == "sts-volume-name-upper")
    [finding] = [f for f in findings_for(verdict) if covers(f, "spec.template.spec.volumes[1].name")]
    assert finding.format().endswith(
        "error invalid-value: StatefulSet 'db': spec.template.spec.volumes[1].name: 'Init' must be a lowercase "
        "RFC 1123 label: it must consist of lower case alphanumeric characters or '-', and start and end with an "
        "alphanumeric character (try 'init')")
    assert finding.suggestion == "init"
    verdict = next(v for v in VERDICTS if v.case == "lb-protocol-udp-lower")
    [finding] = [f for f in findings_for(verdict) if covers(f, "spec.ports[0].protocol")]
    assert "spec.ports[0].protocol: 'udp' is not supported; supported values: SCTP, TCP, UDP; did you mean 'UDP'?" \
        in finding.message
    assert finding.suggestion == "UDP"


def _case(name: str) -> Verdict:
    return next(v for v in VERDICTS if v.case == name)


def test_service_names_follow_the_target_release() -> None:
    digit = _case("ok-service-name-digit-1.36")
    assert kubeversion.newest() == "1.36"
    assert not [f for f in findings_for(digit) if f.severity == "error"]
    older = [f for f in findings_for(digit, "1.35") if f.severity == "error"]
    assert [f.rule for f in older] == ["name"]
    assert "must be an RFC 1035 label" in older[0].message
    assert older[0].message.endswith("(try 'svc-2fa') (Kubernetes 1.35; 1.36 changed this rule)")


def test_indexed_job_without_completions_is_accepted_on_every_release() -> None:
    """SetDefaults_Job sets completions (and parallelism) to 1 when both are unset, so the
    server accepts this case in every supported release."""
    case = _case("job-indexed-no-completions")
    for release in ("1.25", "1.30", "1.36"):
        assert not [f.format() for f in findings_for(case, release) if f.severity == "error"]


_ODD_VALUES: list[object] = [True, None, 0, -1, 1.5, "", "x", "a b", [], {}, [None], [{}], [[]], {"a": None}, 2**40]


def test_odd_shapes_anywhere_give_findings_not_tracebacks() -> None:
    """Every value of every case replaced by values of other shapes (deterministically, 2000
    times): the validators skip what they cannot read, the schema rule names it."""
    import copy
    import random

    from kubegen.checks import run_checks
    from kubegen.location import Location
    from kubegen.manifest import Manifest
    from kubegen.reader import read_paths

    objects = [m.obj for v in VERDICTS for m in read_paths([str(v.file)]).manifests]
    rnd = random.Random(9)
    for _ in range(2000):
        obj = copy.deepcopy(rnd.choice(objects))
        for _ in range(rnd.randint(1, 3)):
            paths: list[tuple[object, ...]] = []
            todo: list[tuple[tuple[object, ...], object]] = [((), obj)]
            while todo:
                here, node = todo.pop()
                items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
                for key, value in items:
                    if here or key not in ("apiVersion", "kind"):
                        paths.append((*here, key))
                        todo.append(((*here, key), value))
            path = rnd.choice(paths)
            parent: object = obj
            for step in path[:-1]:
                parent = parent[step]  # type: ignore[index]
            parent[path[-1]] = copy.deepcopy(rnd.choice(_ODD_VALUES))  # type: ignore[index]
        for finding in run_checks([Manifest(obj, Location("x.yaml", 1))]):
            assert finding.format().startswith("x.yaml:")
