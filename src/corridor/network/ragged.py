"""Ragged arrays: many variable-length rows stored flat, delimited by offsets.

Edge geometries and adjacency lists are stored this way so that whole networks are a handful of
numpy arrays; these helpers select and reorder rows without a Python loop.
"""

from __future__ import annotations

import numpy as np

from corridor.network.graph import IntArray


def ragged_index(starts: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """Flat indices of consecutive runs ``[starts[i], starts[i] + counts[i])``, back to back.

    Parameters
    ----------
    starts, counts
        First flat index and length of each run.

    Returns
    -------
    tuple
        ``(index, offsets)``: ``flat[index]`` holds the runs in order, ``offsets`` (one longer
        than ``starts``) delimits them.
    """
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    shift = np.repeat(np.asarray(starts, dtype=np.int64) - offsets[:-1], counts)
    return np.arange(offsets[-1], dtype=np.int64) + shift, offsets


def gather_ragged(offsets: IntArray, order: IntArray) -> tuple[IntArray, IntArray]:
    """Reorder ragged rows: the flat index of each kept item and the new row offsets.

    Parameters
    ----------
    offsets
        ``n + 1`` row offsets into some flat array.
    order
        Row indices to keep, in their new order (may repeat or omit rows).

    Returns
    -------
    tuple
        ``(index, new_offsets)`` such that ``flat[index]`` holds the selected rows back to back
        and ``new_offsets`` delimits them.
    """
    return ragged_index(offsets[:-1][order], (offsets[1:] - offsets[:-1])[order])
