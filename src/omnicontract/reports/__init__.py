"""Reports render a RunResult; they never run a check. One module per format.

A report module has ``render(result, *, color=False) -> str``. Register it in ``FORMATS``
(and its file suffixes in ``SUFFIXES``): the CLI's ``--format`` and ``--report`` pick it
up from here.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from omnicontract.errors import UsageError
from omnicontract.validators.result import RunResult

FORMATS = {
    "console": "omnicontract.reports.console",
    "json": "omnicontract.reports.json",
    "html": "omnicontract.reports.html",
    "junit": "omnicontract.reports.junit",
    "markdown": "omnicontract.reports.markdown",
}
SUFFIXES = {
    ".json": "json",
    ".txt": "console",
    ".log": "console",
    ".xml": "junit",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
}


def render(fmt: str, result: RunResult, *, color: bool = False, width: int | None = None) -> str:
    """``width``: the columns a console report is laid out in (other formats ignore it)."""
    module = importlib.import_module(FORMATS[fmt])
    if fmt == "console":
        return module.render(result, color=color, width=width)
    return module.render(result, color=color)


def parse_report_spec(spec: str) -> tuple[str, Path]:
    """``FORMAT:PATH``, or ``PATH`` whose suffix names the format (``out/report.json``)."""
    fmt, sep, path = spec.partition(":")
    if sep and fmt in FORMATS and path:
        return fmt, Path(path)
    if sep and fmt and not Path(spec).suffix and fmt not in FORMATS:
        raise UsageError(
            f"unknown report format '{fmt}' in --report {spec}",
            hint="formats: " + ", ".join(sorted(FORMATS)),
        )
    suffix = Path(spec).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix], Path(spec)
    raise UsageError(
        f"cannot tell the report format of '{spec}'",
        hint="write FORMAT:PATH, with FORMAT one of " + ", ".join(sorted(FORMATS)),
    )


def check_report_targets(specs: list[str], output: Path | None = None) -> None:
    """Every ``--report`` spec names a known format and a file that can be written, and
    ``--output`` too: checked before the run reads any data."""
    from omnicontract.files import check_writable

    for spec in specs:
        _fmt, path = parse_report_spec(spec)
        check_writable(path, f"--report {spec}")
    if output is not None:
        check_writable(output, "--output")


def write_reports(result: RunResult, specs: list[str]) -> list[Path]:
    """Render every report first, then write each atomically: a failure leaves no
    half-written file and no report from a half-finished set."""
    from omnicontract.files import write_atomic

    parsed = [parse_report_spec(s) for s in specs]
    rendered = [(path, render(fmt, result)) for fmt, path in parsed]
    for path, text in rendered:
        write_atomic(path, text)
    return [p for p, _t in rendered]
