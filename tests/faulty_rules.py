"""A rule made to raise on one document, for the tests of fault isolation."""

from __future__ import annotations

from typing import Any

import pytest

from audit.validate.registry import REGISTRY, Kind

# the 2021 report of 历下区 (version B) in audit/samples: applications.column_balance fails on it
CULPRIT = "002_6460700eaa6e9ee9.txt#4"


def break_balance_on(monkeypatch: pytest.MonkeyPatch, document: str, message: str = "injected") -> None:
    """The `balance` check kind raises TypeError(message) whenever `document` is among its documents."""
    original = REGISTRY["balance"]

    def breaks(ctx: Any, params: dict[str, Any]) -> Any:
        if document in set(ctx.documents["id"]):
            raise TypeError(message)
        return original.function(ctx, params)

    monkeypatch.setitem(REGISTRY, "balance", Kind("balance", breaks, original.params, original.doc))
