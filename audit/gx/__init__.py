"""Great Expectations interop: the rules that are table identities or value constraints (the article
20 year chains included), as GX suites.

- `audit.gx.frames`: the frames GX validates, year pairs included (GX-free: export may write them too).
- `audit.gx.specs`: which rules become expectations, and why the others cannot (GX-free).
- `audit.gx.expectations`: the custom expectations (imports GX).
- `audit.gx.suites`, `audit.gx.context`: suites from rules/*.yaml; `xxgk-audit gx init DIR`.
- `audit.gx.engine`: `xxgk-audit run --engine gx` — GX decides, the native engine words the findings
  (`audit.gx.chains` hands GX's verdicts on the year chains to the native kind's wording; GX-free).

Importing this package imports no GX (it takes seconds): only the modules that need it do.
"""
