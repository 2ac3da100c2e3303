"""Exceptions raised by the matching engine.

All are ``ValueError`` subclasses: the web layer turns them into a 400/422
answer and the CLI into a non-zero exit, showing the message, which always
names the listing, site, agreement or option at fault.
"""

from __future__ import annotations

__all__ = ["ClusterError", "MatchingError", "SolverError"]


class MatchingError(ValueError):
    """The engine's input cannot be matched as given.

    Parameters
    ----------
    message : str
        Short, specific English message; starts with what is wrong
        (``"offer 'O7': unknown site 'S99'"``).
    field : str, optional
        The input field or option at fault (``"site_id"``, ``"k_per_offer"``).
    where : str, optional
        The record at fault (``"offer 'O7'"``), when there is one.

    Examples
    --------
    >>> error = MatchingError("options: k_per_offer must be at least 1, got 0", field="k_per_offer")
    >>> (isinstance(error, ValueError), error.field)
    (True, 'k_per_offer')
    """

    def __init__(self, message: str, *, field: str | None = None, where: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.where = where


class SolverError(MatchingError):
    """A min-cost-flow solver did not reach an optimum (it should always reach one)."""


class ClusterError(MatchingError):
    """A partitioned run (:mod:`matching.distributed`) could not use its Dask cluster: the scheduler cannot be
    reached, or a worker was lost and Dask gave the task up. The message names the scheduler's address; the run
    returns nothing, so nothing of it is stored."""
