"""Fast channel fields for virtual subjects and the live dial: semi-analytic, no mesh.

:func:`channel_potential` answers φ (V per A) of one anode/cathode channel on a limb
(:mod:`estim.fields.cylinder`, Fourier-Bessel series in a layered cylinder) or a planar site
(:mod:`estim.fields.box`, double cosine series in a layered box), with equipotential pads:
a limb channel in 25-80 ms of CPU (benchmarks/fast_fields.py), where the FEM
(:func:`estim.fields.solve_fields`) takes ~2-3 s cold on the forearm.
Checked against the FEM within 2 % on the circular limbs (forearm, upper arm, thigh, calf),
the elliptic knee (its ellipse carried to first order in the eccentricity) and the lower back
(tests/integration/test_fields_fast_fem.py; docs/fields.md has the tables).

    >>> from estim.fields import make_site, place_electrode
    >>> site = make_site("forearm")
    >>> an = place_electrode(site, "forearm_volar_proximal", length=0.05)
    >>> ca = place_electrode(site, "forearm_volar_distal", length=0.05)
    >>> phi = channel_potential(site, an, ca, fat_thickness=6e-3)
    >>> v = phi([[0.03, 0.0, 0.05], [0.03, 0.0, -0.05]])  # V per A, relative to the cathode
    >>> bool(v[0] > v[1] > 0), phi.valid
    (True, True)

Same conventions as :meth:`estim.fields.ChannelField.potential`: world coordinates of the
site (m), current into the anode and out of the cathode, potential relative to the cathode
(the cathode pad's potential is 0), NaN outside the tissue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from estim.errors import InputError
from estim.fields.electrodes import Electrode
from estim.fields.points import as_points, grid_shape
from estim.fields.sites import Site

__all__ = ["ELLIPSE_CHECKED", "FastChannel", "FastMethod", "channel_potential",
           "with_thicknesses"]

FastMethod = Literal["cylinder", "box"]

#: Largest m = (a - b)/(a + b) of an elliptic limb section checked against the FEM (the
#: knee's 0.0476, six pad sets within 1.1 % but for discs a quarter turn apart, see
#: benchmarks/fast_fields.py --ellipses); beyond it ``valid`` is False.
ELLIPSE_CHECKED = 0.048


@dataclass(frozen=True, eq=False)
class FastChannel:
    """φ of one channel per ampere; call it with points (N, 3) m to get V per A.

    :param resistance: anode-to-cathode voltage per ampere (Ω), tissue only (ideal contact).
    :param valid: False where the configuration is outside what the model checks (the note
        says what, and that the FEM covers it); the numbers are still the model's.
    :param note: what was approximated, in words; empty when nothing was.
    :param min_depth: shallowest depth (m) at which the potential is checked against the FEM.
    """

    site: Site
    anode: Electrode
    cathode: Electrode
    method: FastMethod
    resistance: float
    valid: bool
    note: str
    min_depth: float
    _potential: Callable[[NDArray[np.float64]], NDArray[np.float64]] = field(repr=False)

    def __call__(self, points: ArrayLike) -> NDArray[np.float64]:
        return self.potential(points)

    def potential(self, points: ArrayLike) -> NDArray[np.float64]:
        """Potential (V per A, relative to the cathode) at ``points`` (N, 3) m; NaN outside.
        As :meth:`estim.fields.solve.ChannelField.potential`: (3, N) refused, a grid's
        (a, b, 3) points give (a, b) (review of 7 December 2026)."""
        return self._potential(as_points(points)).reshape(grid_shape(points))


def with_thicknesses(site: Site, *, skin_thickness: float | None = None,
                     fat_thickness: float | None = None) -> Site:
    """``site`` with its skin and/or fat layer thickness replaced (m); on a limb the muscle
    refills to the unchanged outer surface, so placed electrodes stay where they are."""
    changes = {"skin": skin_thickness, "fat": fat_thickness}
    layers = []
    for ly in site.layers:
        t = changes.get(ly.tissue)
        if t is not None:
            if not 0 < t < 0.2:
                raise InputError(f"{ly.tissue}_thickness", t, "a thickness between 0 and 0.2 m")
            ly = replace(ly, thickness=float(t))
        layers.append(ly)
    if site.kind == "limb":
        r = min(site.radius_x, site.radius_y)
        fill = r - sum(ly.thickness for ly in layers if ly.tissue != "muscle")
        if fill <= 0:
            raise InputError("site", site.name, "layer thicknesses that fit inside the limb")
        layers = [replace(ly, thickness=fill) if ly.tissue == "muscle" else ly for ly in layers]
    return site.replace(layers=tuple(layers))


def channel_potential(site: Site, anode: Electrode, cathode: Electrode, *,
                      skin_thickness: float | None = None, fat_thickness: float | None = None,
                      step: float = 1.0e-3) -> FastChannel:
    """φ (V per A) of the channel ``anode`` → ``cathode`` on ``site``, semi-analytically.

    :param site: a limb or planar site (brain sites: use the FEM).
    :param anode: where 1 A enters (an :class:`Electrode` placed on ``site``).
    :param cathode: where it leaves; φ is relative to this pad's potential.
    :param skin_thickness: replaces the site's skin thickness (m), e.g. a virtual subject's.
    :param fat_thickness: replaces the site's fat thickness (m).
    :param step: grid spacing of the interpolated potential (m); 1 mm is what is checked.
    :raises InputError: a site or pad the model cannot represent (brain sites, pads not
        aligned with the limb axis or the patch's x/y, lead contacts); use
        :func:`estim.fields.solve_fields`.
    """
    from estim.fields.box import box_channel
    from estim.fields.cylinder import MIN_DEPTH, cylinder_channel

    if site.kind not in ("limb", "planar"):
        raise InputError("site", site.name, "a limb or planar site for the fast solver "
                         "(use estim.fields.solve_fields, the FEM, for this one)")
    site = with_thicknesses(site, skin_thickness=skin_thickness, fat_thickness=fat_thickness)
    notes = []
    valid = True
    for e in (anode, cathode):
        if e.shape not in ("rectangular", "circular"):
            raise InputError("electrode.shape", e.shape, "a rectangular or circular pad for the "
                             "fast solver (use the FEM)")
        if e.interface_conductance is not None:
            valid = False
            notes.append(f"{e.name}: interface conductance ignored (ideal contact); "
                         "the FEM models it")
    if site.kind == "limb":
        a, b = max(site.radius_x, site.radius_y), min(site.radius_x, site.radius_y)
        m = (a - b) / (a + b)
        if m > ELLIPSE_CHECKED:
            # the ellipse is carried to first order in m (ellipse.ellipse_coupling): the
            # remainder grows as m² (0.86 m² of the energy on a closed form), checked
            # against the FEM up to the knee's m = 0.048 only
            valid = False
            notes.append(f"elliptic section (a/b = {a / b:.2f}, m = (a-b)/(a+b) = {m:.3f}) "
                         f"beyond the m = {ELLIPSE_CHECKED} checked against the FEM: the "
                         "ellipse is carried to first order in m; the FEM (solve_fields) "
                         "resolves it")
    try:
        if site.kind == "limb":
            ch = cylinder_channel(site, anode, cathode, step=step)
            method: FastMethod = "cylinder"
        else:
            ch = box_channel(site, anode, cathode, step=step)  # type: ignore[assignment]
            method = "box"
    except ValueError as exc:
        raise InputError("electrodes", f"{anode.name}, {cathode.name}",
                         f"pads the fast solver models ({exc}); use the FEM") from None
    return FastChannel(site, anode, cathode, method, ch.resistance, valid, "; ".join(notes),
                       MIN_DEPTH, ch.potential)
