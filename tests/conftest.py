"""Every test gets a history store of its own: `run` without --db keeps its store in .xxgk-audit/ of the
current directory (or $XXGK_AUDIT_DB), which for the suite would be the repository, shared by every
test and every run of the suite. Tests of the default location remove the variable themselves."""

from __future__ import annotations

import pytest

from audit.history import DB_ENV, DEFAULT_DB_NAME


@pytest.fixture(autouse=True)
def _own_history_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DB_ENV, str(tmp_path_factory.mktemp("store") / DEFAULT_DB_NAME))
