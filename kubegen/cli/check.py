"""``kubegen check``: exit 1 with a diff when DIR is not what render would write."""

from __future__ import annotations

import os

import click

from kubegen.cli import fail, kube_version_option, print_findings, report_errors, traceback_option
from kubegen.cli.gitops import gitops_options, run_recipe
from kubegen.cli.render import ASSUME, IGNORE, NODE_PORT_RANGE, load_checked, parse_sets, split_ignore


@click.command()
@click.argument("app", metavar="[APP]", required=False, type=click.Path())
@click.option("--output-dir", required=True, metavar="DIR", type=click.Path(),
              help="The directory `kubegen render --output-dir` wrote.")
@gitops_options
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="--set values for APP (repeatable) [default: those DIR/.kubegen-manifest recorded].")
@click.option("--strict", is_flag=True, help="Treat check warnings as errors.")
@NODE_PORT_RANGE.decorator()
@IGNORE.decorator()
@ASSUME.decorator()
@kube_version_option
@traceback_option
@report_errors
def check(
    app: str | None, output_dir: str, kustomization: bool | None, force: bool, unset: tuple[str, ...],
    base: str | None, allow_recreate: bool, sets: tuple[str, ...], strict: bool, node_port_range: str | None,
    ignore: tuple[str, ...], assume: tuple[str, ...], kube_version: str | None,
) -> None:
    """Exit 0 if DIR is exactly what `kubegen render --output-dir DIR` would write,
    and every change it holds is one the live objects can take.

    APP, --set values and --kustomization are those DIR/.kubegen-manifest recorded
    unless given; given ones that differ from the record are refused unless --force,
    so a forgotten `--set env=prod` cannot compare prod with dev.

    Otherwise print a unified diff (stdout) from DIR to what render would write,
    one line per file on stderr saying what is wrong with it (missing, stale,
    hand-edited, extra, not-owned, not-regular), and exit 1: the CI gate that keeps
    stale or hand-edited manifests out of the main branch. A symbolic link (or any
    file that is not a regular file) where kubegen writes is reported, never read.
    Files kubegen did not write are ignored. Nothing is written. The diff applies
    with `patch -p1 -d DIR`.

    Each object is also compared with its previous state: the file in DIR, or with
    --base REV, DIR as committed at that git revision (in a pull request: the base
    branch, what is deployed). A change a live object rejects (immutable-field) fails
    the check unless --allow-recreate; a freed nodePort is a warning.

    \b
    Examples:
      kubegen check --output-dir deploy/prod
      kubegen check --output-dir deploy/prod --base origin/main
      kubegen check app.py --set env=prod --output-dir deploy/prod --kustomization
    """
    from kubegen.checks import errors, summary
    from kubegen.gitops import check_dir
    from kubegen.output import data_out

    check_ignore, gitops_ignore = split_ignore(ignore)
    run = run_recipe(app, output_dir, parse_sets(sets), unset, kustomization, force)
    target_dir, recipe = run.directory, run.recipe
    ordered = load_checked(
        run.spec, dict(recipe.sets), node_port_range, check_ignore, strict, assume, kube_version, run=run,
    )
    result = check_dir(
        ordered, target_dir, recipe=recipe, shown=output_dir, base=base, allow_recreate=allow_recreate,
        ignore=gitops_ignore,
    )
    print_findings(result.findings)
    if result.ok and not (strict and result.findings):
        click.echo(f"kubegen: {result.summary()}", err=True)
        return
    out = data_out()
    out.write("".join(result.diff))
    out.flush()
    if not os.path.isdir(target_dir):
        click.echo(f"{output_dir}: does not exist: render would create it with {len(result.drift)} files", err=True)
    else:
        for item in result.drift:
            where = item.path if item.state in ("interrupted", "busy") else os.path.join(output_dir, item.path)
            click.echo(f"{where}: {item.message}", err=True)
    if result.drift:
        render_cmd = recipe.command(output_dir, extra=["--force"] if force else [])
        click.echo(f"kubegen: {result.summary()}; to update it run: {render_cmd}", err=True)
    else:
        against = f"DIR at {base}" if base else "the files it replaces"
        why = " (--strict)" if not errors(result.findings) else ""
        click.echo(f"kubegen: {output_dir} is up to date, but the change from {against} fails: "
                   f"{summary(result.findings)}{why}", err=True)
    fail(1)
