"""`lapor report` draws a real picture: a PNG of the expected size that is not blank."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat

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
    code, stdout, stderr = lapor(db, "report", "--out", str(tmp_path / "sla.jpg"))
    assert (code, stdout) == (2, "") and ".png" in stderr
    code, stdout, stderr = lapor(db, "report", "--out", str(tmp_path / "sla.png"))
    assert (code, stdout) == (2, "") and "nothing to draw" in stderr
    assert not (tmp_path / "sla.png").exists()
