"""Lint benchmark: ``kubegen lint`` against PyYAML's C loader merely loading the same input.

    python bench/bench_lint.py                       # 50,000 services = 100,000 objects, and 62 MiB
    python bench/bench_lint.py --services 5000 --repeat 3 --big-mib 0

1. Builds the stack of bench_render.py (N microservices: Deployment + Service each, with
   probes, env and resources; every 10th Service a NodePort; one ConfigMap), renders it to
   a temporary file, then times, best of ``--repeat`` runs in this process:

   - ``yaml.load_all(text, Loader=yaml.CSafeLoader)`` (the yardstick: loading only);
   - ``kubegen.lint.lint_paths([file])`` (read + decode + load + every check).

   Target (issue 8): lint / load <= 1.3 at 100,000 objects.

   100,000 objects of this stack are some 73 MiB, so the run raises KUBEGEN_MAX_INPUT_MB.

2. Writes ``--big-mib`` MiB of small ConfigMaps (62 MiB: about 800,000 objects) and runs
   ``kubegen lint`` on it in a child process: its peak RSS (VmHWM; target, issue 8: under
   300 MB; lint streams the file), and its CPU time against a child process that merely
   loads the file with PyYAML's C loader (iterating, so the yardstick keeps nothing either).

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
    # 100,000 objects of this stack are some 73 MiB: over lint's default input limit
    os.environ["KUBEGEN_MAX_INPUT_MB"] = "1024"
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


_LINT_AND_PEAK = """\
import sys
from kubegen.cli import main
try:
    main(["lint", sys.argv[1]])
except SystemExit:
    pass
# the peak resident memory of this process image (VmHWM: not inflated by the parent it forked from)
with open("/proc/self/status", encoding="ascii") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
print(int(peak) // 1024, file=sys.stderr)
"""


def child(code: list[str]) -> tuple[float, str]:
    """Run a child process; (its CPU seconds, what it wrote to stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(code, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stderr


def big_run(mib: float) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.yaml")
        count = write_config_maps(path, mib)
        lint_cpu, said = child([sys.executable, "-c", _LINT_AND_PEAK, path])
        lint_rss = float(said.split()[-1])
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
    if args.big_mib:
        ok = big_run(args.big_mib) and ok
    if args.services:
        ok = objects_run(args.services, args.repeat) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
