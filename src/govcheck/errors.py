"""The project's own exceptions: every one carries a location and says what to do."""

from __future__ import annotations

from govcheck.model import Location


class GovcheckError(Exception):
    """An error that stops the run with exit 2 and a located message on stderr."""

    def __init__(self, message: str, location: Location | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


class InputError(GovcheckError):
    """The inventory (or an archive, or a manifest) cannot be read at all."""


class PolicyError(GovcheckError):
    """A policy file or rule does not load or compile."""


class UsageError(GovcheckError):
    """A command-line argument is wrong."""
