"""`xxgk-audit gx init DIR`: a GX 1.x file data context over the run's frames as parquet.

DIR/data/ holds the frames (the exported ones — written by audit.export when given, else the
cells frame alone — and the derived ones of audit.gx.frames); DIR/gx/ is the GX project:

- data source `xxgk` (pandas filesystem over DIR/data), one parquet asset and batch definition per frame;
- one ExpectationSuite per frame (audit.gx.suites), one ValidationDefinition per suite;
- checkpoint `xxgk_audit`, which validates them all and updates the Data Docs
  (DIR/gx/uncommitted/data_docs/local_site/index.html).

A later `import audit.gx.expectations` registers the custom expectations the suites name, so
`gx.get_context(project_root_dir=DIR).checkpoints.get("xxgk_audit").run()` works in any script.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.checkpoint import UpdateDataDocsAction

from audit.gx.frames import derived_frames
from audit.gx.specs import specs
from audit.gx.suites import build_suites
from audit.gx.validation import quiet
from audit.model import RunResult

DATASOURCE = "xxgk"
CHECKPOINT = "xxgk_audit"
DOCS_INDEX = Path("gx", "uncommitted", "data_docs", "local_site", "index.html")


def write_frames(result: RunResult, data: Path, exporter: Callable[..., Any] | None = None) -> dict[str, Path]:
    """The frames as DIR/data/<name>.parquet: the exported ones (or `cells` alone) and the derived ones."""
    from audit.validate.engine import prepare_frames

    data.mkdir(parents=True, exist_ok=True)
    if exporter is not None:
        exporter(result, data, "parquet")
    else:
        result.frames.cells.to_parquet(data / "cells.parquet", index=False)
    documents, cells, _ = prepare_frames(result.frames, result.sources, [])
    renderings = documents["id"][documents["rendering_of"].notna()]
    written = {"cells": data / "cells.parquet"}
    for name, frame in derived_frames(documents, cells, renderings, result.history).items():
        frame.to_parquet(data / f"{name}.parquet", index=False)
        written[name] = data / f"{name}.parquet"
    return written


def init_context(directory: Path, result: RunResult, exporter: Callable[..., Any] | None = None) -> dict[str, Any]:
    """Create (or refresh) the GX project in `directory` and run its checkpoint once; what was made."""
    directory = Path(directory).resolve()
    written = write_frames(result, directory / "data", exporter)
    context = quiet(gx.get_context(mode="file", project_root_dir=str(directory)))
    context.enable_analytics(False)  # saves the variables too: no progress bars in later runs either
    source = context.data_sources.add_or_update_pandas_filesystem(DATASOURCE, base_directory=directory / "data")
    exported, native = specs(result.rules)
    definitions = []
    for frame, suite in build_suites(exported).items():
        asset = source.add_parquet_asset(frame)
        batch = asset.add_batch_definition_path(frame, path=written[frame].name)
        suite = context.suites.add_or_update(suite)
        definition = gx.ValidationDefinition(name=frame, data=batch, suite=suite)
        definitions.append(context.validation_definitions.add_or_update(definition))
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=CHECKPOINT,
            validation_definitions=definitions,
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format={"result_format": "SUMMARY", "unexpected_index_column_names": ["document"]},
        )
    )
    run = checkpoint.run()
    failed = sorted(
        {
            str(r.expectation_config.meta.get("rule") or r.expectation_config.meta.get("contract"))
            for v in run.run_results.values()
            for r in v.results
            if not r.success
        }
    )
    return {
        "context": directory / "gx",
        "data": directory / "data",
        "docs": directory / DOCS_INDEX,
        "suites": len(definitions),
        "expectations": sum(len(d.suite.expectations) for d in definitions),
        "failed": failed,
        "native": native,
    }
