"""In CI a skipped test is a failed test: a test that skips in CI does not exist.

``.ci/run`` sets ``KUBEGEN_CI=1``; with it, every skip (a missing tool, a missing
package, an ``importorskip``) is reported as a failure that says what was missing.
``tools/install-test-tools`` installs everything the suite runs. Loaded by
tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

ACTIVE = os.environ.get("KUBEGEN_CI", "") not in ("", "0")


def _reason(report: Any) -> str:
    longrepr = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def _fail(report: Any) -> None:
    reason = _reason(report).removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = f"skipped under KUBEGEN_CI=1, which counts as a failure: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if ACTIVE and report.skipped and not hasattr(report, "wasxfail"):
        _fail(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if ACTIVE and report.skipped:
        _fail(report)
