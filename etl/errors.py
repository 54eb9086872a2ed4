"""Named errors carrying context (table, file, line) so messages say what went wrong and where."""

from __future__ import annotations


class EtlError(Exception):
    """Base of every error this package raises on purpose."""


class UsageError(EtlError):
    """Bad input from the user (path, option, SQL): the CLI exits 2 with the message only."""


class ConfigError(UsageError):
    """A setting is missing or invalid (environment variable, CLI option, Airflow param)."""


class PageRejected(EtlError):
    """A page cannot be published; it goes to quarantine with a stable ``reason_code``.

    Reason codes are part of the public contract (see schemas/quarantine.yaml) and never renamed.
    """

    def __init__(self, reason_code: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message
        self.line = line


class ContractError(EtlError):
    """Output does not match schemas/ (missing column, wrong type): a bug, fails the run."""

    def __init__(self, table: str, message: str) -> None:
        super().__init__(f"{table}: {message}")
        self.table = table


class ValidationFailed(EtlError):
    """An ``error``-severity expectation failed; the batch is not published."""

    def __init__(self, failures: list[str]) -> None:
        super().__init__("validation failed: " + "; ".join(failures))
        self.failures = failures


class PublishError(EtlError):
    """Publishing could not complete (disk full, permission denied); the old warehouse stands."""


class WarehouseBusy(EtlError):
    """Another run holds the warehouse's publish lock."""
