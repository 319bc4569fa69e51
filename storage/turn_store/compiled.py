"""A Core statement compiled once for one database, run straight on its driver.

SQLAlchemy builds the SQL from the models (names, types, ON CONFLICT, RETURNING, casts)
and knows how each column's values are bound (``TypeEngine.bind_processor``) and read
back (``result_processor``). Per execution, though, going through a ``Connection``
also costs a compiled-cache lookup, parameter processing through the execution
context and the connection's events: several times the SQL itself for the chat turn's
tiny statements. So the turn store compiles each statement once, at start-up, and keeps
what SQLAlchemy worked out (the SQL text, the order of the parameters, each one's bind
processor, each result column's processor); an execution is then a tuple and a driver
call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class CompiledStatement:
    """One statement's SQL for one dialect, and how to bind and read its values."""

    sql: str
    # Per placeholder, in order: the caller's parameter name, or None for a value the
    # statement carries itself (a literal), which is in ``constants``, bound already.
    names: tuple[str | None, ...]
    constants: tuple[Any, ...]
    # The placeholders whose values a type processes (JSON, timestamps), and how.
    bind_processors: tuple[tuple[int, Processor], ...]
    result_processors: tuple[Processor | None, ...]

    def bind(self, values: Mapping[str, Any]) -> list[Any]:
        """The driver's positional parameters for ``values`` (by parameter name)."""
        # Run per statement and row of every turn: one comprehension, then only the few
        # placeholders a type processes.
        row = [
            constant if name is None else values[name]
            for name, constant in zip(self.names, self.constants, strict=True)
        ]
        for index, process in self.bind_processors:
            value = row[index]
            if value is not None:
                row[index] = process(value)
        return row

    def row(self, raw: Iterable[Any]) -> tuple[Any, ...]:
        """A result row as SQLAlchemy would have returned it (types processed)."""
        return tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(raw, self.result_processors, strict=True)
        )


def _python_type(type_: Any) -> type | None:
    try:
        python_type: type = type_.python_type
    except NotImplementedError:
        return None
    return python_type


def _last_value_kept(process: Processor) -> Processor:
    """``process``, remembering its last value: a turn binds the same timestamp (its
    ``now``) to every row it writes, and a datetime is immutable. The value and what it
    became are kept as one tuple, replaced in one assignment, so threads sharing the
    statement never see one's value with another's result."""
    last: list[tuple[Any, Any]] = [(None, None)]

    def processed(value: Any) -> Any:
        seen, result = last[0]
        if value is not seen:
            result = process(value)
            last[0] = (value, result)
        return result

    return processed


def compile_statement(
    statement: ClauseElement, dialect: Dialect, *, parameters: Iterable[str]
) -> CompiledStatement:
    """``statement`` compiled for ``dialect`` (whose paramstyle must be positional).

    ``parameters`` names the bound parameters the caller supplies at each execution;
    every other bound value is a literal of the statement, bound as compiled. A name
    not in the statement, or a parameter of the statement the caller does not supply
    and that has no value, is a mistake caught here, at start-up.
    """
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    order = compiled.positiontup
    if order is None:
        raise ValueError(f"dialect {dialect.name} does not bind by position")
    supplied = set(parameters)
    missing = supplied - set(order)
    if missing:
        raise ValueError(f"parameters not in the statement: {sorted(missing)}")
    names: list[str | None] = []
    constants: list[Any] = []
    processors: list[tuple[int, Processor]] = []
    for index, key in enumerate(order):
        bind: BindParameter[Any] = compiled.binds[key]
        process: Processor | None = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None and _python_type(bind.type) is datetime:
            process = _last_value_kept(process)
        if key in supplied:
            names.append(key)
            constants.append(None)
            if process is not None:
                processors.append((index, process))
        else:
            if bind.value is None and bind.callable is None:
                raise ValueError(f"parameter {key!r} has no value and is not supplied")
            names.append(None)
            value = bind.effective_value
            constants.append(value if process is None or value is None else process(value))
    # What the statement returns: a SELECT's columns, or the RETURNING ones of DML.
    returned = getattr(statement, "exported_columns", ())
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned
    )
    return CompiledStatement(
        sql=compiled.string,
        names=tuple(names),
        constants=tuple(constants),
        bind_processors=tuple(processors),
        result_processors=results,
    )
