"""A thin sparse-model builder over HiGHS.

Time-expanded models have thousands of columns that are added in blocks (one per time step and
kind) and rows that are short sums; collecting them in flat lists and handing HiGHS one sparse
matrix is far faster than its expression layer, and keeps the solver call in one place.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence

import highspy
import numpy as np
import numpy.typing as npt

from corridor.errors import PlanningError
from corridor.i18n import _

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Send file descriptor 1 to ``/dev/null`` while HiGHS prints its banner.

    HiGHS writes a copyright banner from C++ the first time a solver object is built, before any
    option can turn output off; a library must not write to the caller's terminal (the CLI's
    ``--json`` output would be corrupted), so the descriptor itself is redirected.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class SparseModel:
    """Columns and rows of one maximisation problem, collected before a single solve."""

    def __init__(self) -> None:
        self._cost: list[FloatArray] = []
        self._upper: list[FloatArray] = []
        self._integer: list[IntArray] = []
        self.n_cols = 0
        self._row_lo: list[float] = []
        self._row_hi: list[float] = []
        self._row_starts: list[int] = [0]
        self._row_idx: list[int] = []
        self._row_val: list[float] = []

    def add_columns(self, n: int, *, cost: float | FloatArray = 0.0,
                    upper: float | FloatArray = np.inf, integer: bool = False) -> IntArray:
        """Add ``n`` columns bounded below by 0; return their indices.

        Parameters
        ----------
        n
            Number of columns.
        cost
            Objective coefficient(s) of the maximisation.
        upper
            Upper bound(s); ``inf`` for none.
        integer
            Whether the columns must take whole values.
        """
        idx = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        self._cost.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy())
        if integer:
            self._integer.append(idx)
        self.n_cols += n
        return idx

    def add_row(self, cols: Sequence[int] | IntArray, coefs: Sequence[float] | FloatArray,
                lower: float = -np.inf, upper: float = np.inf) -> None:
        """Add ``lower <= sum(coefs * x[cols]) <= upper``."""
        self._row_idx.extend(int(c) for c in cols)
        self._row_val.extend(float(v) for v in coefs)
        self._row_starts.append(len(self._row_idx))
        self._row_lo.append(lower)
        self._row_hi.append(upper)

    def maximise(self, *, time_limit_s: float = 120.0) -> FloatArray:
        """Solve to proven optimality (or the time limit) and return the column values.

        Raises
        ------
        PlanningError
            If HiGHS finds no feasible point at all, which for these models (where moving
            nobody is always feasible) means the inputs contradict each other.
        """
        with _stdout_silenced():
            solver = highspy.Highs()  # type: ignore[no-untyped-call]
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("time_limit", float(time_limit_s))
        solver.setOptionValue("mip_rel_gap", 1e-7)
        solver.setOptionValue("mip_abs_gap", 1e-4)
        empty_i = np.array([], dtype=np.int32)
        solver.addCols(self.n_cols, np.concatenate(self._cost), np.zeros(self.n_cols),
                       np.concatenate(self._upper), 0, empty_i, empty_i, np.array([]))
        n_rows = len(self._row_lo)
        if n_rows:
            solver.addRows(n_rows, np.asarray(self._row_lo), np.asarray(self._row_hi),
                           len(self._row_idx), np.asarray(self._row_starts[:-1], dtype=np.int32),
                           np.asarray(self._row_idx, dtype=np.int32),
                           np.asarray(self._row_val, dtype=np.float64))
        if self._integer:
            ints = np.concatenate(self._integer).astype(np.int32)
            solver.changeColsIntegrality(len(ints), ints,
                                         np.full(len(ints), highspy.HighsVarType.kInteger))
        solver.changeObjectiveSense(highspy.ObjSense.kMaximize)
        solver.run()
        solution = solver.getSolution()
        if not solution.value_valid:
            status = solver.modelStatusToString(solver.getModelStatus())
            raise PlanningError(_("the plan's constraints admit no solution ({status})").format(
                                    status=status))
        return np.asarray(solution.col_value, dtype=np.float64)
