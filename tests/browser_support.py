"""What the browser tests need from the machine: Debian's chromium and a CJK font.

On a developer machine without them the browser tests skip; under CI (`CI` set) they fail, since CI
must prove that the pages render, print and pass the accessibility checks. `.ci/run` installs both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def in_ci() -> bool:
    """CI sets `CI` (.ci/run exports CI=1; hosted runners set CI=true)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(message: str) -> None:
    """Skip on a developer machine, fail under CI."""
    if in_ci():
        pytest.fail(f"{message}; CI must run the browser tests")
    pytest.skip(message)


def require_chromium() -> str:
    """The browser, or a skip on a developer machine without it; under CI a failure."""
    if CHROMIUM is None:
        missing("chromium is not installed (apt-get install -y chromium)")
    assert CHROMIUM is not None
    return CHROMIUM


def has_cjk_font() -> bool:
    """Without a Chinese font Chromium draws every 汉字 as a blank box, and a printed PDF holds no
    Chinese text to check (pdfplumber reads `(cid:0)`)."""
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def require_cjk_font() -> None:
    if not has_cjk_font():
        missing("no Chinese font is installed (apt-get install -y fonts-wqy-microhei)")
