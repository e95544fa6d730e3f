"""Deploy the shop: build it, render it (checked), write it, apply it server-side.

    python examples/scripts/deploy.py dev
    python examples/scripts/deploy.py prod --strict --kubectl "kubectl --context prod"

Exit code 0 once kubectl applied everything; 1 when kubegen finds a problem (then
nothing is written or applied) or kubectl fails.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

import kubegen

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import shop  # noqa: E402  (examples/shop.py, the app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the shop and apply it with server-side apply.")
    parser.add_argument("env", choices=["dev", "prod"])
    parser.add_argument("--out", default="deploy", help="directory for ENV.yaml (default: deploy)")
    parser.add_argument("--strict", action="store_true", help="warnings stop the deploy too")
    parser.add_argument("--kubectl", default="kubectl", help="kubectl command, e.g. 'kubectl --context prod'")
    args = parser.parse_args(argv)
    out = Path(args.out) / f"{args.env}.yaml"

    # 1. Build, check, write. Every builder mistake is reported at once; the checks
    #    run before anything is written (warnings print as kubegen.FindingWarning).
    try:
        with kubegen.collect_errors():
            stack = shop.stack(env=args.env)
        out.parent.mkdir(parents=True, exist_ok=True)
        kubegen.write_file(stack, out, strict=args.strict)  # atomic: never half-written
    except kubegen.KubegenError as exc:  # FindingsError's text lists every finding
        print(f"deploy: {exc}", file=sys.stderr)
        return 1

    # 2. Apply, as the field manager that owns these fields from now on.
    command = [*shlex.split(args.kubectl), "apply", "--server-side", "--field-manager=shop-deploy", "-f", str(out)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        print(f"deploy: {command[0]} not found: install kubectl or pass --kubectl", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired:
        print(f"deploy: {shlex.join(command)} took more than 10 minutes", file=sys.stderr)
        return 1
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        print(f"deploy: {shlex.join(command)} failed (exit code {done.returncode}):\n{done.stderr}",
              file=sys.stderr, end="")
        return 1
    print(f"deploy: {out} applied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
