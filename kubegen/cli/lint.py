"""``kubegen lint``: read YAML manifests (any tool's output) and run render's checks."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from kubegen.cli import fail, kube_version_option, report_errors
from kubegen.cli.render import ASSUME, IGNORE, NODE_PORT_RANGE, check_options


@click.command()
@click.argument("paths", metavar="FILE|DIR|-...", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per finding and a summary; json: one object {findings: [{file, line, "
                   "severity, rule, message, object: {kind, name, namespace}, path}], summary: {errors, "
                   "warnings, objects, files}}.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any finding).")
@click.option("--partial", is_flag=True,
              help="The files are not the whole stack (pods may live elsewhere): report what they refer "
                   "to but do not contain (pods behind a selector, an Ingress's Service, a ConfigMap, ...) "
                   "as warnings; a mismatch between objects both in the files stays an error.")
@NODE_PORT_RANGE.decorator()
@IGNORE.decorator()
@ASSUME.decorator()
@click.option("--fix", "fix", is_flag=True,
              help="Rewrite the files in place where a finding has one safe fix (everything else kept "
                   "byte for byte), then report each fix and what is left.")
@click.option("--diff", "diff", is_flag=True,
              help="Like --fix, but print the changes as a unified diff instead of writing them "
                   "(the report goes to stderr).")
@kube_version_option
@report_errors
def lint(
    paths: tuple[str, ...], fmt: str, strict: bool, partial: bool,
    node_port_range: str | None, ignore: tuple[str, ...], assume: tuple[str, ...], fix: bool, diff: bool,
    kube_version: str | None,
) -> None:
    """Check Kubernetes manifests in YAML or JSON files, directories or stdin (-).

    Directories are read recursively (*.yaml, *.yml, *.json, in sorted order);
    every file may hold several documents and `kind: List` objects. All objects
    are checked together as one stack, with the same rules `kubegen render` runs:
    what the API server would reject, and wiring that traffic would not survive.

    Each finding is printed as `file:line: severity rule-id: message`, sorted by
    file and line, followed by a summary line. Exit codes: 0 clean (warnings
    allowed unless --strict), 1 findings, 2 usage error.

    Only regular files are read: a FIFO, a device or a broken link is reported, not
    read (pipe it to - instead). Input stops at 64 MiB (raise with
    KUBEGEN_MAX_INPUT_MB); data nested over 100 levels is refused. Objects are
    checked as they are read, so memory does not grow with the input.

    --fix repairs what has one safe fix: an apiVersion the kind is served under
    elsewhere (an old Ingress converted to networking.k8s.io/v1), enum casing
    (ClusterIp, udp), YAML 1.1 booleans and numbers where strings are wanted
    (canary: yes), ports written as a mapping, quoted numbers, a misspelt field
    name, a missing port name, and a dangling selector, targetPort or Ingress
    backend when exactly one close match exists (never with --partial). Comments,
    layout and quoting are kept; each file is rewritten atomically and only if it
    reads back as intended. Templates ({{ }}), files with YAML errors, anchors or
    tags, and symlinks are left alone. The exit code is lint's for what is left;
    --format json adds the fixes (fixed), the refusals (not_fixed) and the files left alone (skipped).

    \b
    Examples:
      kubegen lint k8s/
      helm template chart | kubegen lint -
      kubegen lint --partial --format json service.yaml
      kubegen lint k8s/ --assume Secret/registry-creds   # made by another tool
      kubegen lint --fix k8s/                            # repair in place
      kubegen lint --diff k8s/ > fixes.patch             # review first, then git apply
      kubegen lint --kube-version 1.30 k8s/
    """
    options = check_options(node_port_range, ignore, partial, assume, kube_version)
    if fix or diff:
        _fix(paths, options, fmt=fmt, strict=strict, write=not diff)
        return
    from kubegen.lint import lint as run_lint
    from kubegen.output import data_out

    result = run_lint(paths, options)
    out = data_out()
    if fmt == "json":
        out.write(json.dumps(result.to_json(), indent=2, sort_keys=False) + "\n")
    else:
        for finding in result.findings:
            out.write(finding.format() + "\n")
        out.write(result.summary() + "\n")
    if result.failed(strict=strict):
        fail(1)


def _fix(paths: tuple[str, ...], options: Any, *, fmt: str, strict: bool, write: bool) -> None:
    from kubegen.errors import UsageError
    from kubegen.fix import fix_paths
    from kubegen.output import data_out

    if "-" in paths:
        raise UsageError("--fix and --diff work on files: they cannot rewrite stdin (-)")
    result = fix_paths(paths, options, write=write)
    out = data_out()
    report = out if write else sys.stderr
    if not write:
        out.write(result.diff())
    if fmt == "json":
        report.write(json.dumps(result.to_json(), indent=2, sort_keys=False) + "\n")
    else:
        for file, reason in sorted(result.skipped.items()):
            report.write(f"{file}: not fixed: {reason}\n")
        for fix in result.applied:
            report.write(result.describe(fix) + "\n")
        for fix, reason in result.refused:
            report.write(f"{fix.finding.location}: not fixed {fix.rule}: {fix.summary}: {reason}\n")
        for finding in result.left:
            report.write(finding.format() + "\n")
        for error in result.errors:
            report.write(f"Error: {error}\n")
        report.write(result.summary() + "\n")
    if result.failed(strict=strict):
        fail(1)
