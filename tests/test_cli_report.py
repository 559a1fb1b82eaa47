"""`lapor report` writes a real picture (a PNG of the expected size that is not blank) and a
managers' page that a real browser renders without a console error."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat

import browser
from lapor_cli.main import cli
from lapor_domain import LaporApp


def lapor(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow  # a simulation and two matplotlib pictures
def test_report_writes_a_picture_of_the_sla_situation(tmp_path: Path) -> None:
    db, out, period = tmp_path / "lapor.db", tmp_path / "sla.png", tmp_path / "q1.png"
    assert lapor(db, "simulate", "--complaints", "60", "--seed", "11")[0] == 0
    code, stdout, stderr = lapor(db, "--json", "report", "--out", str(out))
    assert code == 0, stderr
    written = json.loads(stdout)
    assert written["out"] == str(out) and written["units"] > 0 and written["stays"] > 60
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.size == (written["width"], written["height"]) == (1500, 700)
        grey = image.convert("L")
        low, high = grey.getextrema()
        assert isinstance(low, int) and isinstance(high, int) and high - low > 100, "the picture is blank"
        assert ImageStat.Stat(grey).stddev[0] > 20
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 50
    code, stdout, stderr = lapor(
        db, "report", "--out", str(period), "--from", "2025-02-01", "--to", "2025-03-31"
    )
    assert code == 0, stderr
    assert "2025-02-01 00:00" in stdout and period.stat().st_size > 10_000


def test_report_refuses_a_wrong_suffix_and_an_empty_database(tmp_path: Path) -> None:
    db = tmp_path / "lapor.db"
    LaporApp(str(db), clock=lambda: datetime.now(UTC)).close()
    for name in ("sla.jpg", "sla.htm", "sla", "sla.svg"):
        code, stdout, stderr = lapor(db, "report", "--out", str(tmp_path / name))
        assert (code, stdout) == (2, "") and ".html" in stderr and ".png" in stderr
        assert stderr.count("\n") == 1 and "Traceback" not in stderr
        assert not (tmp_path / name).exists()
    code, stdout, stderr = lapor(db, "report", "--out", str(tmp_path / "sla.html"))
    assert (code, stdout) == (2, "") and "nothing to draw" in stderr
    assert not (tmp_path / "sla.html").exists()
    code, stdout, stderr = lapor(db, "report", "--out", str(tmp_path / "sla.png"))
    assert (code, stdout) == (2, "") and "nothing to draw" in stderr
    assert not (tmp_path / "sla.png").exists()


def require_chromium() -> None:
    """Skip without a browser; under CI=true, fail instead (``.ci/run`` installs Debian's chromium)."""
    if browser.chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and no chromium on PATH (.ci/run installs Debian's chromium)")
        pytest.skip("no chromium on PATH: apt-get install -y chromium")


def simulated(tmp_path: Path, complaints: int = 60) -> Path:
    db = tmp_path / "lapor.db"
    assert lapor(db, "simulate", "--complaints", str(complaints), "--seed", "11")[0] == 0
    return db


def test_report_writes_the_managers_page(tmp_path: Path) -> None:
    db, out = simulated(tmp_path), tmp_path / "kinerja.html"
    code, stdout, stderr = lapor(db, "--json", "report", "--out", str(out), "--from", "2025-01-01")
    assert code == 0, stderr
    written = json.loads(stdout)
    assert written["out"] == str(out) and written["units"] > 5 and written["months"] >= 3
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Rekapitulasi bulanan / monthly recapitulation" in page
    assert page.count("<svg") == 4 + written["units"]  # flow, open, legend, months, and a bar per unit
    assert "<script" not in page
    again = tmp_path / "again.html"
    assert lapor(db, "report", "--out", str(again), "--from", "2025-01-01")[0] == 0
    assert again.read_bytes() == out.read_bytes(), "the same history gives the same page"


@pytest.mark.slow  # a simulation and a browser start
def test_the_page_renders_in_headless_chromium_without_a_console_message(tmp_path: Path) -> None:
    require_chromium()
    db, out = simulated(tmp_path), tmp_path / "kinerja.html"
    assert lapor(db, "report", "--out", str(out))[0] == 0
    rendered = browser.render(out, width=1280, height=1800)
    assert rendered.errors == [] and rendered.console == []
    with Image.open(io.BytesIO(rendered.screenshot)) as image:
        assert image.size == (1280, 1800)
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 50, "the page rendered nearly blank"
        white = max(count for count, colour in colours if colour == (255, 255, 255))
        assert white < 0.9 * 1280 * 1800, "the page rendered nearly all white"
        grey = ImageStat.Stat(rgb.convert("L"))
        assert grey.stddev[0] > 20
        # The charts' colours are on it: the unit desks' orange and a rate colour at least.
        present = {colour for _, colour in colours}
        unit_orange, good_green, poor_red = (0xFD, 0x8D, 0x3C), (0x31, 0xA3, 0x54), (0xDE, 0x2D, 0x26)
        assert unit_orange in present and (good_green in present or poor_red in present)


@pytest.mark.slow  # a browser start
def test_the_browser_check_sees_a_broken_page(tmp_path: Path) -> None:
    """The console check can fail: a script error, a console.error and a missing image are all seen."""
    require_chromium()
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><p>x</p><img src="missing.png">'
        '<script>console.error("deliberate"); throw new Error("boom")</script>',
        encoding="utf-8",
    )
    errors = " | ".join(browser.render(page, width=400, height=300).errors)
    assert "deliberate" in errors and "boom" in errors and "missing.png" in errors
