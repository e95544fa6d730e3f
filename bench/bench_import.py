"""Import benchmark: ``kubegen import`` of the whole manifest corpus.

    python bench/bench_import.py                 # the corpus next to the tests
    python bench/bench_import.py --repeat 5 --corpus path/to/manifests

Times, best of ``--repeat`` runs in this process:

- every readable corpus file imported on its own (``import_paths([file])`` per file);
- all of them at once, as one app (``import_paths(files)``).

Target (issue 3): the whole corpus in under 10 seconds. Also reports how many objects
were written with typed builders and how many stayed ``Raw``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kubegen.importer import import_paths  # noqa: E402
from kubegen.importer.program import plan  # noqa: E402
from kubegen.reader import read_paths  # noqa: E402

TARGET_SECONDS = 10.0
CORPORA = (HERE.parent / "tests" / "data" / "corpus", HERE.parent.parent / "shared" / "corpus")


def best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, help="directory of YAML manifests (default: the test corpus)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    corpus = args.corpus or next((c for c in CORPORA if c.is_dir()), None)
    if corpus is None:
        print("no corpus found; pass --corpus DIR", file=sys.stderr)
        return 2
    files = []
    for path in sorted(corpus.rglob("*.yaml")):
        read = read_paths([str(path)])
        if not read.problems and read.manifests and all(m.api_version for m in read.manifests):
            files.append(str(path))
    per_file = best(args.repeat, lambda: [import_paths([f]) for f in files])
    together = best(args.repeat, lambda: import_paths(files))
    result = plan(read_paths(files).manifests)
    typed = sum(1 for e in result.order if e.typed)
    print(f"corpus: {corpus} ({len(files)} readable files, {len(result.order)} objects)")
    print(f"typed builders: {typed}, Raw: {len(result.order) - typed}")
    print(f"import, file by file: {per_file:.2f}s   all files as one app: {together:.2f}s "
          f"(target < {TARGET_SECONDS:.0f}s)")
    return 0 if max(per_file, together) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
