"""Helpers to unit-test your own stacks with pytest (or any test runner).

    from kubegen.testing import assert_clean, assert_finding, backends_of

    def test_shop_is_wired():
        stack = shop.stack(env="prod")
        assert_clean(stack)                                  # no errors, no warnings
        assert backends_of(stack, "form") == ["Deployment/form"]

    def test_typo_is_caught():
        finding = assert_finding(broken_stack(), "selector-dangling", "did you mean app=report")
        assert finding.location.line == 12
"""

from __future__ import annotations

from kubegen.api import Stacks, check_stack, compile_stacks
from kubegen.checks import CheckOptions, Finding
from kubegen.checks.wiring import DEFAULT_NAMESPACE, StackIndex


def findings(stack: Stacks, rule: str | None = None, options: CheckOptions | None = None) -> list[Finding]:
    """Every finding for the stack, or only those of ``rule``."""
    found = check_stack(stack, options)
    return [f for f in found if rule is None or f.rule == rule]


def assert_clean(stack: Stacks, *, allow_warnings: bool = False, options: CheckOptions | None = None) -> None:
    """Fail with every finding listed (as ``file:line: ...``) unless the stack is clean."""
    found = [f for f in check_stack(stack, options) if not (allow_warnings and f.severity == "warning")]
    if found:
        listing = "\n".join(f.format() for f in found)
        raise AssertionError(f"expected no findings, got {len(found)}:\n{listing}")


def assert_finding(
    stack: Stacks, rule: str, contains: str | None = None, options: CheckOptions | None = None
) -> Finding:
    """The first finding of ``rule`` (whose message contains ``contains``); fail if none."""
    found = check_stack(stack, options)
    for finding in found:
        if finding.rule == rule and (contains is None or contains in finding.message):
            return finding
    listing = "\n".join(f.format() for f in found) or "(no findings)"
    wanted = f"{rule!r}" + (f" containing {contains!r}" if contains else "")
    raise AssertionError(f"expected a finding {wanted}; got:\n{listing}")


def backends_of(stack: Stacks, service: str, namespace: str | None = None) -> list[str]:
    """``Kind/name`` of every workload whose pods the Service ``service`` selects."""
    manifests = compile_stacks(stack)
    index = StackIndex(manifests)
    for m in manifests:
        if m.kind == "Service" and m.name == service and (namespace is None or m.namespace == namespace):
            spec = m.obj.get("spec") or {}
            selector = spec.get("selector") or {}
            if not selector:
                return []
            selected = index.select(m.namespace or DEFAULT_NAMESPACE, selector)
            return sorted({f"{p.manifest.kind}/{p.manifest.name}" for p in selected})
    raise AssertionError(f"the stack has no Service {service!r}")
