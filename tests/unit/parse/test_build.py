"""``slot_builder`` gives exactly the record its class's own constructor gives."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, fields

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.parse import _new_comment, _new_link, _new_page
from etl.parse.build import slot_builder
from etl.records import PageComment, PageLink, ParsedPage

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALUE = st.one_of(st.none(), st.integers(), st.text(max_size=8), st.tuples(st.text(max_size=3)))


def _same(built: object, expected: object) -> None:
    assert type(built) is type(expected)
    assert built == expected
    assert hash(built) == hash(expected)
    assert repr(built) == repr(expected)
    assert pickle.loads(pickle.dumps(built)) == expected
    for field in fields(expected):  # type: ignore[arg-type]
        assert getattr(built, field.name) is getattr(expected, field.name)


@SETTINGS
@given(st.lists(VALUE, min_size=12, max_size=12))
def test_builders_equal_the_constructors(values: list[object]) -> None:
    for cls, builder in ((PageComment, _new_comment), (PageLink, _new_link)):
        count = len(fields(cls))
        _same(builder(*values[:count]), cls(*values[:count]))  # type: ignore[arg-type]
    _same(_new_page(*values), ParsedPage(*values))  # type: ignore[arg-type]


def test_builders_are_used_for_the_records_and_refused_elsewhere() -> None:
    """The records qualify; a class whose __init__ does more than store gets itself back."""
    for cls in (PageComment, PageLink, ParsedPage):
        assert slot_builder(cls) is not cls

    @dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError(self.value)

    @dataclass(frozen=True)
    class NoSlots:
        value: int

    @dataclass(slots=True)
    class Mutable:
        value: int

    for cls in (Checked, NoSlots, Mutable):
        assert slot_builder(cls) is cls
