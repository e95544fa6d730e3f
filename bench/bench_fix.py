"""``kubegen lint --fix`` benchmark: the cost of fixing, as a ratio to plain ``lint`` in the same run.

    python bench/bench_fix.py                     # 5,000 services = 10,000 objects, fixes in 1% of files
    python bench/bench_fix.py --services 500 --percent 10 --repeat 5

Writes the stack of bench_render.py (N microservices: Deployment + Service each) as a
directory of N files (one microservice per file, with a comment line), and puts three
fixable mistakes into the Service of ``--percent`` of the files (``apiVersion: apps/v1``,
``type: ClusterIp``, an unquoted ``canary: yes`` label). Then times, best of ``--repeat``:

- ``kubegen.lint.lint([dir])`` (the yardstick: read, load, check everything);
- ``kubegen.fix.fix_paths([dir])`` on a fresh copy each time (lint, plan, round-trip the
  files with mistakes only, verify, re-check the stack, write);
- ``fix_paths([dir], write=False)`` (what ``--diff`` computes).

The design goal it checks: only files with a fixable finding are read by ruamel.yaml's
round-trip parser, so fixing 1% of the files costs little more than linting them all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_render import best_cpu, best_of, build_stack  # noqa: E402

import kubegen  # noqa: E402
from kubegen.fix import fix_paths  # noqa: E402
from kubegen.lint import lint  # noqa: E402
from kubegen.writer import dump_all  # noqa: E402


def write_tree(root: Path, services: int, percent: float) -> int:
    """One file per microservice; returns how many files got mistakes."""
    dicts = kubegen.render_dicts(build_stack(services))
    by_name: dict[str, list[dict[str, object]]] = {}
    shared: list[dict[str, object]] = []
    for obj in dicts:
        meta = obj.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        if obj.get("kind") in ("Deployment", "Service") and isinstance(name, str):
            by_name.setdefault(name, []).append(obj)
        else:
            shared.append(obj)  # the Namespace and the ConfigMap every service reads
    (root / "shared.yaml").write_text(dump_all(shared), encoding="utf-8")
    every = max(1, round(100 / percent)) if percent > 0 else 0
    broken = 0
    for i, (name, objs) in enumerate(sorted(by_name.items())):
        text = f"# {name}: one microservice\n" + dump_all(objs)
        if every and i % every == 0:
            text = text.replace("apiVersion: v1\nkind: Service", "apiVersion: apps/v1\nkind: Service")
            text = text.replace("  type: NodePort\n", "  type: nodeport\n")
            text = text.replace("  type: ClusterIP\n", "  type: ClusterIp\n")
            text = text.replace("    app: " + name + "\n", "    app: " + name + "\n    canary: yes\n", 1)
            broken += 1
        (root / f"{name}.yaml").write_text(text, encoding="utf-8")
    return broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--percent", type=float, default=1.0, help="share of files with mistakes (default 1)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template"
        template.mkdir()
        broken = write_tree(template, args.services, args.percent)
        before = lint([str(template)])
        copies = iter(range(10**6))

        def fresh() -> str:
            target = Path(tmp) / f"run-{next(copies)}"
            shutil.copytree(template, target)
            return str(target)

        t_lint = best_of(args.repeat, lambda: lint([str(template)]))
        c_lint = best_cpu(args.repeat, lambda: lint([str(template)]))
        t_diff = best_of(args.repeat, lambda: fix_paths([str(template)], write=False))
        c_diff = best_cpu(args.repeat, lambda: fix_paths([str(template)], write=False))
        wall, cpu = [], []
        result = None
        for _ in range(args.repeat):
            target = fresh()
            start, start_cpu = time.perf_counter(), time.process_time()
            result = fix_paths([target])
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            shutil.rmtree(target)
        t_fix, c_fix = min(wall), min(cpu)
        assert result is not None
        files = len(os.listdir(template))
        print(f"input: {before.objects:,} objects in {files:,} files; {broken} files ({args.percent:g}%) with "
              f"{before.errors} errors")
        print(f"fixed: {len(result.applied)} findings in {len(result.sources)} files (round-tripped by "
              f"ruamel.yaml: {len(result.sources)} of {files:,} files); left: {result.lint.summary()}")
        print("                         wall            CPU")
        print(f"kubegen lint:            {t_lint:7.3f} s       {c_lint:7.3f} s")
        for label, t, c in (("--diff", t_diff, c_diff), ("--fix ", t_fix, c_fix)):
            print(f"kubegen lint {label}:     {t:7.3f} s {t / t_lint:4.2f}x  {c:7.3f} s {c / c_lint:4.2f}x")
        print("(best of each, ratios to plain lint; the machine is shared: compare the ratios, CPU ones first)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
