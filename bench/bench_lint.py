"""Lint benchmark: ``kubegen lint`` against PyYAML's C loader merely loading the same file.

    python bench/bench_lint.py              # 5,000 services = 10,000 objects
    python bench/bench_lint.py --services 500 --repeat 5

Builds the stack of bench_render.py (N microservices: Deployment + Service each, with
probes, env and resources; every 10th Service a NodePort), renders it to a temporary
file, then times, best of ``--repeat`` runs in this process:

- ``yaml.load_all(text, Loader=yaml.CSafeLoader)`` (the yardstick: loading only);
- ``kubegen.lint.lint_paths([file])`` (read + decode + load + every check).

Target (issue 3): lint / load <= 2.0. Also prints the peak memory of one lint run
(tracemalloc) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import yaml  # noqa: E402
from bench_render import best_of, build_stack  # noqa: E402
from bench_render import peak_memory as peak_mib  # noqa: E402

import kubegen  # noqa: E402
from kubegen.lint import lint_paths  # noqa: E402

TARGET = 2.0


def load_only(path: str) -> list[Any]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return list(yaml.load_all(text, Loader=yaml.CSafeLoader))


def run(services: int, repeat: int) -> dict[str, float]:
    text = kubegen.render(build_stack(services))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stack.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        objects = len(load_only(path))
        findings = lint_paths([path])
        t_load = best_of(repeat, lambda: load_only(path))
        t_lint = best_of(repeat, lambda: lint_paths([path]))
        memory = peak_mib(lambda: lint_paths([path]))
    return {
        "objects": objects,
        "mib": len(text.encode()) / 2**20,
        "findings": len(findings),
        "load_s": t_load,
        "lint_s": t_lint,
        "ratio": t_lint / t_load,
        "lint_peak_mib": memory,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    r = run(args.services, args.repeat)
    print(f"input: {r['objects']:,.0f} objects, {r['mib']:.1f} MiB of YAML, {r['findings']:.0f} findings")
    print(f"PyYAML CSafeLoader load: {r['load_s']:.3f} s")
    print(f"kubegen lint:            {r['lint_s']:.3f} s")
    verdict = "ok" if r["ratio"] <= TARGET else "OVER TARGET"
    print(f"ratio lint/load:         {r['ratio']:.2f} (target <= {TARGET}) {verdict}")
    print(f"lint peak memory (tracemalloc): {r['lint_peak_mib']:.1f} MiB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MiB")
    return 0 if r["ratio"] <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
