"""Points handed to a field, as the fields' evaluators read them: rows of x, y, z (m), and
the shape the answer keeps (a grid's leading axes)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from estim.errors import Described, InputError

__all__ = ["as_points", "grid_shape"]


def as_points(points: ArrayLike) -> NDArray[np.float64]:
    """Points as an (N, 3) array of x, y, z (m): one point (3,), (N, 3), or any shape
    whose last axis is x, y, z. Coordinates first, (3, N), read as N/3 points made of
    mixed coordinates (a researcher's probe of 7 December 2026): refused where N is not 3
    (a (3, 3) array is read as three rows, as (N, 3) says).

    >>> as_points([0.0, 0.0, 0.01]).shape
    (1, 3)
    >>> as_points(np.zeros((3, 2)))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    estim.errors.InputError: points: got an array of shape (3, 2), expected ...(N, 3)...
    """
    x = np.asarray(points, dtype=float)
    if x.ndim == 0 or x.shape[-1] != 3:
        raise InputError("points", Described(f"an array of shape {x.shape}"),
                         "points as an array of shape (N, 3), x, y, z in m in each row "
                         "(coordinates first, (3, N): pass its transpose)")
    return x.reshape(-1, 3)


def grid_shape(points: ArrayLike) -> tuple[int, ...]:
    """The shape of the answer for ``points``: their leading axes for a grid of points
    (a, b, 3), which came back flattened to (a·b,) (researcher's probe of 7 December
    2026); (N,) for (N, 3) rows and (1,) for one point, as before.

    >>> grid_shape(np.zeros((4, 5, 3))), grid_shape(np.zeros((7, 3))), grid_shape([0, 0, 1])
    ((4, 5), (7,), (1,))
    """
    shape = np.shape(points)
    return tuple(shape[:-1]) if len(shape) > 2 else (int(np.prod(shape[:-1], dtype=int)),)
