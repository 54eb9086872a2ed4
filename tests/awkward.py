"""Awkward values every test can draw on: unicode, empty fields, huge values, hostile names."""

from __future__ import annotations

UNICODE_TEXTS = (
    "Sequía en España 🌵",
    "Путин и Пезешкиан",
    "القدس",
    "emoji lost ???? here",
    "curly “quotes” and ‘apostrophes’ – en dash",
    "zero\u200bwidth and no\u00a0break",
)
EMPTY_TEXTS = ("", " ", "\n", "\t \n")
HUGE_TEXT = "word " * 200_000
HOSTILE_FILE_NAMES = (
    "with space.txt",
    "ünïcödé_页面.txt",
    "quote'and\"double.txt",
    "dash-leading.txt",
)
SQL_INJECTION = "'; DROP TABLE videos; --"
