"""Run every benchmark in turn (`make bench`); extra arguments such as --quick go to each."""

import subprocess
import sys

BENCHMARKS = [
    "bench.events",
    "bench.gateway",
    "bench.analytics",
    "bench.flash_sale",
    "bench.checkout",
    "bench.recs",
    "bench.catalog",
    "bench.segments",
]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, "-m", name, *sys.argv[1:]]).returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
