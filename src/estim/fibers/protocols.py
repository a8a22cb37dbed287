"""What the fiber stage takes: any potential field and any waveform that meet these.

The extracellular potential along a fiber is Ve(x, t) = φ(x) · I(t) (quasi-static, linear
in current). The fiber stage needs φ in V per A at the compartment centres and I(t) at unit
amplitude (A); it does not care where they come from (a point source, a layered-cylinder
solution, a FEM field, two superposed channels).

>>> import numpy as np
>>> from estim.fibers import RectangularPulse, make_fiber, point_source_potential
>>> class PointSource:
...     def potential(self, points):
...         return point_source_potential(points, np.array([0.0, 1e-3, 0.0]), 0.2)
>>> isinstance(PointSource(), PotentialField), isinstance(RectangularPulse(1e-4), SampledWaveform)
(True, True)
>>> phi = potentials_of([make_fiber("mrg", 10e-6)], PointSource())[0]
>>> round(float(phi.max()), 1)   # V/A at the compartment nearest the source
397.9
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeAlias, runtime_checkable

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from estim.fibers.cable import Fiber

__all__ = ["PotentialField", "PotentialFunction", "Potentials", "SampledWaveform",
           "UnitWaveform", "Waveform", "WaveformFunction", "potentials_of"]

FloatArray: TypeAlias = NDArray[np.float64]


@runtime_checkable
class PotentialField(Protocol):
    """A field that gives φ (V per A of its channel's current) at points (m).

    :class:`estim.fields.solve.ChannelField` is one.
    """

    def potential(self, points: FloatArray) -> FloatArray:
        """φ (V/A) at ``points``, shape (N, 3) in m; returns (N,) values."""
        ...


@runtime_checkable
class SampledWaveform(Protocol):
    """A waveform at unit amplitude: ``sample(t)`` gives the current (A) at times ``t`` (s);
    (S, len(t)) values for S sources that run together (true interferential)."""

    def sample(self, t: FloatArray) -> FloatArray:
        ...


@runtime_checkable
class UnitWaveform(SampledWaveform, Protocol):
    """A sampled waveform that also says how wide it is and what it depends on, so that
    thresholds under it can be cached (:class:`estim.effects.drive.UnitPulse`)."""

    @property
    def width_s(self) -> float:
        """The pulse's width (s)."""
        ...

    def cache_key(self) -> tuple[Hashable, ...]:
        """Everything the thresholds under this waveform depend on."""
        ...


#: φ as a plain function of points (m) -> V/A, e.g. a bound ``ChannelField.potential``.
PotentialFunction: TypeAlias = Callable[[FloatArray], FloatArray]
#: What :func:`estim.fibers.find_thresholds` and :func:`estim.fibers.simulate` take as φ:
#: a field or a function evaluated at every fiber's compartment centres, one array for one
#: fiber, or one array per fiber ((N,) or (sources, N), V/A).
Potentials: TypeAlias = PotentialField | PotentialFunction | FloatArray | Sequence[FloatArray]
#: I(t) as a plain function of time (s) -> A at unit amplitude.
WaveformFunction: TypeAlias = Callable[[FloatArray], FloatArray]
#: What the fiber stage takes as I(t): a sampled waveform, a function, or values already on
#: the solver's time grid (A during each step).
Waveform: TypeAlias = SampledWaveform | WaveformFunction | FloatArray


def potentials_of(fibers: Sequence[Fiber], potentials: Potentials) -> list[FloatArray]:
    """φ (V/A) at the compartment centres of every fiber, unchecked.

    :param potentials: see :data:`Potentials`.
    """
    if isinstance(potentials, PotentialField):
        return [np.asarray(potentials.potential(f.points()), dtype=float) for f in fibers]
    if callable(potentials):
        return [np.asarray(potentials(f.points()), dtype=float) for f in fibers]
    if isinstance(potentials, np.ndarray) and potentials.ndim == 1 and len(fibers) == 1:
        return [potentials.astype(float)]
    return [np.asarray(potentials[i], dtype=float) for i in range(len(fibers))]
