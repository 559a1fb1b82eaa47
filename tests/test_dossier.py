"""The dossier: one complaint's printable record (DOMAIN.md rule 15), safe for any text from the public."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_domain import Actor, ComplaintNotFound, Reporter, Role
from lapor_projections import build_dossier, evidence_of, render_html

from conftest import OFFICE_KEYS, OfficeApp

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)
NATIONAL = Actor.national("ayu")
ADMIN = Actor.admin("kota-cirebon", "dodi")
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "p", "h1", "h2", "table", "tr", "th", "td",
    "div", "script", "code",
}  # fmt: skip


class Page(HTMLParser):
    """Every tag of a page, and its text outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self._raw = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._raw += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._raw -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._raw:
            self.text.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def walked(title: str, description: str, *, anonymous: bool = False, confidential: bool = False) -> Any:
    app = OfficeApp()
    app.register_reader_keys(OFFICE_KEYS)  # the office holds its readers' keys
    app.hold_keys(OFFICE_KEYS)
    c = app.submit(
        by=Actor.reporter("warga-1"),
        at=T0,
        reporter=Reporter(name="Siti Marker", contact="0812-555"),
        title=title,
        description=description,
        anonymous=anonymous,
        confidential=confidential,
    )
    app.verify(c.id, by=NATIONAL, at=T0 + timedelta(hours=1))
    app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=T0 + timedelta(hours=2))
    return app, c.id


printable = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=80).filter(
    str.strip
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(title=printable, description=printable)
def test_no_text_from_the_public_becomes_markup(title: str, description: str) -> None:
    app, cid = walked(title, description)
    page = render_html(build_dossier(app, cid, viewer=Role.ADMIN, at=T0 + timedelta(days=1)))
    parsed = parse(page)
    assert set(parsed.tags) <= TEMPLATE_TAGS
    assert parsed.tags.count("script") == 1
    assert evidence_of(page) is None  # no evidence given: the appendix says so, and reads back


def test_a_script_in_the_title_is_shown_as_text() -> None:
    hostile = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
    app, cid = walked(hostile, '=HYPERLINK("http://evil")\n\x1b]0;pwned\x07')
    page = render_html(build_dossier(app, cid, viewer=Role.NATIONAL, at=T0 + timedelta(days=1)))
    parsed = parse(page)
    assert "img" not in parsed.tags and parsed.tags.count("script") == 1
    assert hostile in "".join(parsed.text)
    assert "\x1b" not in page and "\x07" not in page


@settings(max_examples=60)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )
)
def test_the_evidence_reads_back_exactly_whatever_it_holds(value: Any) -> None:
    app, cid = walked("Jalan rusak", "Berlubang di depan pasar")
    evidence = {"events": [], "anything": value, "closer": "</script><!--"}
    page = render_html(build_dossier(app, cid, viewer=Role.NATIONAL, at=T0, evidence=evidence))
    assert evidence_of(page) == evidence
    assert parse(page).tags.count("script") == 1


def test_the_dossier_shows_the_record() -> None:
    app, cid = walked("Lampu jalan mati", "Sudah dua minggu")
    made = build_dossier(app, cid, viewer=ADMIN, at=T0 + timedelta(days=1))
    text = "".join(parse(render_html(made)).text)
    assert "Pemerintah Kota Cirebon (kota-cirebon)" in text
    assert "Lampu jalan mati" in text and "Sudah dua minggu" in text
    assert [e.event for e in made.timeline] == ["Submitted", "Verified", "Disposed"]
    assert "tim-admin:kota-cirebon" in text  # the desk holding it
    assert "Siti Marker" in text  # the admin team, named, may see who complained (with its key)
    assert [d.purpose for d in app.disclosures(cid)] == ["dossier"]  # and the showing is on record
    withheld = render_html(build_dossier(app, cid, viewer=Role.ADMIN, at=T0 + timedelta(days=1)))
    assert "Siti Marker" not in withheld  # a role alone names no one


def test_rule_10_holds_in_the_dossier() -> None:
    app, cid = walked("Pungli", "Di loket", anonymous=True)
    for viewer in (Role.LIAISON, None, Role.REPORTER, Actor.liaison("kota-cirebon", "dinkes", "pp")):
        page = render_html(build_dossier(app, cid, viewer=viewer, at=T0 + timedelta(days=1)))
        assert "Siti Marker" not in page and "0812-555" not in page and "warga-1" not in page
    app, cid = walked("Rahasia", "Di loket", confidential=True)
    with pytest.raises(ComplaintNotFound):
        build_dossier(app, cid, viewer=None, at=T0 + timedelta(days=1))


def test_lapor_dossier_writes_a_page_and_refuses_other_suffixes(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from lapor_cli.main import cli

    db = str(tmp_path / "d.db")
    runner = CliRunner()
    made = runner.invoke(cli, ["--db", db, "simulate", "--replace", "--complaints", "20", "--seed", "2"])
    assert made.exit_code == 0, made.output
    listed = runner.invoke(cli, ["--db", db, "--json", "list", "--limit", "1"]).output
    cid = json.loads(listed)[0]["complaint_id"]
    out = tmp_path / "d.html"
    args = ["--db", db, "--json", "dossier", cid[:8], "--out", str(out), "--viewer", "lapor-sp4n"]
    done = runner.invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert cid in out.read_text(encoding="utf-8")
    wrong = runner.invoke(cli, ["--db", db, "dossier", cid, "--out", str(tmp_path / "d.pdf")])
    assert wrong.exit_code != 0 and "should end in .html" in wrong.output
    assert not (tmp_path / "d.pdf").exists()
