"""`make mutants`: mutation testing (cosmic-ray) of the modules listed in mutants.toml.

Each module is mutated in a copy of the working tree (the checkout itself is never
touched), one mutant at a time, and only its own fast tests run against each mutant. A
mutant that no test kills is printed with its diff; the last line is `RESULT {...}`.
Run one module with `make mutants MUTANTS=chassis/auth`.
"""

import argparse
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mutants.toml"
BIN = Path(sys.executable).parent
PROGRESS_EVERY = 30  # seconds


def modules(selected: list[str]) -> list[dict]:
    listed = tomllib.loads(CONFIG.read_text())["module"]
    if not selected:
        return listed
    chosen = [m for m in listed if m["path"] in selected]
    missing = set(selected) - {m["path"] for m in chosen}
    if missing:
        raise SystemExit(f"not in {CONFIG.name}: {', '.join(sorted(missing))}")
    return chosen


def copy_tree(into: Path) -> None:
    """The tracked and untracked-but-not-ignored files: what the tests see in a checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def run(command: list[str], where: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(command, cwd=where, env=env, text=True, **kwargs)


def mutate(module: dict, where: Path) -> dict:
    tests = shlex.join(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *module["tests"]]
    )
    config = where / "cosmic-ray.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(module['path'])}\n"
        f"timeout = {float(module.get('timeout', 60))}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(tests)}\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
    )
    session = where / "session.sqlite"
    baseline = run([str(BIN / "cosmic-ray"), "baseline", str(config)], where, capture_output=True)
    if baseline.returncode != 0:
        return {"error": "the tests fail without any mutation", "output": baseline.stdout[-2000:]}
    run([str(BIN / "cosmic-ray"), "init", str(config), str(session)], where, check=True)
    # Lines marked `# pragma: no mutate` hold mutants shown equivalent (say why beside it).
    run([str(BIN / "cr-filter-pragma"), str(session)], where, check=True)
    execute(config, session, where, module["path"])
    dump = run([str(BIN / "cosmic-ray"), "dump", str(session)], where, capture_output=True)
    counts = {"mutants": 0, "killed": 0, "survived": 0, "skipped": 0, "incompetent": 0}
    survivors = []
    for line in dump.stdout.splitlines():
        item, result = json.loads(line)
        counts["mutants"] += 1
        if result is None:
            continue
        if result["worker_outcome"] == "skipped":
            counts["skipped"] += 1
            continue
        outcome = result["test_outcome"]
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "survived":
            (mutation,) = item["mutations"]
            survivors.append(
                {
                    "where": f"{mutation['module_path']}:{mutation['start_pos'][0]}",
                    "operator": mutation["operator_name"],
                    "diff": result["diff"].split("\n", 1)[1],
                }
            )
    return {**counts, "survivors": survivors}


def execute(config: Path, session: Path, where: Path, path: str) -> None:
    """`cosmic-ray exec`, with a line of progress every half minute (a module takes minutes
    to an hour): how many of its mutants are tested, how many survived so far."""
    env = {**os.environ, "PYTHONPATH": str(where)}
    command = [str(BIN / "cosmic-ray"), "exec", str(config), str(session)]
    with subprocess.Popen(command, cwd=where, env=env, text=True) as running:
        while True:
            try:
                running.wait(timeout=PROGRESS_EVERY)
                break
            except subprocess.TimeoutExpired:
                done, total, survived = progress(session)
                print(f"   {path}: {done}/{total} mutants tested, {survived} survived", flush=True)
    if running.returncode != 0:
        raise subprocess.CalledProcessError(running.returncode, command)


def progress(session: Path) -> tuple[int, int, int]:
    with closing(sqlite3.connect(session)) as db:
        total = db.execute("SELECT count(*) FROM work_items").fetchone()[0]
        done, survived = db.execute(
            "SELECT count(*), coalesce(sum(test_outcome = 'SURVIVED'), 0) FROM work_results"
        ).fetchone()
    return done, total, survived


def main() -> None:
    # A SIGTERM (a CI timeout) unwinds like Ctrl-C: the running test command is killed and
    # the scratch copy removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"paths as listed in {CONFIG.name}")
    chosen = modules(parser.parse_args().modules)
    report = {}
    for module in chosen:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="flywheel-mutants-") as scratch:
            where = Path(scratch)
            copy_tree(where)
            outcome = mutate(module, where)
        outcome["seconds"] = round(time.monotonic() - started)
        report[module["path"]] = outcome
        print(f"\n== {module['path']}: {summary(outcome)}", flush=True)
        for survivor in outcome.get("survivors", []):
            print(f"-- survived: {survivor['where']} ({survivor['operator']})\n{survivor['diff']}")
        if "error" in outcome:
            print(outcome["output"])
    survived = sum(len(o.get("survivors", [])) for o in report.values())
    broken = [path for path, o in report.items() if "error" in o]
    result = {
        "modules": {
            path: {k: v for k, v in o.items() if k not in ("survivors", "output")}
            for path, o in report.items()
        },
        "survived": survived,
        "baseline_failed": broken,
        "ok": survived == 0 and not broken,
    }
    print("RESULT " + json.dumps(result))
    raise SystemExit(0 if result["ok"] else 1)


def summary(outcome: dict) -> str:
    if "error" in outcome:
        return outcome["error"]
    killed = outcome["killed"]
    tested = killed + outcome["survived"]
    score = f"{100 * killed / tested:.0f}%" if tested else "n/a"
    return (
        f"{outcome['mutants']} mutants, {killed} killed, {outcome['survived']} survived "
        f"({score} killed), {outcome['skipped']} skipped by pragma, {outcome['seconds']} s"
    )


if __name__ == "__main__":
    main()
