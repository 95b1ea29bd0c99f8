"""CPU seconds and peak memory (USS) of `HistoryStore.save` on a realistic batch, and the stored rows.

    .venv/bin/python bench/profile_store.py FOLDER [--repeat N] [--profile OUT.prof] [--baseline FILE.py]

Audits FOLDER once without a store (as `run` does: texts spilled to disk, frames from the chunks),
then saves the result N times, each into a fresh file, printing per save the CPU seconds of this
process (time.process_time: DuckDB's threads included), the wall seconds and the peak USS above the
USS before the save (sampled every 10 ms). --profile writes a cProfile of the last save; --tables
writes every table's rows (sorted on all columns, without first_seen) for comparing two versions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil


def measured(action: Any) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, peak USS above the USS before) of action(); the CPU the sampling
    itself costs (reading /proc/self/smaps) is left out."""
    proc = psutil.Process()
    base = proc.memory_full_info().uss
    peak, sampling, done = [base], [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], proc.memory_full_info().uss)
            sampling[0] = time.thread_time()
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu, wall = time.process_time(), time.perf_counter()
    action()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    done.set()
    sampler.join()
    return cpu - sampling[0], wall, max(peak[0], proc.memory_full_info().uss) - base


def stored_tables(path: str) -> dict[str, Any]:
    import duckdb

    from audit.history import TABLES

    out = {}
    with duckdb.connect(path, read_only=True) as con:
        for t in TABLES:
            frame = con.execute(f"SELECT * FROM {t}").df().drop(columns=["first_seen"], errors="ignore")
            out[t] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def load_module(path: Path) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("history_baseline", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compare(a: dict[str, Any], b: dict[str, Any]) -> None:
    import pandas as pd

    for t in a:
        x, y = a[t], b[t]
        try:
            pd.testing.assert_frame_equal(x, y, check_dtype=False)
            print(f"{t}: {len(x):,} rows identical")
        except AssertionError as exc:
            print(f"{t}: DIFFERENT ({len(x):,} vs {len(y):,} rows): {str(exc)[:400]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--profile", type=Path)
    ap.add_argument("--baseline", type=Path, help="an older audit/history.py to compare with")
    ap.add_argument(
        "--only", choices=("now", "baseline"), help="save with one version only (peak memory of a fresh process)"
    )
    args = ap.parse_args()
    import duckdb  # noqa: F401  # imported before the measurement, as a run has it by then

    from audit.history import HistoryStore
    from audit.pipeline import run_audit

    t = time.perf_counter()
    result = run_audit([args.folder], validate_frames=False)
    print(f"{len(result.documents):,} documents audited in {time.perf_counter() - t:.1f} s", flush=True)
    versions = [("now", HistoryStore)]
    if args.baseline:
        versions.insert(0, ("baseline", load_module(args.baseline).HistoryStore))
    if args.only:
        versions = [v for v in versions if v[0] == args.only]
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, store_class) in ((k, v) for k in range(args.repeat) for v in versions):
            path = os.path.join(tmp, f"history-{name}-{k}.duckdb")
            store = store_class(path)
            if args.profile and k == args.repeat - 1:
                prof = cProfile.Profile()
                cpu, wall, peak = measured(lambda s=store, p=prof: p.runcall(s.save, result))
                prof.dump_stats(args.profile)
            else:
                cpu, wall, peak = measured(lambda s=store: s.save(result))
            size = os.path.getsize(path)
            print(
                f"{name} save {k + 1}: CPU {cpu:.2f} s, wall {wall:.2f} s, peak USS +{peak / 2**20:,.0f} MB, "
                f"file {size / 2**20:,.1f} MB, rows {store.counts()}",
                flush=True,
            )
        if len(versions) == 2:
            compare(*(stored_tables(os.path.join(tmp, f"history-{name}-0.duckdb")) for name, _ in versions))


if __name__ == "__main__":
    main()
