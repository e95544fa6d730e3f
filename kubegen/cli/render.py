"""``kubegen render``: compile, check, order and write a stack.

Its parameters are declared as data (:data:`PARAMS`): click builds the command from
them, and a ``kubegen render`` process parses them without importing click
(:mod:`kubegen.cli.params`), so nothing here imports click until it has something to
say.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from kubegen.cli import (
    KUBE_VERSION,
    TRACEBACK,
    bad_parameter,
    echo,
    parse_node_port_range,
    print_findings,
    report_errors,
    usage_error,
)
from kubegen.cli.gitops import GITOPS_OPTIONS, require_output_dir, run_recipe
from kubegen.cli.params import Argument, Command, Option

if TYPE_CHECKING:
    from kubegen.cli.gitops import Run
    from kubegen.gitops import Recipe
    from kubegen.manifest import Manifest


def parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    sets: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            bad_parameter(f"{item!r}: expected NAME=VALUE", "--set")
        sets[name.strip()] = value
    return sets


ASSUME_HELP = ("An object the cluster has that the input does not make, e.g. Secret/registry-creds, "
               "Secret/NAMESPACE/NAME or ConfigMap/settings:key1,key2 (repeatable): references to it are fine.")
# Options of every command that checks (render, check, lint; explain and graph take two).
NODE_PORT_RANGE = Option("--node-port-range", dest="node_port_range", metavar="A-B",
                         help="The cluster's node-port range [default: 30000-32767].")
IGNORE = Option("--ignore", dest="ignore", multiple=True, metavar="RULE", help="Do not report RULE (repeatable).")
ASSUME = Option("--assume", dest="assume", multiple=True, metavar="KIND/NAME", help=ASSUME_HELP)


def check_options(  # type: ignore[no-untyped-def]
    node_port_range: str | None, ignore: tuple[str, ...], partial: bool = False, assume: tuple[str, ...] = (),
    kube_version: str | None = None,
):
    from kubegen.checks import OUTPUT_DIR_RULES, RULES, Assumed, CheckOptions, kubeversion
    from kubegen.facts import DEFAULT_NODE_PORT_RANGE

    assumed = set()
    for text in assume:
        try:
            assumed.add(Assumed.parse(text))
        except ValueError as exc:
            bad_parameter(str(exc), "--assume")

    unknown = [r for r in ignore if r not in RULES and r not in OUTPUT_DIR_RULES]
    if unknown:
        bad_parameter(
            f"unknown rule {unknown[0]!r} (rules: {', '.join(sorted({**RULES, **OUTPUT_DIR_RULES}))})", "--ignore"
        )
    if kube_version is not None:
        try:
            kubeversion.parse(kube_version)
        except ValueError as exc:
            bad_parameter(str(exc).removeprefix("--kube-version "), "--kube-version")
    return CheckOptions(
        node_port_range=parse_node_port_range(node_port_range) or DEFAULT_NODE_PORT_RANGE,
        partial=partial,
        ignore=frozenset(ignore),
        assume=frozenset(assumed),
        kube_version=kube_version,
    )


def split_ignore(ignore: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """``--ignore`` values for the checks, and those for the output-dir warnings."""
    from kubegen.checks import OUTPUT_DIR_RULES

    return (
        tuple(r for r in ignore if r not in OUTPUT_DIR_RULES),
        frozenset(r for r in ignore if r in OUTPUT_DIR_RULES),
    )


def load_checked(
    app: str, sets: dict[str, str], node_port_range: str | None, ignore: tuple[str, ...], strict: bool,
    assume: tuple[str, ...] = (), kube_version: str | None = None, *, run: Run | None = None,
) -> list[Manifest]:
    """Load APP with ``--set`` values, check it (findings to stderr) and return the ordered manifests.

    ``run``: the output directory's run (:func:`kubegen.cli.gitops.run_recipe`), for its
    APP to confirm and the ``--set`` values its record gave."""
    from kubegen.api import checked_manifests, compile_stacks, options_for
    from kubegen.appload import load_stacks

    stacks = load_stacks(app, sets, same_target_as=run.confirm if run else None,
                         origins=run.recorded if run else None)
    options = options_for(stacks, check_options(node_port_range, ignore, assume=assume, kube_version=kube_version))
    ordered, findings = checked_manifests(compile_stacks(stacks), options, strict=strict)
    print_findings(findings)
    return ordered


@report_errors
def render(
    app: str | None, output: str | None, output_dir: str | None, kustomization: bool | None, force: bool,
    unset: tuple[str, ...], base: str | None, allow_recreate: bool, recipe_dir: str | None, fsync: bool, fmt: str,
    sets: tuple[str, ...], strict: bool, node_port_range: str | None, ignore: tuple[str, ...],
    assume: tuple[str, ...], kube_version: str | None,
) -> None:
    """Render APP's stack to YAML (or JSON), checked and in apply order.

    Nothing is written when a check finds an error: every finding is printed to
    stderr as `file:line: severity rule-id: message` and the exit code is 1.

    With --output-dir, DIR remembers how it was rendered (.kubegen-manifest): APP,
    --set values and --kustomization left out are taken from there, and given ones
    that differ are refused unless --force. Each object is compared with the file
    it replaces (or with DIR at git revision --base REV): a change a live object
    rejects (a workload's selector, a StatefulSet's volumeClaimTemplates, a Job's
    template, a Service's clusterIP, ...) is an error (immutable-field) and nothing
    is written, unless --allow-recreate; a freed nodePort is a warning.

    \b
    Examples:
      kubegen render app.py > out.yaml
      kubegen render app.py:stack --set env=prod --set replicas=5 -o prod.yaml
      kubegen render app.py --set env=prod --output-dir deploy/prod --kustomization
      kubegen render --output-dir deploy/prod          # again, as recorded
      kubegen render --recipe deploy/prod > prod.yaml  # the same objects, as one stream
      kubegen render mypkg.deploy:stack --format json
      kubegen render app.py --kube-version 1.30 > out.yaml
    """
    from kubegen.api import no_cyclic_gc, write_manifests
    from kubegen.output import resolve_output, write_text

    require_output_dir(output_dir, kustomization=kustomization, base=base, allow_recreate=allow_recreate,
                       fsync=fsync)
    if recipe_dir is None:
        require_output_dir(output_dir, force=force, unset=unset)
    if output_dir is not None:
        if output is not None or recipe_dir is not None:
            usage_error(f"use either {'-o/--output' if output else '--recipe'} or --output-dir, not both")
        if fmt != "yaml":
            usage_error("--output-dir writes YAML files; drop --format json")
    elif app is None and recipe_dir is None:
        usage_error("Missing argument 'APP' (only --output-dir, whose record names it, may go without)")
    check_ignore, gitops_ignore = split_ignore(ignore)
    with no_cyclic_gc():
        if output_dir is None:
            target = resolve_output(output)  # before the app runs: an os.chdir() in it moves nothing
            spec, values, run = app, parse_sets(sets), None
            if recipe_dir is not None:
                run = run_recipe(app, recipe_dir, values, unset, None, force)
                spec, values = run.spec, dict(run.recipe.sets)
            assert spec is not None
            ordered = load_checked(spec, values, node_port_range, check_ignore, strict, assume, kube_version, run=run)
            write_text(target, write_manifests(ordered, fmt, check=False), shown=output)  # type: ignore[arg-type]
            return
        run = run_recipe(app, output_dir, parse_sets(sets), unset, kustomization, force)
        ordered = load_checked(
            run.spec, dict(run.recipe.sets), node_port_range, check_ignore, strict, assume, kube_version, run=run,
        )
        write_to_dir(ordered, run.recipe, run.directory, output_dir, strict, gitops_ignore, fsync, base,
                     allow_recreate)


def write_to_dir(
    ordered: list[Manifest], recipe: Recipe, output_dir: str, shown: str, strict: bool,
    ignore: frozenset[str], fsync: bool = False, base: str | None = None, allow_recreate: bool = False,
) -> None:
    from kubegen.gitops import write_dir

    result = write_dir(
        ordered, output_dir, recipe=recipe, strict=strict, ignore=ignore, durable=fsync, shown=shown, base=base,
        allow_recreate=allow_recreate, check=False,  # load_checked checked them
    )
    print_findings(result.warnings)
    if result.recovered:
        echo(f"kubegen: rolled back an interrupted write in {shown} first", err=True)
    for path in result.overwritten_edits:
        what = "removed (render no longer produces it)" if path in result.removed else "replaced by the rendered file"
        echo(f"kubegen: note: {os.path.join(shown, path)} had been edited by hand; {what}", err=True)
    echo(
        f"kubegen: {shown}: {len(result.written)} written, {len(result.removed)} removed, "
        f"{len(result.unchanged)} unchanged",
        err=True,
    )


PARAMS = (
    Argument("app", metavar="[APP]", required=False, type="path"),
    Option("-o", "--output", dest="output", metavar="FILE", type="path",
           help="Write to FILE (atomically) instead of stdout. FILE must be a regular file or not "
                "exist: a directory, device, FIFO or symbolic link is refused."),
    Option("--output-dir", dest="output_dir", metavar="DIR", type="path",
           help="Write one file per object, DIR/<namespace>/<kind>-<name>.yaml, all or nothing; "
                "remove files an earlier render wrote that are no longer produced; never touch other files. "
                "APP, --set values and --kustomization not given are taken from DIR/.kubegen-manifest."),
    *GITOPS_OPTIONS,
    Option("--recipe", dest="recipe_dir", metavar="DIR",
           help="Without --output-dir: render to stdout (or -o) with the APP and --set values "
                "DIR/.kubegen-manifest recorded (what Argo CD's plugin runs for a rendered directory)."),
    Option("--fsync", dest="fsync", flag=True,
           help="With --output-dir: sync the file system at the commit points, so the write also "
                "survives a power loss (slower)."),
    Option("--format", dest="fmt", type="choice", choices=("yaml", "json"), default="yaml", show_default=True,
           help="yaml: documents separated by ---; json: one object, or a List of them."),
    Option("--set", dest="sets", multiple=True, metavar="NAME=VALUE",
           help="Pass NAME=VALUE to the stack function APP names, converted by its type "
                "annotations (repeatable)."),
    Option("--strict", dest="strict", flag=True, help="Treat warnings as errors."),
    NODE_PORT_RANGE,
    IGNORE,
    ASSUME,
    KUBE_VERSION,
    TRACEBACK,
)

COMMAND = Command("render", PARAMS, render)
"""``kubegen render``: click's command is ``COMMAND.to_click()``."""
