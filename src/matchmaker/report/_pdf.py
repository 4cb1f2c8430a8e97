"""The report as PDF: the HTML report printed by a headless Chromium (``--print-to-pdf``), A4 as its
print style sheet lays it out.

No Python package is needed, but a Chromium-like browser must be installed (``apt-get install
chromium``); :func:`find_chromium` looks for one on ``PATH``. The page is written to a private
temporary folder, printed there and removed; nothing is loaded from the network.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from matchmaker._i18n import msg
from matchmaker.errors import NoChromiumError, PdfError

__all__ = ["CHROMIUM_NAMES", "NoChromiumError", "PdfError", "find_chromium", "html_to_pdf"]

#: The browser commands looked for on ``PATH``, in this order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    """The path of a Chromium-like browser on ``PATH``, or ``None``."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def html_to_pdf(page: str, *, executable: str | None = None, timeout: float = 600.0) -> bytes:
    """``page`` (a self-contained HTML text) printed to PDF by headless Chromium.

    Raises:
        NoChromiumError: no ``executable`` given and none found by :func:`find_chromium`.
        PdfError: the browser failed or did not finish within ``timeout`` seconds.
    """
    browser = executable or find_chromium()
    if browser is None:
        raise NoChromiumError
    with tempfile.TemporaryDirectory(prefix="mm-report-", ignore_cleanup_errors=True) as tmp:
        source = Path(tmp) / "report.html"
        target = Path(tmp) / "report.pdf"
        source.write_text(page, encoding="utf-8")
        args = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",  # the older name of the flag above
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run its sandbox as root (containers)
        args.append(source.as_uri())
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so that its helpers end with it
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfError(
                msg("Chromium did not print the report within {timeout} s", timeout=f"{timeout:g}")
            ) from None
        with contextlib.suppress(OSError):  # helpers (crash handler) that outlive the browser
            os.killpg(proc.pid, signal.SIGKILL)
        data = target.read_bytes() if target.exists() else b""
        if proc.returncode != 0 or not data.startswith(b"%PDF-"):
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise PdfError(
                msg(
                    "Chromium could not print the report (exit code {code}): {reason}",
                    code=proc.returncode,
                    reason=last[0],
                )
            )
        return data
