"""True interferential's beat from the skin in (:func:`estim.report.field_numbers.beat_inward`)
on hand-made sections and fields, where the answer is known in closed form."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from estim.report.field_numbers import beat_inward, beat_inward_text
from estim.report.figures import CrossSection, SectionElectrode


def _fields(a: tuple[float, float, float], b: tuple[float, float, float]) -> SimpleNamespace:
    """Two channels of uniform fields (V/m per A) at 1 A each, which beat."""
    def channel(name: str, e: tuple[float, float, float]) -> SimpleNamespace:
        return SimpleNamespace(name=name, field=lambda x: np.tile(e, (len(x), 1)))

    return SimpleNamespace(channels=[channel("A", a), channel("B", b)], beat=True,
                           currents={"A": 1.0, "B": 1.0})


def _section(kind: str, offset: float) -> CrossSection:
    h = np.linspace(-0.05, 0.05, 11)
    v = np.linspace(-0.05, 0.05, 101) if kind == "coronal" else np.linspace(0.0, 0.04, 81)
    pts = np.zeros((v.size, h.size, 3))
    pts[..., 0] = h[None, :]
    pts[..., 1] = v[:, None]
    pads = tuple(SectionElectrode(c, r, s, s + 0.03, offset_m=offset)
                 for c, r, s in (("A", "anode", 0.01), ("A", "cathode", -0.04),
                                 ("B", "anode", 0.01), ("B", "cathode", -0.04)))
    layers = (("skin", 0.0, 0.002), ("fat", 0.002, 0.01), ("muscle", 0.01, 0.05))
    return CrossSection(kind, h, v, pts, "h", "v", layers, pads,
                        outer_radii_m=(0.05, 0.05) if kind == "coronal" else (0.0, 0.0))


@pytest.mark.parametrize("kind", ["coronal", "longitudinal"])
def test_equal_parallel_fields_beat_in_full_at_every_depth(kind: str) -> None:
    """Two equal, parallel fields sum to twice either and cancel once a beat: the beat's
    amplitude is 2|E| and its modulation depth 1, at every depth (Grossman et al. 2017).
    A pad's offset from a planar section's line of ~1e-18 m is on it (review of 7
    December 2026: the line was left out for 8 of 72 pad pairs on the back)."""
    points = beat_inward(_fields((3.0, 0.0, 0.0), (3.0, 0.0, 0.0)),  # type: ignore[arg-type]
                         _section(kind, 1e-18))
    assert points is not None
    assert [p["tissue"] for p in points] == ["skin", "fat", "muscle"]
    assert [p["depth_m"] for p in points] == pytest.approx(
        [0.001, 0.006, 0.05 if kind == "coronal" else 0.04], abs=1e-3)
    for p in points:
        assert p["beat_V_per_m"] == pytest.approx(6.0)
        assert p["modulation_depth"] == pytest.approx(1.0)
    # the limb's centre is named as such; the back's deepest point is not a centre
    assert [p["centre"] for p in points] == [False, False, kind == "coronal"]
    assert [p["deepest"] for p in points] == [False, False, kind != "coronal"]
    assert ("(the deepest drawn)" in beat_inward_text(points)) is (kind != "coronal")
    assert beat_inward_text(points).endswith("strongest in the skin")


def test_perpendicular_fields_beat_by_grossmans_closed_form() -> None:
    """Perpendicular fields of 4 and 3 V/m: the largest swing over directions is
    2 |E1 × E2| / |E1 − E2| = 2 · 12 / 5 = 4.8 V/m (Grossman et al. 2017, the smaller field
    not within the larger's projection), of a peak of 7 (modulation depth 4.8 / 7)."""
    points = beat_inward(_fields((4.0, 0.0, 0.0), (0.0, 3.0, 0.0)),  # type: ignore[arg-type]
                         _section("coronal", 0.0))
    assert points is not None
    assert points[0]["beat_V_per_m"] == pytest.approx(4.8)
    assert points[0]["modulation_depth"] == pytest.approx(4.8 / 7.0)


def test_no_beat_where_the_pads_are_off_the_section_or_a_channel_is_off() -> None:
    pf = _fields((3.0, 0.0, 0.0), (3.0, 0.0, 0.0))
    assert beat_inward(pf, _section("coronal", 0.02)) is None  # type: ignore[arg-type]
    pf.currents["B"] = 0.0
    assert beat_inward(pf, _section("coronal", 0.0)) is None  # type: ignore[arg-type]


def test_thin_layers_names_do_not_run_into_each_other() -> None:
    """A lead's 0.5 mm of encapsulation and the brain beyond it were named on top of each
    other, "encapsulbrain" (DBS researcher's probe of 7 December 2026): drawn, no two names
    overlap, and a layer as wide as its name keeps the first line."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from estim.report.field_numbers import DepthProfile, depth_profiles_figure

    depth = np.linspace(5e-5, 10e-3, 80)
    profile = DepthProfile("1", "cathode", "lead_contact_1", depth, 1 / depth, 1 / depth**2)
    for layers in ([("encapsulation", 0.5e-3), ("brain", 0.05)],
                   [("skin", 0.2e-3), ("fat", 0.3e-3), ("muscle", 0.2e-3), ("bone", 0.1)]):
        fig = depth_profiles_figure([profile], site_name="stn", layers=layers)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        for ax in fig.axes:
            boxes = [t.get_window_extent(renderer) for t in ax.texts]
            assert len(boxes) == len(layers)
            assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    wide = depth_profiles_figure([profile], site_name="patch",
                                 layers=[("skin", 5e-3), ("fat", 5e-3)])
    assert {t.xyann[1] for t in wide.axes[0].texts} == {1}  # one line: nothing to avoid
    # a last layer of thickness 0 is the rest of the domain: the brain's name sat on the
    # encapsulation's edge, stacked over it (DBS researcher's probe of 7 December 2026)
    rest = depth_profiles_figure([profile], site_name="stn",
                                 layers=[("encapsulation", 0.5e-3), ("brain", 0.0)])
    named = {t.get_text(): t for t in rest.axes[0].texts}
    assert {t.xyann[1] for t in named.values()} == {1}
    assert named["brain"].xy[0] == pytest.approx((0.5 + 10.0) / 2, rel=0.01)  # mm
