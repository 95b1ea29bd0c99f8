"""Time and peak memory of saving one run into the history store (audit.history), alone.

    .venv/bin/python bench/bench_store.py FOLDER [--result FILE.pkl] [--tables OUT.pkl]

Audits FOLDER once without a store (or loads the RunResult pickled by an earlier call with
--result), then saves it into a fresh store and again into the same store (the same content a second
time adds nothing), printing the seconds and the peak RSS above the RSS before the save (sampled
every 20 ms). --tables writes the store's tables (sorted by their keys, without first_seen) for a
comparison of two implementations: run once with PYTHONPATH pointing at a copy of the older
`audit` package, once without, and compare the two pickles.
"""

from __future__ import annotations

import argparse
import os
import pickle
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def measured(action: Any) -> tuple[float, int]:
    """(seconds, peak RSS above the RSS before) of action()."""
    base, peak, done = rss(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.perf_counter()
    action()
    seconds = time.perf_counter() - t
    done.set()
    sampler.join()
    return seconds, max(peak[0], rss()) - base


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--result", type=Path, help="pickle of the RunResult: written if missing, else read")
    ap.add_argument("--tables", type=Path, help="write the stored tables here (pickle of sorted frames)")
    args = ap.parse_args()
    from audit.history import ROW_KEYS, HistoryStore
    from audit.pipeline import run_audit

    if args.result and args.result.exists():
        result = pickle.loads(args.result.read_bytes())
    else:
        result = run_audit([args.folder], validate_frames=False)
        if args.result:  # a spilled text's file lives only as long as this process: pickle the text itself
            for source in result.sources:
                for part in ("lines", "original", "line_numbers", "pages"):
                    if not isinstance(getattr(source, part), range):
                        setattr(source, part, list(getattr(source, part)))
            args.result.write_bytes(pickle.dumps(result, protocol=5))
    import duckdb  # imported before the measurement, as a run has it by then

    with tempfile.TemporaryDirectory() as tmp:
        store = HistoryStore(Path(tmp) / "history.duckdb")
        first = measured(lambda: store.save(result))
        again = measured(lambda: store.save(result))
        counts = store.counts()
        size = (Path(tmp) / "history.duckdb").stat().st_size
        if args.tables:
            with duckdb.connect(str(store.path), read_only=True) as con:
                tables = {t: con.execute(f"SELECT * FROM {t}").df() for t in ROW_KEYS}
            tables = {
                t: f.drop(columns=["first_seen"], errors="ignore").sort_values(ROW_KEYS[t]).reset_index(drop=True)
                for t, f in tables.items()
            }
            args.tables.write_bytes(pickle.dumps(tables))
    print(
        f"{len(result.documents):,} documents: save {first[0]:.2f} s, peak +{first[1] / 2**20:,.0f} MB; "
        f"the same again {again[0]:.2f} s, +{again[1] / 2**20:,.0f} MB; rows {counts}; file {size / 2**20:,.1f} MB"
    )


if __name__ == "__main__":
    main()
