"""etl.inspect.render_inspection: a readable, line-numbered report, rejections included."""

from __future__ import annotations

from pathlib import Path

from etl.extract import decode_page
from etl.inspect import render_inspection

SEED = Path(__file__).resolve().parents[3] / "seeds" / "pages" / "000_079ed658b08d6845.txt"


def test_seed_report_has_every_section_with_lines() -> None:
    report = render_inspection(decode_page(SEED.read_bytes()), "000_079ed658b08d6845.txt")
    assert report.startswith("Inspection of 000_079ed658b08d6845.txt\n")
    assert "Title:     line 1: The increasing ties between Russia and Iran" in report
    assert "Channel:   DW News" in report
    assert "Description: lines 7–25" in report
    assert "line    15  [description]  https://www.youtube.com/user/" in report
    assert "label='Subscribe'" in report
    assert "Hashtags (3): Russia, Iran, Turkmenistan" in report
    assert "Declared comment count: 22 (header at line 27)" in report
    assert "#4  lines 37–43  author=—" in report


def test_nested_reply_is_indented_and_names_parent() -> None:
    text = "Clip video\n\n2 comments\n  1. top\n\n    1. @A reply\n"
    report = render_inspection(text, "p.txt")
    assert "    #1  line 6  author=—  posted=—  likes=—  parent=0" in report


def test_rejection_is_reported_not_raised() -> None:
    report = render_inspection("", "empty.txt")
    assert "REJECTED: no_title" in report
    article = "Tomatoes | Blog\n\nI grow tomatoes.\n\n1 comment\n  1. me too\n"
    assert "REJECTED: not_a_video_page at line 1" in render_inspection(article, "a.txt")
