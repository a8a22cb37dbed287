"""Pulse segments with closed-form integrals.

A segment is a piece of a pulse on ``[start, start + duration)`` (s, relative to the pulse
onset). Two kinds cover every waveform estim builds:

- *exponential sum*: ``f(τ) = Σ_k Re(c_k · exp(λ_k τ))`` with ``τ = t - start``. A constant is
  ``λ = 0``; a sine ``A sin(ωτ + φ)`` is ``c = -iA e^{iφ}, λ = iω``; an exponential decay is
  ``λ = -1/τ_d``; a sum of carriers is several terms.
- *linear*: ``f(τ) = a + (b - a) τ / duration`` (ramps of d.c. programs).

Both have exact integrals of ``f`` and ``f²``, and the family is closed under time shifts, so a
segment can be split exactly (at zero crossings or where a compliance limit clips it).
Values are per unit amplitude (dimensionless); the stimulus scales them to A or V.
"""

from __future__ import annotations

import cmath
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

__all__ = ["Pulse", "Segment"]

FloatArray = NDArray[np.float64]


def _expm1(x: complex) -> complex:
    """exp(x) - 1 without cancellation for small |x| (complex x)."""
    a, b = x.real, x.imag
    em1 = math.expm1(a)
    cosm1 = -2.0 * math.sin(b / 2) ** 2
    return complex(em1 * math.cos(b) + cosm1, math.exp(a) * math.sin(b))


def _expm1_array(x: NDArray[np.complex128]) -> NDArray[np.complex128]:
    a, b = x.real, x.imag
    return (np.expm1(a) * np.cos(b) - 2.0 * np.sin(b / 2) ** 2) + 1j * np.exp(a) * np.sin(b)


def _e1(z: complex, d: float) -> complex:
    """∫_0^d exp(z τ) dτ, accurate for any z including z → 0 (and denormal z, whose
    product with d underflows: the Taylor series keeps the leading d)."""
    x = z * d
    if abs(x) < 1e-4:
        return d * (1 + x / 2 + x * x / 6 + x * x * x / 24)
    return _expm1(x) / z


@dataclass(frozen=True, slots=True)
class Segment:
    """One closed-form piece of a pulse (see the module docstring).

    :param start: onset relative to the pulse onset (s).
    :param duration: length (s), > 0.
    :param coeffs: complex coefficients ``c_k`` (exponential-sum kind).
    :param rates: complex rates ``λ_k`` (1/s).
    :param linear: ``(a, b)`` end values, for the linear kind (then coeffs/rates are empty).
    """

    start: float
    duration: float
    coeffs: tuple[complex, ...] = ()
    rates: tuple[complex, ...] = ()
    linear: tuple[float, float] | None = None

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def constant(cls, level: float, start: float, duration: float) -> Segment:
        return cls(start, duration, (complex(level),), (0j,))

    @classmethod
    def sine(cls, amplitude: float, frequency_hz: float, start: float, duration: float,
             phase: float = 0.0) -> Segment:
        """``amplitude · sin(2π f τ + phase)``."""
        w = 2 * math.pi * frequency_hz
        return cls(start, duration, (-1j * amplitude * cmath.exp(1j * phase),), (1j * w,))

    @classmethod
    def sines(cls, terms: Sequence[tuple[float, float, float]], start: float,
              duration: float) -> Segment:
        """Sum of ``a · sin(2π f τ + φ)`` for each ``(a, f, φ)`` in ``terms``."""
        return cls(start, duration,
                   tuple(-1j * a * cmath.exp(1j * p) for a, _, p in terms),
                   tuple(2j * math.pi * f for _, f, _ in terms))

    @classmethod
    def decay(cls, peak: float, time_constant: float, start: float, duration: float) -> Segment:
        """``peak · exp(-τ / time_constant)``."""
        return cls(start, duration, (complex(peak),), (complex(-1.0 / time_constant),))

    @classmethod
    def ramp(cls, a: float, b: float, start: float, duration: float) -> Segment:
        return cls(start, duration, linear=(a, b))

    # -- evaluation ---------------------------------------------------------------------------
    @property
    def end(self) -> float:
        return self.start + self.duration

    def value(self, tau: FloatArray | float) -> FloatArray:
        """Value at local times ``tau`` (s from the segment start); no range check."""
        tau = np.asarray(tau, dtype=float)
        if self.linear is not None:
            a, b = self.linear
            return a + (b - a) * tau / self.duration
        out = np.zeros_like(tau)
        for c, lam in zip(self.coeffs, self.rates, strict=True):
            out += (c * np.exp(lam * tau)).real
        return out

    def integral(self) -> float:
        """∫ f dτ over the segment (per unit amplitude · s)."""
        if self.linear is not None:
            return 0.5 * (self.linear[0] + self.linear[1]) * self.duration
        return sum((c * _e1(lam, self.duration)).real
                   for c, lam in zip(self.coeffs, self.rates, strict=True))

    def integral_sq(self) -> float:
        """∫ f² dτ over the segment, exactly (Re z Re w = (Re zw + Re z w̄) / 2)."""
        d = self.duration
        if self.linear is not None:
            a, b = self.linear
            return d * (a * a + a * b + b * b) / 3.0
        total = 0.0
        for cj, lj in zip(self.coeffs, self.rates, strict=True):
            for ck, lk in zip(self.coeffs, self.rates, strict=True):
                total += 0.5 * (cj * ck * _e1(lj + lk, d)).real
                total += 0.5 * (cj * ck.conjugate() * _e1(lj + lk.conjugate(), d)).real
        return total

    def integral_sq_upto(self, tau: FloatArray) -> FloatArray:
        """∫_0^τ f² for each τ in ``tau`` (clipped to [0, duration]), vectorised."""
        d = np.clip(np.asarray(tau, dtype=float), 0.0, self.duration)
        if self.linear is not None:
            a, b = self.linear
            fb = a + (b - a) * d / self.duration
            return d * (a * a + a * fb + fb * fb) / 3.0
        total = np.zeros_like(d)
        for cj, lj in zip(self.coeffs, self.rates, strict=True):
            for ck, lk in zip(self.coeffs, self.rates, strict=True):
                for c, z in ((cj * ck, lj + lk), (cj * ck.conjugate(), lj + lk.conjugate())):
                    x = z * d
                    if abs(z) * self.duration < 1e-4:  # series, as in _e1
                        total += 0.5 * (c * d * (1 + x / 2 + x * x / 6 + x * x * x / 24)).real
                    else:
                        total += 0.5 * (c * _expm1_array(x) / z).real
        return total

    def shifted(self, tau0: float, duration: float) -> Segment:
        """The part ``[tau0, tau0 + duration)`` of this segment as a segment of its own."""
        if self.linear is not None:
            a, b = self.linear
            fa = a + (b - a) * tau0 / self.duration
            fb = a + (b - a) * (tau0 + duration) / self.duration
            return Segment(self.start + tau0, duration, linear=(fa, fb))
        return Segment(self.start + tau0, duration,
                       tuple(c * cmath.exp(lam * tau0)
                             for c, lam in zip(self.coeffs, self.rates, strict=True)),
                       self.rates)

    def _grid(self) -> FloatArray:
        """Local times fine enough to see every sign change and extremum."""
        if self.linear is not None:
            return np.array([0.0, self.duration])
        fastest = max((abs(lam.imag) for lam in self.rates), default=0.0)
        n = 2 + math.ceil(self.duration * fastest / (2 * math.pi) * 32)
        return np.linspace(0.0, self.duration, min(n, 200_000))

    def _extrema_refined(self, grid: NDArray[np.float64]) -> NDArray[np.float64]:
        """``grid`` with every local extremum of f between its points added, located by
        ternary search: a level just below a peak is crossed twice between two grid points
        with no sign change at either, and would otherwise be missed."""
        v = self.value(grid)
        d = np.diff(v)
        ext = np.nonzero(d[:-1] * d[1:] < 0)[0] + 1
        if ext.size == 0:
            return grid
        up = np.sign(d[ext - 1])  # rising into a maximum, falling into a minimum
        lo, hi = grid[ext - 1].copy(), grid[ext + 1].copy()
        for _ in range(80):
            m1 = lo + (hi - lo) / 3
            m2 = hi - (hi - lo) / 3
            right = up * self.value(m1) < up * self.value(m2)
            lo = np.where(right, m1, lo)
            hi = np.where(right, hi, m2)
            if np.max(hi - lo) < 1e-15:
                break
        return np.sort(np.concatenate([grid, 0.5 * (lo + hi)]))

    def roots(self, level: float = 0.0) -> list[float]:
        """Local times in (0, duration) where f crosses ``level`` (bisection to ~1e-15 s).

        Brackets come from a grid of 32 points per period of the fastest term; all brackets
        are refined at once (vectorised bisection), so a carrier with thousands of crossings
        costs milliseconds.
        """
        if self.linear is not None:
            a, b = self.linear
            if (a - level) * (b - level) < 0:
                return [(level - a) / (b - a) * self.duration]
            return []
        if all(lam == 0 for lam in self.rates):
            return []
        grid = self._extrema_refined(self._grid())
        v = self.value(grid) - level
        idx = np.nonzero(v[:-1] * v[1:] < 0)[0]
        if idx.size == 0:
            return []
        lo, hi = grid[idx].copy(), grid[idx + 1].copy()
        flo = v[idx].copy()
        for _ in range(64):
            mid = 0.5 * (lo + hi)
            fm = self.value(mid) - level
            left = np.sign(fm) == np.sign(flo)
            lo = np.where(left, mid, lo)
            flo = np.where(left, fm, flo)
            hi = np.where(left, hi, mid)
            if np.max(hi - lo) < 1e-15:
                break
        return [float(x) for x in 0.5 * (lo + hi)]

    def peak_abs(self) -> float:
        """max |f| over the segment."""
        if self.linear is not None:
            return max(abs(self.linear[0]), abs(self.linear[1]))
        if all(lam == 0 for lam in self.rates):
            return abs(sum(c.real for c in self.coeffs))
        if len(self.rates) == 1 and self.rates[0].real == 0:
            amp = abs(self.coeffs[0])
            w = self.rates[0].imag
            if abs(w) * self.duration >= 2 * math.pi:
                return amp
        grid = self._grid()
        grid = np.linspace(0.0, self.duration, max(len(grid) * 8, 64))
        return float(np.max(np.abs(self.value(grid))))

    def integrals_between(self, cuts: FloatArray) -> FloatArray:
        """∫ f dτ over each piece ``[cuts[i], cuts[i + 1]]`` (local times, sorted), vectorised:
        ``Σ_k Re(c_k e^{λ_k a} (e^{λ_k (b - a)} - 1) / λ_k)`` (the series near λ d = 0)."""
        a = np.asarray(cuts[:-1], dtype=float)
        d = np.asarray(cuts[1:], dtype=float) - a
        if self.linear is not None:
            fa, fb = self.linear
            va = fa + (fb - fa) * a / self.duration
            vb = fa + (fb - fa) * (a + d) / self.duration
            return 0.5 * (va + vb) * d
        out = np.zeros_like(a)
        for c, lam in zip(self.coeffs, self.rates, strict=True):
            x = lam * d
            small = np.abs(x) < 1e-4
            e1 = np.where(small, d * (1 + x / 2 + x * x / 6 + x * x * x / 24),
                          _expm1_array(np.where(small, 1.0, x)) / (lam if lam != 0 else 1.0))
            out += (c * np.exp(lam * a) * e1).real
        return out

    def pieces(self) -> tuple[FloatArray, FloatArray]:
        """The cuts at the zero crossings (local times, from 0 to the duration) and the
        signed ∫ f of each piece between them."""
        cuts = np.array([0.0, *self.roots(), self.duration])
        return cuts, self.integrals_between(cuts)

    def abs_integral(self) -> float:
        """∫ |f| dτ, exactly: split at the zero crossings and integrate each piece."""
        return float(np.sum(np.abs(self.pieces()[1])))


@dataclass(frozen=True)
class Pulse:
    """A pulse template: segments on ``[0, duration)``, zero elsewhere, per unit amplitude.

    Gaps (interphase intervals) are simply times no segment covers.

    :param recharged: the last segment is a coupling capacitor's passive recharge: it gives
        back the charge the others delivered, whatever they delivered (a clipped pulse's
        recharge is the smaller one that balances it).
    """

    segments: tuple[Segment, ...]
    label: str = ""
    recharged: bool = False

    def __post_init__(self) -> None:
        last = 0.0
        for s in self.segments:
            if s.duration <= 0 or s.start < last - 1e-15:
                raise ValueError("segments must be ordered, positive and non-overlapping")
            last = s.end

    def __hash__(self) -> int:
        return hash((self.segments, self.label, self.recharged))

    @property
    def duration(self) -> float:
        """From onset to the end of the last segment (s)."""
        return self.segments[-1].end if self.segments else 0.0

    @cached_property
    def charge(self) -> float:
        """Net ∫ f dt (s per unit amplitude; × A gives C)."""
        return sum(s.integral() for s in self.segments)

    @cached_property
    def charge_sq(self) -> float:
        """∫ f² dt (s; × A² × Ω gives J)."""
        return sum(s.integral_sq() for s in self.segments)

    @cached_property
    def _pieces(self) -> tuple[tuple[FloatArray, FloatArray], ...]:
        """Each segment's zero-crossing cuts and piece charges (found once: root finding on a
        long carrier is the costly part)."""
        return tuple(s.pieces() for s in self.segments)

    @cached_property
    def charge_abs(self) -> float:
        """∫ |f| dt (s)."""
        return float(sum(np.sum(np.abs(q)) for _, q in self._pieces))

    @cached_property
    def peak(self) -> float:
        """max |f|."""
        return max((s.peak_abs() for s in self.segments), default=0.0)

    @cached_property
    def phase_charges(self) -> tuple[float, ...]:
        """Signed charge of each phase (s per unit amplitude).

        A phase is a maximal stretch of one sign; a gap or a zero crossing ends it. Adjacent
        segments of the same sign with no gap between them belong to one phase.
        """
        q = np.concatenate([pq for _, pq in self._pieces])
        starts = np.concatenate([s.start + cuts[:-1]
                                 for s, (cuts, _) in zip(self.segments, self._pieces,
                                                         strict=True)])
        ends = np.concatenate([s.start + cuts[1:]
                               for s, (cuts, _) in zip(self.segments, self._pieces,
                                                       strict=True)])
        keep = (q != 0) & (ends > starts)
        q, starts, ends = q[keep], starts[keep], ends[keep]
        if q.size == 0:
            return ()
        sign = np.sign(q)
        new = np.ones(q.size, dtype=bool)
        new[1:] = (sign[1:] != sign[:-1]) | (np.abs(starts[1:] - ends[:-1]) >= 1e-12)
        return tuple(float(x) for x in np.add.reduceat(q, np.nonzero(new)[0]))

    def charge_sq_upto(self, tau: FloatArray) -> FloatArray:
        """∫_0^τ f² dt for each τ (s from the onset), vectorised."""
        tau = np.asarray(tau, dtype=float)
        out = np.zeros_like(tau)
        for s in self.segments:
            out += s.integral_sq_upto(tau - s.start)
        return out

    def sample(self, t: FloatArray) -> FloatArray:
        """Values at times ``t`` (s from the onset); zero outside the segments."""
        t = np.asarray(t, dtype=float)
        out = np.zeros_like(t)
        for s in self.segments:
            m = (t >= s.start) & (t < s.end)
            if np.any(m):
                out[m] = s.value(t[m] - s.start)
        return out

    def clipped(self, limit: float) -> Pulse:
        """This pulse with |f| limited to ``limit``, split exactly where it crosses the limit
        (how a current-controlled output behaves when it runs out of compliance voltage).

        A passive recharge (:attr:`recharged`) gives back what the clipped phases delivered:
        computed from the unclipped phase, it left DBS clipped from 8 to 6 mA with a net
        0.12 µC and a 25 % imbalance (probe of 5 December 2026)."""
        if self.peak <= limit:
            return self
        if self.recharged and len(self.segments) > 1:
            front = Pulse(self.segments[:-1]).clipped(limit)
            back = self.segments[-1]
            given = back.integral()
            k = -front.charge / given if given != 0 else 0.0
            back = Segment(back.start, back.duration, tuple(c * k for c in back.coeffs),
                           back.rates, None if back.linear is None else
                           (back.linear[0] * k, back.linear[1] * k))
            rest = Pulse((back,)).clipped(limit).segments  # never above the limit either
            return Pulse((*front.segments, *rest), label=self.label + " (clipped)",
                         recharged=True)
        out: list[Segment] = []
        for s in self.segments:
            if s.peak_abs() <= limit:
                out.append(s)
                continue
            cuts = sorted({0.0, s.duration, *s.roots(limit), *s.roots(-limit)})
            for a, b in itertools.pairwise(cuts):
                if b - a <= 0:
                    continue
                piece = s.shifted(a, b - a)
                mid = float(piece.value(0.5 * piece.duration))
                if abs(mid) > limit:
                    out.append(Segment.constant(math.copysign(limit, mid), piece.start,
                                                piece.duration))
                else:
                    out.append(piece)
        return Pulse(tuple(out), label=self.label + " (clipped)")
