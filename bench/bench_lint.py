"""Lint benchmark: ``kubegen lint`` against PyYAML's C loader merely loading the same input.

    python bench/bench_lint.py                       # 50,000 services = 100,000 objects, and 62 MiB
    python bench/bench_lint.py --services 5000 --repeat 3 --big-mib 0

1. Builds the stack of bench_render.py (N microservices: Deployment + Service each, with
   probes, env and resources; every 10th Service a NodePort; one ConfigMap), renders it to
   a temporary file, then times, best of ``--repeat`` runs in this process:

   - ``yaml.load_all(text, Loader=yaml.CSafeLoader)`` (the yardstick: loading only);
   - ``kubegen.lint.lint_paths([file])`` (read + decode + load + every check).

   Target (issue 8): lint / load <= 1.3 at 100,000 objects.

2. Writes ``--big-mib`` MiB of small ConfigMaps (62 MiB: about 800,000 objects) and runs
   ``kubegen lint`` on it in a child process: its peak RSS (target, issue 8: under 300 MB;
   lint streams the file), and its CPU time against a child process that merely loads
   the file with PyYAML's C loader (iterating, so the yardstick keeps nothing either).

The machine is shared: times are CPU times (``time.process_time``, the children's
rusage), and the figures that matter are the ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import yaml  # noqa: E402
from bench_render import best_cpu, build_stack  # noqa: E402

import kubegen  # noqa: E402
from kubegen.lint import lint_paths  # noqa: E402

TARGET_RATIO = 1.3
TARGET_RSS_MB = 300


def load_only(path: str) -> list[Any]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return list(yaml.load_all(text, Loader=yaml.CSafeLoader))


def objects_run(services: int, repeat: int) -> bool:
    text = kubegen.render(build_stack(services))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stack.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        objects = len(load_only(path))
        findings = lint_paths([path])
        t_load = best_cpu(repeat, lambda: load_only(path))
        t_lint = best_cpu(repeat, lambda: lint_paths([path]))
    ratio = t_lint / t_load
    ok = ratio <= TARGET_RATIO
    print(f"input: {objects:,} objects, {len(text.encode()) / 2**20:.1f} MiB of YAML, {len(findings)} findings")
    print(f"  PyYAML CSafeLoader load: {t_load:.2f} s CPU")
    print(f"  kubegen lint:            {t_lint:.2f} s CPU")
    print(f"  ratio lint/load:         {ratio:.2f} (target <= {TARGET_RATIO}) {'ok' if ok else 'OVER TARGET'}")
    return ok


def write_config_maps(path: str, mib: float) -> int:
    count, size, limit = 0, 0, int(mib * 2**20)
    with open(path, "w", encoding="utf-8") as handle:
        while size < limit:
            doc = f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{count:07d}\ndata:\n  k: v\n"
            handle.write(doc)
            size += len(doc)
            count += 1
    return count


def child(code: list[str]) -> tuple[float, float]:
    """Run a child process; (its CPU seconds, the peak RSS in MB of the largest child so far)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(code, check=False, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, after.ru_maxrss / 1024


def big_run(mib: float) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.yaml")
        count = write_config_maps(path, mib)
        # lint first: RUSAGE_CHILDREN's peak RSS is the largest of all children so far
        lint_cpu, lint_rss = child([sys.executable, "-m", "kubegen", "lint", path])
        load_cpu, _ = child([sys.executable, "-c", (
            "import sys, yaml\n"
            "with open(sys.argv[1], encoding='utf-8') as f:\n"
            "    for _ in yaml.load_all(f, Loader=yaml.CSafeLoader): pass\n"
        ), path])
    ok = lint_rss < TARGET_RSS_MB
    print(f"input: {count:,} ConfigMaps, {mib:.0f} MiB of YAML")
    print(f"  kubegen lint (child process): {lint_cpu:.1f} s CPU, peak RSS {lint_rss:.0f} MB "
          f"(target < {TARGET_RSS_MB} MB) {'ok' if ok else 'OVER TARGET'}")
    print(f"  PyYAML CSafeLoader streaming load (child process): {load_cpu:.1f} s CPU; "
          f"ratio lint/load {lint_cpu / load_cpu:.2f}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=50_000, help="services (2 objects each); 0: skip")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-mib", type=float, default=62, help="MiB of ConfigMaps for the memory run; 0: skip")
    args = parser.parse_args()
    ok = True
    if args.services:
        ok = objects_run(args.services, args.repeat) and ok
    if args.big_mib:
        ok = big_run(args.big_mib) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
