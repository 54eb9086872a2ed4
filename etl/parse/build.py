"""Build the parser's output records faster than their frozen-dataclass ``__init__`` (speed only).

A frozen dataclass's generated ``__init__`` sets every field through ``object.__setattr__`` (the
class forbids plain assignment): about 1.3 us for an eight-field ``PageComment``, paid once per
comment on pages with thousands of them. For a frozen slots dataclass that has no
``__post_init__`` and whose every field is an ``__init__`` argument, that ``__init__`` does
nothing but store each argument in its slot; ``slot_builder`` stores them through the slots'
own descriptors instead (half the cost) and gives an equal object of the same class (same fields,
equality, hash and repr; tests/unit/parse/test_build.py compares them). Any other class gets
its own constructor back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def slot_builder(cls: type[T]) -> Callable[..., T]:
    """A function ``(*values) -> cls`` equal to ``cls(*values)`` given every field positionally;
    ``cls`` itself when the shortcut's conditions (see module docstring) do not hold."""
    if not _plain_frozen_slots(cls):
        return cls
    names = [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    # The generated code names no field, only positions: field names never reach the source.
    arguments = ", ".join(f"v{i}" for i in range(len(names)))
    stores = "".join(f"    s{i}(o, v{i})\n" for i in range(len(names)))
    source = f"def build({arguments}):\n    o = new(cls)\n{stores}    return o\n"
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    scope.update({f"s{i}": vars(cls)[name].__set__ for i, name in enumerate(names)})
    exec(source, scope)  # a fixed template over positions (as dataclasses builds __init__)
    built: Callable[..., T] = scope["build"]
    return built


def _plain_frozen_slots(cls: type) -> bool:
    """A frozen dataclass with ``__slots__`` equal to its fields, all set by ``__init__``,
    without ``__post_init__`` (so ``__init__`` only stores its arguments)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init:
        return False
    fields = dataclasses.fields(cls)
    names = tuple(field.name for field in fields)
    return (
        getattr(cls, "__slots__", None) == names
        and all(field.init for field in fields)
        and not hasattr(cls, "__post_init__")
    )
