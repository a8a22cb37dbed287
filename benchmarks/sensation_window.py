"""The sensation window of every bundled example, and its pulse-width dependence, with the
time each run takes: the tables of docs/effects.md.

    .venv/bin/python benchmarks/sensation_window.py [--examples NAME ...]
        [--widths [EXAMPLE ...] [--classes] [--fibers N] [--seed S] [--scan US,US]]
        [--bands] [--initiation] [--pads [CM ...]] [--pain [EXAMPLE ...]] [--adelta free]
        [--hughes] [--knee] [--bursts] [--kilohertz] [--peroneal] [--spread [EXAMPLE ...]]
        [--seeds N [--recalibrate]] [--abeta-extent] [--abeta-margin CM [--abeta-count N]]
        [--szeto] [--abeta-rate D,S]

Each example goes through ``estim.simulate`` (fields, fibers, effects; the caches in
``$ESTIM_CACHE_DIR`` are used, so run it twice to see the warm time). ``--widths`` adds the
scan of symmetric biphasic pulses from 50 µs to 1 ms under the conventional-TENS pads (lower
back) and the acupuncture-like TENS pads (forearm): the window against pulse width (Alon,
Allin & Inbar 1983) and between a fleshy and a bony-nerve site (Hughes et al. 2013);
``--fibers 960`` takes that many Aβ, Aδ and periosteal Aδ instead of 60, so that the trend is
the model's, not one draw's (``--scan 50,1000``: the two ends, ~1 min each). A study named
alone runs that study; every example's window runs with ``--examples`` or with no study.
``--pain`` shows where the pain criterion sits in the calibration configuration: which sampled
Aδ afferents lie under the cathode and which in the 15 % ring around it, their thresholds,
the fraction the Dölker ratio needs with other assumed pad sizes and pulse widths
(:func:`estim.effects.calibrate.pain_fraction_for_ratio`), and each example's pain threshold
at other fractions (what the criterion's value does to the examples' verdicts).
``--ifc`` compares, at the knee and under the same pads, true interferential current
(both channels superposed at the nerve), its channel A alone, and premodulated current of
the same peak through channel A's pads: thresholds per class and by depth.
``--hughes`` puts the conventional-TENS pads on Hughes, Bennett & Johnson's (2013) five
sites (tibia as bone, waist as fat, lower back as muscle, forearm as nerve, knee as connective
tissue) and compares the window's differences between sites with theirs. ``--knee`` runs
the pads and pulses of knee-TENS studies that state their current (Law & Cheing 2004, Rakel
et al. 2014), with the bands over virtual subjects. ``--bursts`` runs Kaczmarek et al.'s
(1992) 15 Hz bursts of 1 to 20 pulses under the forearm pads: detection, strong tingling,
pain and their ratio against the pulses in a burst. ``--peroneal`` puts bare motor axons on
the common peroneal nerve's course round the fibular neck (not modelled in the window) under
the knee programs' pads and prints their thresholds beside the window's. ``--spread``
gives each threshold's SD / mean over 100 virtual subjects, to set beside people's.
``--abeta-extent`` shows how far beyond the cathode's edge the Aβ afferents fire at the
calibration's detection and strong-tingling currents (a sample reaching 5 cm beyond), and
``--abeta-margin CM`` samples the window's Aβ that far beyond each edge, calibrated again
with it, for every run after it (:data:`estim.effects.placement.ABETA_MARGIN_M`).
``--szeto`` counts the Aβ that fire along Szeto's (1985) contour of equal strength (pulse
width against rate, one current) in the calibration configuration: the temporal summation
of the Aβ counts the contour would need, as a power of the rate; ``--abeta-rate D,S``
applies such a power to the detection and the strong-tingling counts for every run after it
(the stored model sums no Aβ over time).
``--adelta free`` runs everything with the Aδ afferents ending in an unmyelinated free ending
(:class:`estim.effects.populations.AdeltaEnding`) instead of at a myelinated node, the
calibration windows of ``--pain`` included.
``--seeds N`` runs each example (``--examples``, default all) with N samples of fibers
(seeds 0 .. N-1: ``SimulateOptions(seed=...)``) and prints each threshold's spread over
them: how far the answer moves with nothing but the draw of 40-240 fibers per class. With
``--recalibrate`` each draw is first calibrated on its own (the Aβ counts, the Aδ fraction
and the summation time constant on the forearm, the motor branches' factor on the thigh, the
periosteal density on Hughes et al.'s sites: :mod:`estim.effects.calibrate` with ``seed=``;
seed 0 keeps the stored values, which are its own), as the stored model was on seed 0: the
spread of a calibrated model, part of whose draw the calibration absorbs. Those pooled spreads are
:data:`estim.effects.resolution.SAMPLING_CV`, which "too close to call" rests on.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import numpy as np

from estim.effects import calibration, drive, placement, resolution, window
from estim.effects.calibration import CALIBRATION_RATE_HZ
from estim.effects.populations import AdeltaEnding
from estim.effects.program import channel_setup
from estim.effects.resolution import orders_unsettled
from estim.effects.window import sensation_window
from estim.errors import ThinMuscleWarning
from estim.program.bundled import bundled_examples, resolve_program
from estim.program.options import PulseShape, Sensation
from estim.simulate import SimulateOptions, simulate
from estim.waveforms.build import biphasic_pulse, regular_train, stimuli_for


def _ma(x: float) -> str:
    return f"{x * 1e3:.3g}" if np.isfinite(x) else "-"


def examples(names: list[str], bands: bool = False) -> None:
    print("| example | peak (mA) | sensory | motor | pain | predicted | as expected | "
          "not ordered (within a draw's spread) | s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    for name in names:
        t0 = time.perf_counter()
        result = simulate(resolve_program(name)[0])
        fx = result.effects
        w = fx.window if fx is not None else None
        if fx is None or w is None or fx.sensation is None:
            continue
        close = orders_unsettled({"sensory": w.sensory_a, "motor": w.motor_a,
                                  "pain": w.pain_a})
        unordered = ", ".join(f"{a} and {b} (±{f:.0%})" for a, _, b, _, f in close) or "-"
        print(f"| {name} | {_ma(w.amplitude_a)} | {_ma(w.sensory_a)} | {_ma(w.motor_a)} | "
              f"{_ma(w.pain_a)} | {fx.sensation.phrase} | {fx.sensation_as_expected} | "
              f"{unordered} | {time.perf_counter() - t0:.1f} |", flush=True)
        if w.bands is not None:
            b = w.bands
            felt = b.sensations_at(w.amplitude_a)
            rows.append(f"| {name} | " + " | ".join(
                f"{_ma(x.low_a)}–{_ma(x.median_a)}–{_ma(x.high_a)}"
                for x in (b.sensory, b.motor, b.pain)) + " | "
                + " / ".join(str(felt.get(s, 0)) for s in Sensation) + " |")
    if bands:
        print("\nbands over virtual subjects (mA, p10–median–p90), and how many of them feel "
              "nothing / light tingling / strong tingling / a twitch / pain at the programmed "
              "intensity")
        print("| example | sensory | motor | pain | at the programmed intensity |")
        print("| --- | --- | --- | --- | --- |")
        print("\n".join(rows))


def widths(name: str = "tens_conventional", classes: bool = False, *,
           fibers: int | None = None, seed: int = 0,
           scan_us: tuple[float, ...] = (50, 100, 200, 500, 1000)) -> None:
    """The window against the phase width under ``name``'s pads. ``fibers``: that many Aβ
    and Aδ afferents (and periosteal Aδ) instead of the run's 60, so that the trend is the
    model's and not one draw's (the criteria are counts and fractions of the afferents
    there, whatever the sample's size); the last column is pain from the skin's Aδ alone."""
    from estim.effects.window import pain_threshold

    program = resolve_program(name)[0]
    pf, _, _, _ = channel_setup(program, stimuli_for(program))
    counts = None if fibers is None else {"abeta": fibers, "adelta": fibers,
                                          "periosteal": fibers}
    print(f"\n{name} ({pf.site.name}): symmetric biphasic pulses at "
          f"{CALIBRATION_RATE_HZ:g} Hz under its pads, seed {seed}"
          + ("" if fibers is None else f", {fibers} Aβ, Aδ and periosteal Aδ"))
    print("| phase width | sensory (mA) | motor (mA) | pain (mA) | pain / sensory | "
          "pain - sensory (mA) | skin's pain / sensory |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    scan = np.array(scan_us) * 1e-6  # [µs -> s]
    per_class: dict[str, list[np.ndarray]] = {}
    for width in scan:
        pulse = biphasic_pulse(PulseShape.SYMMETRIC_BIPHASIC, width)
        stim = regular_train(pulse, CALIBRATION_RATE_HZ)
        win = sensation_window("pw", stim, pf.channels[0], 1.0, site=pf.site, counts=counts,
                               seed=seed)
        skin = pain_threshold(win.classes, win.criteria, periosteal_ratio=0.0)
        print(f"| {width * 1e6:.0f} µs | {_ma(win.sensory_a)} | {_ma(win.motor_a)} | "
              f"{_ma(win.pain_a)} | {win.pain_a / win.sensory_a:.2f} | "
              f"{_ma(win.pain_a - win.sensory_a)} | {skin / win.sensory_a:.2f} |", flush=True)
        for k, c in win.classes.items():
            per_class.setdefault(k, []).append(c.thresholds_a)
    if classes:
        class_time_constants(scan, per_class)


def class_time_constants(scan: np.ndarray, per_class: dict[str, list[np.ndarray]]) -> None:
    """Weiss time constant of every fiber of each class over the scan (its own thresholds
    at each width), as the median and quartiles over the class."""
    from estim.effects.strength_duration import weiss_fit
    from estim.errors import EstimError

    print("| class | fibers fitted | τSD median (µs) | quartiles (µs) | median threshold at "
          "each width (mA) |")
    print("| --- | --- | --- | --- | --- |")
    for k, rows in per_class.items():
        m = np.stack(rows)
        taus = []
        for i in range(m.shape[1]):
            try:
                taus.append(weiss_fit(scan, m[:, i])[1])
            except EstimError:  # not a Weiss line (or not reached at two widths)
                continue
        med = np.median(np.where(np.isfinite(m), m, np.nan), axis=1)
        q = (f"{np.median(taus) * 1e6:.0f} | {np.percentile(taus, 25) * 1e6:.0f}–"
             f"{np.percentile(taus, 75) * 1e6:.0f}") if taus else "- | -"
        print(f"| {k} | {len(taus)} of {m.shape[1]} | {q} | "
              + " / ".join(_ma(float(x)) for x in med) + " |", flush=True)


def initiation(name: str = "tens_acupuncture") -> None:
    """Where the afferents' action potentials start (the fibers of the window under the
    example's pads, symmetric biphasic pulses of 50 µs and 1 ms): in the terminal branch or
    along the plexus axon, and how their thresholds scale from 1 ms to 50 µs (a larger ratio
    is a longer time constant)."""
    from estim.effects.drive import UnitPulse
    from estim.effects.placement import (
        DEFAULT_COUNTS,
        _inside,
        _make,
        fiber_points,
        sampled_region,
        site_anatomy,
    )
    from estim.effects.populations import sample_fiber_populations
    from estim.fibers import find_thresholds

    program = resolve_program(name)[0]
    pf = channel_setup(program, stimuli_for(program))[0]
    cf = pf.channels[0]
    el = cf.cathode
    pops = {p.fiber_class.value: p for p in sample_fiber_populations(
        seed=0, counts=DEFAULT_COUNTS, region_m=sampled_region(el, "adelta", pf.site),
        abeta_region_m=sampled_region(el, "abeta"), **site_anatomy(pf.site),
        adelta_ending=placement.ADELTA_ENDING)}
    print(f"\n{name} ({pf.site.name}): where the afferents fire (seed 0, 2 % brackets; "
          "a free ending's terminal counts as node 0)")
    print("| class | nodes in the terminal branch (median) | start in the terminal branch "
          "(50 µs) | at the ending node | I(50 µs) / I(1 ms), terminal / elsewhere |")
    print("| --- | --- | --- | --- | --- |")
    for k in ("abeta", "adelta"):
        pop = pops[k]
        fibers, phis, rise_nodes = [], [], []
        for d, p, u, dp in zip(pop.model_diameter_m, pop.position_m, pop.direction,
                               pop.depth_m, strict=True):
            f = _make(pop, float(d))
            fibers.append(f)
            pts = fiber_points(f, p, u, el, pf.site, plexus_depth_m=float(dp))
            phis.append(_inside(np.asarray(cf.potential(pts), float))[0])
            s = np.asarray(f.positions_m) - f.positions_m[0]
            rise_nodes.append(int(np.sum(s[np.asarray(f.node_index)] < dp + p[2])))
        res = {w: find_thresholds(fibers, phis, UnitPulse(biphasic_pulse(
            PulseShape.SYMMETRIC_BIPHASIC, w)), precision=0.02) for w in (50e-6, 1e-3)}
        ratio = np.asarray(res[50e-6].threshold_a) / np.asarray(res[1e-3].threshold_a)
        first = np.array([min(n) if n else -1 for n in res[50e-6].initiation_nodes])
        terminal = (first >= 0) & (first <= np.array(rise_nodes))
        print(f"| {k} | {np.median(rise_nodes):.0f} | {terminal.mean():.0%} | "
              f"{np.mean(first == 0):.0%} | {np.median(ratio[terminal]):.2f} / "
              f"{np.median(ratio[~terminal]) if (~terminal).any() else float('nan'):.2f} |",
              flush=True)


def pad_sizes(sizes_cm: list[float]) -> None:
    """The calibration configuration (the forearm pads of ``tens_acupuncture``, symmetric
    biphasic 100 µs) with square pads of other sizes: how the calibrated criteria transfer."""
    from estim.effects.calibrate import calibration_program

    pulse = biphasic_pulse(PulseShape.SYMMETRIC_BIPHASIC, 100e-6)
    stim = regular_train(pulse, CALIBRATION_RATE_HZ)
    print("\nforearm, 100 µs, square pads (the calibration configuration is 5 cm)")
    print("| pads | Aβ under and around the cathode | detection (mA) | strong | motor | "
          "pain | pain / detection | criteria capped |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in sizes_cm:
        prog = calibration_program(size)
        pf = channel_setup(prog, stimuli_for(prog))[0]
        w = sensation_window("pads", stim, pf.channels[0], 1.0, site=pf.site)
        capped = sum("outside the model's calibrated range" in n for n in w.notes)
        print(f"| {size:g} x {size:g} cm | {(w.available or {}).get('abeta', 0):.0f} | "
              f"{_ma(w.sensory_a)} | {_ma(w.strong_a)} | {_ma(w.motor_a)} | {_ma(w.pain_a)} | "
              f"{w.pain_a / w.sensory_a:.2f} | {capped} |", flush=True)


def pain_criterion(names: list[str]) -> None:
    """Where the calibrated pain criterion falls among the sampled Aδ afferents (forearm,
    5 x 5 cm, 100 µs), how the calibrated fraction depends on the assumed pad size and pulse
    width of the intolerance study, and the examples' pain thresholds at other fractions."""
    from estim.effects.calibrate import calibration_window, pain_fraction_for_ratio
    from estim.effects.placement import DEFAULT_COUNTS, sampled_region, site_anatomy
    from estim.effects.populations import sample_fiber_populations

    win = calibration_window()
    program = resolve_program("tens_acupuncture")[0]
    pf = channel_setup(program, stimuli_for(program))[0]
    cathode = pf.channels[0].cathode
    half = (0.5 * float(cathode.length), 0.5 * float(cathode.width))
    # the window's own sample (same seed, counts, regions and anatomy): where each ending is
    pops = {p.fiber_class.value: p for p in sample_fiber_populations(
        seed=0, counts=DEFAULT_COUNTS, region_m=sampled_region(cathode, "adelta", pf.site),
        abeta_region_m=sampled_region(cathode, "abeta"), **site_anatomy(pf.site))}
    frac = win.criteria.pain_adelta_fraction
    print(f"\ncalibration configuration (forearm, 5 x 5 cm, 100 µs): detection "
          f"{_ma(win.sensory_a)} mA, pain {_ma(win.pain_a)} mA = {frac:.1%} of the Aδ sampled")
    print("| class | sampled | under the cathode | threshold under (median, max) | "
          "in the ring (median) | fibers the criterion needs |")
    print("| --- | --- | --- | --- | --- | --- |")
    for cls, need in (("abeta", win.criteria.sensory_abeta_fraction), ("adelta", frac)):
        pos = pops[cls].position_m
        under = (np.abs(pos[:, 0]) <= half[0]) & (np.abs(pos[:, 1]) <= half[1])
        thr = win.classes[cls].thresholds_a
        print(f"| {cls} | {thr.size} | {int(under.sum())} | {_ma(float(np.median(thr[under])))}"
              f", {_ma(float(np.max(thr[under])))} | {_ma(float(np.median(thr[~under])))} | "
              f"{need * thr.size:.1f} |", flush=True)
        if cls == "adelta":
            ratio = win.pain_a / win.sensory_a
            k = int(np.sum(thr[under] <= win.pain_a))
            print(f"| (Aδ under the cathode firing at pain = {ratio:.2f} x detection: {k} of "
                  f"{int(under.sum())}; the median fires at "
                  f"{float(np.median(thr[under])) / win.sensory_a:.2f} x detection) |")
    print("\nthe Aδ fraction at which pain / detection is Dölker's 3.94 (forearm, square pads)")
    print("| pads, pulse | Aδ fraction |")
    print("| --- | --- |")
    for cm, width in ((3.5, 100e-6), (5.0, 100e-6), (7.5, 100e-6), (5.0, 200e-6),
                      (5.0, 500e-6), (5.0, 1000e-6)):
        print(f"| {cm:g} cm, {width * 1e6:.0f} µs | {pain_fraction_for_ratio(cm, width):.3f} |",
              flush=True)
    fractions = (frac, 0.75, 0.82, 0.90)
    # the pad-size candidate: an absolute count of Aδ, the stored fraction of the Aδ
    # sampled in the calibration configuration
    count = frac * (win.available or {})["adelta"]
    print(f"\npain threshold (mA) of each example with other Aδ fractions, and with a count "
          f"of {count:.0f} Aδ")
    print("| example | programmed | " + " | ".join(f"{f:.3g}" for f in fractions)
          + " | count |")
    print("| --- | --- | " + " | ".join("---" for _ in fractions) + " | --- |")
    for name in names:
        fx = simulate(resolve_program(name)[0]).effects
        w = fx.window if fx is not None else None
        if w is None or "adelta" not in w.classes:
            continue
        adelta = w.classes["adelta"]
        by_count = adelta.amplitude_for(min(1.0, count / (w.available or {})["adelta"]))
        print(f"| {name} | {_ma(w.amplitude_a)} | " + " | ".join(
            _ma(adelta.amplitude_for(f)) for f in fractions) + f" | {_ma(by_count)} |",
            flush=True)


def interferential() -> None:
    from estim.program import parse_program

    text = (bundled_examples()["ifc_true_knee"]).read_text()
    true_ifc = parse_program(text)
    head, _, _ = text.partition("\n[[channels]]\n")
    first = text.split("\n[[channels]]\n")[1]
    premod = parse_program(
        head.replace('name = "True interferential', 'name = "Premodulated interferential')
        + "\n[[channels]]\n"
        + first.replace('mode = "true"', 'mode = "premodulated"').replace('role = "base"\n', "")
        .replace('beat_frequency_max = "120 Hz"\n', "").replace('sweep = "6:6"\n', ""))
    pf = channel_setup(true_ifc, stimuli_for(true_ifc))[0]
    a, b = stimuli_for(true_ifc)
    pm_pf, pm_stim, _, _ = channel_setup(premod, stimuli_for(premod))
    runs = {
        "true (A and B at the nerve)": sensation_window(
            "A", a, pf.channels[0], 0.03, site=pf.site, together=[(b, pf.channels[1])]),
        "channel A alone": sensation_window("A", a, pf.channels[0], 0.03, site=pf.site),
        "premodulated on A's pads": sensation_window("A", pm_stim, pm_pf.channels[0], 0.03,
                                                     site=pm_pf.site),
    }
    print("\nknee, 4 kHz, 30 mA per channel: thresholds (mA of channel A's peak)")
    print("| drive | sensory | motor | pain | motor axons, shallower / deeper half (median) |")
    print("| --- | --- | --- | --- | --- |")
    for label, win in runs.items():
        motor = win.classes["motor"]
        split = float(np.median(motor.depth_m))
        shallow = motor.thresholds_a[motor.depth_m < split]
        deep = motor.thresholds_a[motor.depth_m >= split]
        print(f"| {label} | {_ma(win.sensory_a)} | {_ma(win.motor_a)} | {_ma(win.pain_a)} | "
              f"{_ma(float(np.median(shallow)) if shallow.size else np.nan)} / "
              f"{_ma(float(np.median(deep)) if deep.size else np.nan)} |", flush=True)


def hughes_sites() -> None:
    """The window (pain − detection) at Hughes et al.'s five sites, under the same 5 x 5 cm
    pads 7.5 cm apart and 200 µs pulses (theirs are not in the abstract), against their
    differences between sites; the periosteal density those against the tibia calibrate,
    and the differences at other densities."""
    from estim.effects.anatomy import PERIOSTEAL_DENSITY_RATIO
    from estim.effects.calibrate import (
        calibrate_periosteal_density,
        hughes_program,
        hughes_window_differences,
    )
    from estim.effects.calibration import (
        HUGHES_CALIBRATION_PAIRS,
        HUGHES_SITES,
        HUGHES_WINDOW_DIFFERENCES,
    )
    from estim.effects.window import pain_threshold

    print("\nHughes et al. 2013 sites: 5 x 5 cm pads, 200 µs symmetric biphasic (mA)")
    print("| site | sensory | motor | pain | window (pain − sensory) | without the periosteum |")
    print("| --- | --- | --- | --- | --- | --- |")
    windows = {}
    for label in HUGHES_SITES:
        with warnings.catch_warnings():  # the tibia's thin muscle: its motor axons only
            warnings.simplefilter("ignore", ThinMuscleWarning)
            fx = simulate(hughes_program(label)).effects
        win = fx.window if fx is not None else None
        if win is None:
            continue
        windows[label] = win
        bare = pain_threshold(win.classes, win.criteria, periosteal_ratio=0.0)
        print(f"| {label} | {_ma(win.sensory_a)} | {_ma(win.motor_a)} | {_ma(win.pain_a)} | "
              f"{(win.pain_a - win.sensory_a) * 1e3:.3g} | "
              f"{(bare - win.sensory_a) * 1e3:.3g} |", flush=True)
    calibrated = calibrate_periosteal_density(windows)
    pairs = " and ".join(f"{a} − {b}" for a, b in HUGHES_CALIBRATION_PAIRS)
    print(f"\nperiosteal Aδ per skin Aδ: calibrated on {pairs}: {calibrated:g}; stored "
          f"{PERIOSTEAL_DENSITY_RATIO:g}")
    got = hughes_window_differences(windows)
    print("\n| window difference | Hughes et al. (95 % CI) | model | direction | in the CI | |")
    print("| --- | --- | --- | --- | --- | --- |")
    for a, b, mean, lo, hi in HUGHES_WINDOW_DIFFERENCES:
        d = got[(a, b)]
        role = "calibration" if (a, b) in HUGHES_CALIBRATION_PAIRS else "validation"
        print(f"| {a} − {b} | {mean:+.2f} ({lo:+.2f} to {hi:+.2f}) | {d:+.2f} | "
              f"{'same' if d > 0 else 'opposite'} | {'yes' if lo <= d <= hi else 'no'} | "
              f"{role} |")
    # the same thresholds, pain counted at other densities
    ratios = sorted({0.0, 0.25, 0.5, 1.0, 2.0, PERIOSTEAL_DENSITY_RATIO})
    print("\nPeriosteal Aδ per skin Aδ (PERIOSTEAL_DENSITY_RATIO): window (mA)")
    print("| ratio | " + " | ".join(windows) + " | "
          + " | ".join(f"{a} − {b}" for a, b, *_ in HUGHES_WINDOW_DIFFERENCES) + " |")
    print("| --- " * (1 + len(windows) + len(HUGHES_WINDOW_DIFFERENCES)) + "|")
    for ratio in ratios:
        win_at = {label: (pain_threshold(w.classes, w.criteria, periosteal_ratio=ratio)
                          - w.sensory_a) * 1e3 for label, w in windows.items()}
        diffs = {(a, b): win_at[a] - win_at[b] for a, b, *_ in HUGHES_WINDOW_DIFFERENCES}
        print(f"| {ratio:g} | " + " | ".join(f"{v:.1f}" for v in win_at.values()) + " | "
              + " | ".join(f"{diffs[(a, b)]:+.1f}" for a, b, *_ in HUGHES_WINDOW_DIFFERENCES)
              + " |")


#: Knee TENS studies that state their current, as estim programs on the knee: (label, what
#: people did, anode, cathode, pads, phase width). Law & Cheing 2004 (J Rehabil Med 36:220;
#: Cochrane table of Rutjes et al. 2009): 100 Hz, 200 µs, "up to a comfortable level", 25-35
#: mA, 4.5 x 3.8 cm pads on points around the knee (two of their four below the joint line
#: here). Rakel et al. 2014 (Pain 155:2599; registry NCT01364870): after knee replacement,
#: the highest tolerable, 150 µs, 42 mA on average (pads not read: tens_modulated's).
_KNEE_STUDIES = (
    ("Law & Cheing 2004", "comfortable 25-35 mA", "knee_inferomedial", "knee_inferolateral",
     'shape = "rectangular", width = "3.8 cm", length = "4.5 cm"', "200 us"),
    ("Rakel et al. 2014", "highest tolerable 42 mA", "knee_medial", "knee_lateral",
     'shape = "circular", diameter = "5 cm"', "150 us"),
)


def _knee_study_program(anode: str, cathode: str, shape: str, width: str) -> Any:
    """Conventional TENS at 100 Hz with a knee study's pads and pulse width."""
    from estim.program import parse_program

    text = bundled_examples()["tens_conventional"].read_text()
    pads = 'shape = "rectangular", width = "5 cm", length = "5 cm"'
    return parse_program(
        text.replace('name = "lower_back"', 'name = "knee"').replace(pads, shape)
        .replace("lumbar_left_upper", anode).replace("lumbar_left_lower", cathode)
        .replace('pulse_width = "200 us"', f'pulse_width = "{width}"')
        .replace('frequency = "80 Hz"', 'frequency = "100 Hz"'))


def knee_studies() -> None:
    """The window under the pads and pulses of knee-TENS studies that state their current,
    at 100 Hz symmetric biphasic, with the bands over virtual subjects."""
    print("\nKnee TENS studies: 100 Hz symmetric biphasic (mA; p10-p90 over virtual subjects)")
    print("| study | people | sensory | motor | pain |")
    print("| --- | --- | --- | --- | --- |")
    for label, people, anode, cathode, shape, width in _KNEE_STUDIES:
        program = _knee_study_program(anode, cathode, shape, width)
        fx = simulate(program).effects
        win = fx.window if fx is not None else None
        if win is None:
            continue
        b = win.bands

        def cell(a: float, band: Any) -> str:
            spread = "" if band is None else f" ({_ma(band.low_a)}-{_ma(band.high_a)})"
            return _ma(a) + spread

        print(f"| {label} ({width}) | {people} | {cell(win.sensory_a, b and b.sensory)} | "
              f"{cell(win.motor_a, b and b.motor)} | {cell(win.pain_a, b and b.pain)} |",
              flush=True)


#: Kaczmarek, Webster & Radwin 1992 (IEEE Trans Biomed Eng 39:701, abstract): balanced
#: biphasic bursts at 15 Hz, 350 Hz within a burst, 150 µs phases; 1 to 20 pulses a burst.
_KACZMAREK_PULSES = (1, 2, 6, 12, 20)


def _burst_program(pulses: int) -> Any:
    """Bursts of ``pulses`` as Kaczmarek et al. gave them, under the forearm pads of
    tens_acupuncture (their electrodes are not in the abstract)."""
    from estim.program import parse_program

    text = bundled_examples()["tens_acupuncture"].read_text()
    head = text[:text.index("[channels.stimulation]")]
    return parse_program(head + f"""[channels.stimulation]
type = "tens"
mode = "burst"
amplitude = "20 mA"
frequency = "350 Hz"
burst_frequency = "15 Hz"
pulses_per_burst = {pulses}
pulse_width = "150 us"
pulse = "symmetric_biphasic"
duration = "10 min"
""")


def bursts() -> None:
    """Detection, strong tingling and pain against the pulses in a burst (Kaczmarek et al.
    1992: 6 pulses a burst feel about twice as strong as 1 at the maximal comfortable
    current, with little effect on that current over the detection threshold; Geng et al.
    2011: the perception threshold falls as the pulses grow in number)."""
    print("\nBursts at 15 Hz, 350 Hz within, 150 µs phases, forearm pads (mA)")
    print("| pulses a burst | sensory | strong tingling | pain | pain ÷ sensory |")
    print("| --- | --- | --- | --- | --- |")
    for pulses in _KACZMAREK_PULSES:
        fx = simulate(_burst_program(pulses)).effects
        win = fx.window if fx is not None else None
        if win is None:
            continue
        print(f"| {pulses} | {_ma(win.sensory_a)} | {_ma(win.strong_a)} | {_ma(win.pain_a)} "
              f"| {win.pain_a / win.sensory_a:.3g} |", flush=True)


#: Ward & Lucas-Toumbourou 2007's burst lengths (ms) of a kHz carrier at 50 Hz: one cycle of
#: 4 kHz to continuous; below one cycle of 1 kHz (1 ms) a burst holds no whole cycle.
_WARD_BURSTS_MS = (0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 20.0)


def _kilohertz_program(carrier_hz: float, burst_ms: float) -> Any:
    """50 Hz bursts of a sinusoidal carrier under the forearm pads of tens_acupuncture
    (Ward & Lucas-Toumbourou's electrodes are not in the abstract)."""
    from estim.program import parse_program

    text = bundled_examples()["tens_acupuncture"].read_text()
    head = text[:text.index("[channels.stimulation]")]
    return parse_program(head.replace('max_current = "100 mA"', 'max_current = "200 mA"')
                         + f"""[channels.stimulation]
type = "russian"
amplitude = "20 mA"
carrier_frequency = "{carrier_hz:g} Hz"
burst_frequency = "50 Hz"
burst_duty = {burst_ms * 1e-3 * 50:g}
on_time = "10 s"
off_time = "0 s"
duration = "60 s"
""")


def kilohertz_bursts() -> None:
    """Sensory, motor and pain thresholds against the length of 50 Hz bursts of 1 and 4 kHz
    sinusoidal current (Ward & Lucas-Toumbourou 2007: each threshold falls to a minimum at a
    burst length, its utilization time, ~7 ms for sensory, > 10 ms for motor and >= 20 ms
    for pain tolerance, and the three lie furthest apart with 1-4 ms bursts). Each
    threshold's utilization time here: the shortest burst whose threshold lies within the
    thresholds' 3 % resolution of the 20 ms one's (the model's first action potential can
    only come sooner with a longer burst, so its thresholds fall and level off)."""
    from estim.effects.resolution import EDGE_FRACTION

    for carrier in (4e3, 1e3):
        rows = []
        for burst in _WARD_BURSTS_MS:
            if burst * 1e-3 * carrier < 1 - 1e-9:
                continue  # less than one carrier cycle
            fx = simulate(_kilohertz_program(carrier, burst)).effects
            win = fx.window if fx is not None else None
            if win is not None:
                rows.append((burst, win.sensory_a, win.motor_a, win.pain_a))
        print(f"\n{carrier / 1e3:g} kHz in 50 Hz bursts, forearm pads (mA; the ratios of the "
              "thresholds)")
        print("| burst (ms) | sensory | motor | pain | motor ÷ sensory | pain ÷ sensory "
              "| pain ÷ motor |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for burst, sen, mot, pain in rows:
            print(f"| {burst:g} | {_ma(sen)} | {_ma(mot)} | {_ma(pain)} | {mot / sen:.3g} "
                  f"| {pain / sen:.3g} | {pain / mot:.3g} |", flush=True)
        if rows:
            last = rows[-1]
            said = []
            for k, name in ((1, "sensory"), (2, "motor"), (3, "pain")):
                first = next(b for b, *t in rows if t[k - 1] <= last[k] * (1 + EDGE_FRACTION))
                said.append(f"{name} {first:g} ms")
            print("utilization time (within 3 % of the 20 ms burst's): " + ", ".join(said))


#: Virtual subjects for ``--spread``: enough that SD / mean is known to about ±7 % of itself.
_SPREAD_SUBJECTS = 100


def spread(names: list[str]) -> None:
    """SD / mean of each threshold over :data:`_SPREAD_SUBJECTS` virtual subjects (the
    window's own 20 give it only to ±16 %), and p90 / p10: the between-person spread that
    ``docs/effects.md`` compares with people's."""
    from estim.effects.subjects import with_bands

    print(f"\nSpread over {_SPREAD_SUBJECTS} virtual subjects: SD / mean (p90 / p10), and "
          "the subjects whose Aβ count lies beyond the sampled afferents")
    print("| example | sensory | strong tingling | motor | pain | beyond the sample |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in names:
        program = resolve_program(name)[0]
        if len(program.channels) > 1:
            continue  # one channel's field: the window's own bands cover the rest
        result = simulate(program)
        w = result.effects.window if result.effects is not None else None
        if w is None:
            continue
        pf, _, _, _ = channel_setup(program, stimuli_for(program))
        wide = with_bands(w, pf.channels[0], pf.site, n_subjects=_SPREAD_SUBJECTS)
        if wide.bands is None:
            continue
        cells = []
        for key in ("sensory", "strong", "motor", "pain"):
            x = np.asarray(wide.bands.per_subject[key], float)
            finite = x[np.isfinite(x)]
            if finite.size < x.size:  # an SD over the subjects who reach it would flatter
                cells.append(f"{x.size - finite.size} of {x.size} never reach it")
                continue
            p10, p90 = np.percentile(x, [10, 90])
            cells.append(f"{np.std(x, ddof=1) / np.mean(x):.2f} ({p90 / p10:.2f})")
        beyond = wide.bands.beyond_sample
        print(f"| {name} | " + " | ".join(cells) + " | "
              + (", ".join(f"{what} {len(who)}" for what, who in beyond.items()) or "–")
              + " |",
              flush=True)


#: Where the common peroneal nerve's motor axons are put for ``--peroneal`` (not modelled
#: in the window): it winds round the fibular neck 3-4 cm below the lateral joint line,
#: from behind the fibular head to the front of the leg (estim.effects.anatomy's note).
#: Centre heights below the joint line (m), polar angles (rad; the lateral side is π/2,
#: the back π), depths below the skin (m) and the descent along the limb per length round
#: it are assumptions spanning that course; the axons are 10 and 13 µm α-motor axons.
_PERONEAL_HEIGHTS_M = (-0.025, -0.035, -0.045)
_PERONEAL_ANGLES_RAD = (np.pi / 2 + 0.25, np.pi / 2 + 0.5)
_PERONEAL_DEPTHS_M = (4e-3, 7e-3)
_PERONEAL_DIAMETERS_M = (10e-6, 13e-6)
_PERONEAL_DESCENT = 0.8


def _peroneal_axons(site: Any) -> tuple[list[Any], list[np.ndarray]]:
    """Bare MRG axons along the assumed courses round the fibular neck: cables and world
    compartment centres (m)."""
    from estim.fibers import make_fiber

    a, b = site.radius_x, site.radius_y

    def radius(theta: np.ndarray) -> np.ndarray:
        return a * b / np.hypot(b * np.cos(theta), a * np.sin(theta))

    fibers, points = [], []
    for d in _PERONEAL_DIAMETERS_M:
        for depth in _PERONEAL_DEPTHS_M:
            for z0 in _PERONEAL_HEIGHTS_M:
                for theta0 in _PERONEAL_ANGLES_RAD:
                    fib = make_fiber("mrg", d)
                    s = np.asarray(fib.positions_m, float)
                    s = s - 0.5 * (s[0] + s[-1])
                    round_it = s / np.hypot(1.0, _PERONEAL_DESCENT)  # along the surface
                    theta = theta0 - round_it / (float(radius(np.array([theta0]))[0]) - depth)
                    r = radius(theta) - depth
                    z = z0 - _PERONEAL_DESCENT * round_it
                    fibers.append(fib)
                    points.append(np.column_stack([r * np.cos(theta), r * np.sin(theta), z]))
    return fibers, points


def peroneal() -> None:
    """Thresholds of bare motor axons on the common peroneal nerve's course round the fibular
    neck under each knee program's pads, beside the window's own thresholds. The nerve is
    not in the window: these are what estim's cable model gives an axon lying there with no
    sheath, which at the median nerve reads about ten times low (docs/strength_duration.md)."""
    from estim.effects.drive import superposed, superposed_tstop, time_step, unit_pulse
    from estim.fibers import SolverOptions, find_thresholds

    programs = [(name, resolve_program(name)[0]) for name in ("tens_modulated", "ifc_true_knee")]
    programs += [(label, _knee_study_program(anode, cathode, shape, width))
                 for label, _, anode, cathode, shape, width in _KNEE_STUDIES]
    print("\nBare motor axons round the fibular neck (common peroneal nerve; mA of peak "
          f"current; {len(_PERONEAL_DIAMETERS_M) * len(_PERONEAL_DEPTHS_M)} axons at each of "
          f"{len(_PERONEAL_HEIGHTS_M) * len(_PERONEAL_ANGLES_RAD)} places)")
    print("| program | pads (anode -> cathode) | programmed | window: sensory / motor / pain "
          "| peroneal axons: lowest / median |")
    print("| --- | --- | --- | --- | --- |")
    for label, program in programs:
        stimuli = stimuli_for(program)
        pf, stim, amplitude, _ = channel_setup(program, stimuli)
        cf = pf.channels[0]
        if program.true_interferential:
            other = stimuli[1].with_scale(1.0 / pf.channels[1].resistance) \
                if stimuli[1].unit == "V" else stimuli[1]  # as the window does
            wave: Any = superposed(stim, [other])
            sources = [cf.potential, pf.channels[1].potential]
            tstop = superposed_tstop(wave)
        else:
            wave, sources, tstop = unit_pulse(stim), [cf.potential], None
        fibers, points = _peroneal_axons(pf.site)
        phis = [np.stack([np.asarray(src(p), float) for src in sources]) if len(sources) > 1
                else np.asarray(sources[0](p), float) for p in points]
        thr = find_thresholds(fibers, phis, wave, precision=0.02,
                              options=SolverOptions(dt_s=time_step(wave), tstop_s=tstop)
                              ).threshold_a
        win = simulate(program).effects
        w = win.window if win is not None else None
        ch = program.channels[0]
        window_text = "-" if w is None else \
            f"{_ma(w.sensory_a)} / {_ma(w.motor_a)} / {_ma(w.pain_a)}"
        print(f"| {label} | {ch.anode.placement} -> {ch.cathode.placement} | "
              f"{_ma(amplitude)} | {window_text} | {_ma(float(np.nanmin(thr)))} / "
              f"{_ma(float(np.nanmedian(thr)))} |", flush=True)


#: --abeta-extent: how far beyond the cathode's edge the wide sample of Aβ reaches (m), how
#: many afferents it draws, and the rings it is read in (m beyond the edge).
_EXTENT_MARGIN_M = 0.05
_EXTENT_FIBERS = 480
_EXTENT_RINGS_M = ((-1.0, 0.0), (0.0, 0.0075), (0.0075, 0.015), (0.015, 0.025),
                   (0.025, 0.035), (0.035, 0.05))


def _extent_sample(pad_cm: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    """The calibration configuration with square pads of ``pad_cm``: the Aβ thresholds (A,
    100 µs symmetric biphasic) of a sample reaching 5 cm beyond each edge of the cathode,
    each afferent's distance beyond the edge (m), whether it lies off the anode's side,
    and the cathode."""
    from estim.effects.calibrate import calibration_program
    from estim.effects.placement import site_anatomy
    from estim.effects.populations import sample_fiber_populations
    from estim.effects.window import class_thresholds
    from estim.program.options import PulseShape
    from estim.waveforms.build import biphasic_pulse

    program = calibration_program(pad_cm)
    pf = channel_setup(program, stimuli_for(program))[0]
    cf = pf.channels[0]
    el = cf.cathode
    length, width = float(el.length), float(el.width)
    (pop,) = sample_fiber_populations(
        seed=0, counts={"abeta": _EXTENT_FIBERS}, classes=["abeta"],
        region_m=(length + 2 * _EXTENT_MARGIN_M, width + 2 * _EXTENT_MARGIN_M),
        **site_anatomy(pf.site, el))
    pulse = drive.UnitPulse(biphasic_pulse(PulseShape.SYMMETRIC_BIPHASIC, 100e-6))
    thr = class_thresholds(pop, el, pf.site, cf.potential, pulse).thresholds_a
    pos = np.asarray(pop.position_m)
    beyond = np.maximum(np.abs(pos[:, 0]) - 0.5 * length, np.abs(pos[:, 1]) - 0.5 * width)
    # the anode lies along the limb on one side: its side of the cathode is left out
    anode = np.asarray(cf.anode.position, float) - np.asarray(el.position, float)
    toward = float(np.dot(anode, np.asarray(el.axis, float)))
    if abs(toward) < 0.5 * length:
        raise RuntimeError("the anode does not lie beside the cathode along its axis: its "
                           "side of the cathode cannot be left out")
    away = ~((np.sign(pos[:, 0]) == np.sign(toward)) & (np.abs(pos[:, 0]) > 0.5 * length))
    return np.asarray(thr, float), beyond, away, el


def _ring_cell(fire: np.ndarray, ring: np.ndarray) -> str:
    return f"{int(np.sum(fire[ring]))} ({np.mean(fire[ring]):.0%})" if ring.any() else "-"


def abeta_extent() -> None:
    """Where the Aβ afferents fire round the cathode in the calibration configuration, at
    the detection and strong-tingling currents people report there: a sample reaching
    5 cm beyond each edge, read in rings by the distance beyond the cathode's edge (the
    side toward the anode left out: its own afferents fire there). Then the same on 3.5 and
    7.5 cm pads, each at the current that fires as many of its own pad's afferents as
    strong tingling does under the 5 cm pad: whether the excitation's reach beyond the edge
    follows the pad's size. What :data:`estim.effects.placement.ABETA_MARGIN_M`'s comment
    rests on."""
    from estim.effects.calibration import CALIBRATION_TARGETS
    from estim.effects.placement import sampled_region

    thr, beyond, away, el = _extent_sample(5.0)
    length, width = float(el.length), float(el.width)
    target = {t.name: t.value for t in CALIBRATION_TARGETS}
    currents = {"detection": target["detection"] * 1e-3,
                "strong tingling": target["detection"] * target["strong"] * 1e-3}
    reach = sampled_region(el, "abeta")
    print(f"\nAβ afferents firing round the cathode (calibration configuration: forearm, "
          f"{length * 100:g} x {width * 100:g} cm, 100 µs symmetric biphasic; "
          f"{_EXTENT_FIBERS} afferents to {_EXTENT_MARGIN_M * 100:g} cm beyond each edge, "
          "seed 0; the anode's side left out). The window samples them to "
          f"{(reach[0] - length) * 50:.2f} cm beyond.")
    print("| beyond the cathode's edge | afferents | "
          + " | ".join(f"firing at {k} ({v * 1e3:.2f} mA)" for k, v in currents.items()) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in currents) + " |")
    for lo, hi in _EXTENT_RINGS_M:
        ring = away & (beyond > lo) & (beyond <= hi)
        where = "under the pad" if lo < 0 else f"{lo * 100:g}–{hi * 100:g} cm"
        print(f"| {where} | {int(ring.sum())} | "
              + " | ".join(_ring_cell(thr <= a, ring) for a in currents.values()) + " |",
              flush=True)
    # the same drive on other pads: the share of the pad's own afferents strong tingling fires
    under = away & (beyond <= 0)
    share = float(np.mean(thr[under] <= currents["strong tingling"]))
    cells: dict[float, list[str]] = {}
    drive: dict[float, float] = {}
    for pad_cm in (3.5, 5.0, 7.5):
        t, b, a, _ = _extent_sample(pad_cm)
        mine = np.sort(t[a & (b <= 0)])
        drive[pad_cm] = float(mine[max(0, math.ceil(share * mine.size) - 1)])
        cells[pad_cm] = [_ring_cell(t <= drive[pad_cm], a & (b > lo) & (b <= hi))
                         for lo, hi in _EXTENT_RINGS_M]
    print(f"\nthe same on other square pads, each at the current that fires {share:.0%} of "
          "the afferents under its own pad (strong tingling's share under the 5 cm pad)")
    print("| beyond the cathode's edge | "
          + " | ".join(f"{p:g} cm ({drive[p] * 1e3:.1f} mA)" for p in cells) + " |")
    print("| --- | " + " | ".join("---" for _ in cells) + " |")
    for k, (lo, hi) in enumerate(_EXTENT_RINGS_M):
        where = "under the pad" if lo < 0 else f"{lo * 100:g}–{hi * 100:g} cm"
        print(f"| {where} | " + " | ".join(cells[p][k] for p in cells) + " |", flush=True)


def wider_abeta_sample(margin_cm: float, count: int | None = None) -> None:
    """Sample the Aβ afferents ``margin_cm`` beyond each edge of the cathode for the runs
    that follow (:data:`estim.effects.placement.ABETA_MARGIN_M`), with as many more of them as
    keep their density per cm² over a 5 x 5 cm cathode, and calibrate the Aβ counts, the Aδ
    fraction and the summation time constant again with it in place of the stored values
    (the per-subject spread is left as stored: its calibration takes ~8 min). ``count``:
    that many Aβ instead (a denser sample round small pads)."""
    from estim.effects.calibrate import calibrate, calibrate_pain_summation_tau

    pad = 0.05
    before = placement.DEFAULT_COUNTS["abeta"]
    placement.ABETA_MARGIN_M = margin_cm * 1e-2  # [cm -> m]
    placement.DEFAULT_COUNTS["abeta"] = count if count is not None else round(
        before * (pad + 2 * placement.ABETA_MARGIN_M) ** 2 / (placement._EDGE_MARGIN * pad) ** 2)
    t0 = time.perf_counter()
    counts = calibrate()
    tau = calibrate_pain_summation_tau(pain_adelta_fraction=counts.pain_adelta_fraction)
    print(f"Aβ sampled {margin_cm:g} cm beyond each edge of the cathode "
          f"({placement.DEFAULT_COUNTS['abeta']} afferents, {before} stored); calibrated again: "
          f"{counts}, summation {tau * 1e3:.2f} ms; stored {window.CALIBRATED_COUNTS}, "
          f"{calibration.PAIN_SUMMATION_TAU_S * 1e3:.2f} ms ({time.perf_counter() - t0:.0f} s)",
          flush=True)
    window.CALIBRATED_COUNTS, calibration.PAIN_SUMMATION_TAU_S = counts, tau


#: Szeto's (1985) pulse rates (pulses/s) and the fit they gave for equal strength: a
#: comparison's width (µs) against a 200 µs standard at 10 or 20 pulses/s, at one current.
_SZETO_RATES = (1.0, 3.0, 10.0, 20.0, 30.0, 100.0)


def _szeto_width_s(rate_hz: float) -> float:
    """log PW = 2.82 - 0.412 log PR (PW in µs, PR in pulses/s; Szeto 1985, abstract)."""
    return float(10.0 ** (2.82 - 0.412 * math.log10(rate_hz)) * 1e-6)


def szeto() -> None:
    """The Aβ afferents firing along Szeto's (1985) contour of equal strength, at one current,
    in the calibration configuration: what temporal summation of the Aβ counts would have to
    make up between rates for the contour to hold. At the current that fires the detection
    (and the strong-tingling) count at 100 pulses/s of the contour's 99 µs, the count fired
    by each rate's width; the ratio to the count at 100 pulses/s is the summation that rate
    lacks. A power of the rate, counts x (100 / rate)^a, is fitted to the ratios (least
    squares in logs, through 100 pulses/s); Szeto's current is not in the abstract, so the
    table is given at both counts."""
    from estim.effects.calibrate import calibration_window

    counts = window.CALIBRATED_COUNTS
    wins = {r: calibration_window(phase_s=_szeto_width_s(r), rate_hz=r) for r in _SZETO_RATES}
    ref = wins[100.0]
    available = ref.available["abeta"]
    print(f"\nAβ firing along Szeto's contour of equal strength (forearm pads, symmetric "
          f"biphasic, {available:.0f} Aβ under and around the cathode)")
    print("| pulses/s | width (µs) | at the detection count's current | ratio | at the strong "
          "count's current | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    rows: dict[float, list[str]] = {r: [] for r in _SZETO_RATES}
    exponents = []
    for level in (counts.detection_abeta, counts.strong_abeta):
        current = ref.classes["abeta"].amplitude_for(level / available)
        x, y = [], []
        for r, w in wins.items():
            n = float(w.classes["abeta"].fraction_at(current)[0]) * w.available["abeta"]
            rows[r] += [f"{n:.0f} ({_ma(current)} mA)", f"{n / level:.3g}"]
            x.append(math.log(100.0 / r))
            y.append(math.log(n / level))
        a = float(np.dot(x, y) / np.dot(x, x))
        worst = max(abs(math.exp(yi - a * xi) - 1.0) for xi, yi in zip(x, y, strict=True))
        exponents.append((a, worst))
    for r in _SZETO_RATES:
        print(f"| {r:g} | {_szeto_width_s(r) * 1e6:.0f} | " + " | ".join(rows[r]) + " |")
    for what, (a, worst) in zip(("detection", "strong tingling"), exponents, strict=True):
        print(f"at {what}: counts x (100 / rate)^{a:.3f} (the fit misses a ratio by up to "
              f"{worst * 100:.0f} %)")
    print(f"a count near the {available:.0f} sampled is capped: the ratios there are low",
          flush=True)


def rate_summed_counts(detection_exponent: float, strong_exponent: float) -> None:
    """For the runs that follow, the Aβ counts of detection and of strong tingling times
    (100 / rate)^exponent, the rate being the program's volleys in its first second (its events per
    cycle's seconds for a program slower than 1 Hz): temporal summation of the Aβ as a
    power of the rate, to see what :func:`szeto`'s exponents do to the examples. The stored
    model has none."""
    plain_volleys, plain_criteria = window.volleys, window.criteria_from_counts
    rate = [CALIBRATION_RATE_HZ]

    def volleys(stim: Any, window_s: float = drive.VOLLEY_WINDOW_S) -> Any:
        v = plain_volleys(stim, window_s)
        n = len(v.times_s)
        rate[0] = n / window_s if n > 1 else min(1.0 / window_s,
                                                 len(stim.onsets_s) / stim.cycle_s)
        return v

    def criteria(counts: Any, available: Any, *, pain_rate_factor: float = 1.0) -> Any:
        r = CALIBRATION_RATE_HZ / rate[0]
        summed = calibration.SensationCounts(counts.detection_abeta * r ** detection_exponent,
                                             counts.strong_abeta * r ** strong_exponent,
                                             counts.pain_adelta_fraction)
        print(f"  [{rate[0]:.3g} volleys/s: Aβ counts {summed.detection_abeta:.0f} and "
              f"{summed.strong_abeta:.0f} of {available['abeta']:.0f}]", flush=True)
        return plain_criteria(summed, available, pain_rate_factor=pain_rate_factor)

    # the window's criteria, and the virtual subjects' bands (which import it from
    # calibration where they run) alike
    window.volleys, window.criteria_from_counts = volleys, criteria
    calibration.criteria_from_counts = criteria
    print(f"Aβ counts summed over time: detection x (100 / rate)^{detection_exponent:g}, "
          f"strong tingling x (100 / rate)^{strong_exponent:g}", flush=True)


@contextmanager
def _calibrated(seed: int) -> Iterator[None]:
    """The model calibrated on draw ``seed`` (its Aβ counts, Aδ fraction, summation time
    constant, motor branch factor and periosteal density) in place of the stored seed-0
    values, for the runs inside; seed 0 keeps the stored ones. Only what ``estim.simulate``
    reads is replaced (``estim.sweep``'s points read
    ``estim.effects.calibration.CALIBRATED_COUNTS``)."""
    from estim.effects import sensation
    from estim.effects.calibrate import (
        calibrate,
        calibrate_motor_branch_factor,
        calibrate_pain_summation_tau,
        calibrate_periosteal_density,
    )

    stored = (window.CALIBRATED_COUNTS, calibration.PAIN_SUMMATION_TAU_S,
              placement.MOTOR_BRANCH_DIAMETER_FACTOR, window.PERIOSTEAL_DENSITY_RATIO)
    if seed:
        t0 = time.perf_counter()
        counts = calibrate(seed=seed)
        tau = calibrate_pain_summation_tau(seed=seed,
                                           pain_adelta_fraction=counts.pain_adelta_fraction)
        factor = calibrate_motor_branch_factor(seed=seed)
        window.CALIBRATED_COUNTS, calibration.PAIN_SUMMATION_TAU_S = counts, tau
        placement.MOTOR_BRANCH_DIAMETER_FACTOR = factor
        # the periosteal density last: Hughes's windows with this draw's other values
        density = calibrate_periosteal_density(seed=seed)
        window.PERIOSTEAL_DENSITY_RATIO = sensation.PERIOSTEAL_DENSITY_RATIO = density
        print(f"  seed {seed} calibrated: {counts}, summation {tau * 1e3:.2f} ms, motor "
              f"branches {factor:.3f}, periosteal density {density:.2f} "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
    try:
        yield
    finally:
        (window.CALIBRATED_COUNTS, calibration.PAIN_SUMMATION_TAU_S,
         placement.MOTOR_BRANCH_DIAMETER_FACTOR, window.PERIOSTEAL_DENSITY_RATIO) = stored
        sensation.PERIOSTEAL_DENSITY_RATIO = stored[3]


def seed_spread(names: list[str], n_seeds: int, recalibrate: bool = False) -> None:
    """Each example's sensory, motor and pain thresholds over ``n_seeds`` samples of fibers,
    and the spread (SD / mean) pooled over the examples as a root mean square; with
    ``recalibrate``, each sample with the model calibrated on it (:func:`_calibrated`)."""
    print(f"thresholds over {n_seeds} samples of fibers (seeds 0-{n_seeds - 1}"
          f"{', each calibrated on its own' if recalibrate else ''}; mA: seed 0, mean, "
          "min-max, SD/mean)")
    runs_by_seed: dict[int, dict[str, tuple[float, float, float]]] = {}
    programs = {name: resolve_program(name)[0] for name in names}
    for seed in range(n_seeds):  # one calibration per draw, every example with it
        with _calibrated(seed) if recalibrate else nullcontext():  # or the stored values
            for name, program in list(programs.items()):
                fx = simulate(program, options=SimulateOptions(seed=seed)).effects
                w = fx.window if fx is not None else None
                if w is None:  # no window for this program (DBS, iontophoresis): no more draws
                    del programs[name]
                    continue
                runs_by_seed.setdefault(seed, {})[name] = (w.sensory_a, w.motor_a, w.pain_a)
    print("| example | sensory | motor | pain |")
    print("| --- | --- | --- | --- |")
    keys = ("sensory", "motor", "pain")
    spreads: dict[str, list[float]] = {k: [] for k in keys}
    for name in names:
        runs = [runs_by_seed.get(seed, {}).get(name) for seed in range(n_seeds)]
        if any(r is None for r in runs):  # no window for this program (DBS, iontophoresis)
            continue
        cells = []
        for k, col in zip(keys, np.array(runs).T, strict=True):
            if not np.all(np.isfinite(col)):
                cells.append("not reached in every sample")
                continue
            cv = float(np.std(col, ddof=1) / np.mean(col))
            spreads[k].append(cv)
            cells.append(f"{_ma(col[0])}, {_ma(np.mean(col))} ({_ma(np.min(col))}–"
                         f"{_ma(np.max(col))}), {cv:.1%}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    print("\npooled SD/mean (root mean square over the examples): " + ", ".join(
        f"{k} {np.sqrt(np.mean(np.square(v))):.3f} ({len(v)} examples)"
        for k, v in spreads.items() if v) + f"; stored: {resolution.SAMPLING_CV}")


def _two_or_more(text: str) -> int:
    """``--seeds``: a spread needs at least two samples."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 2:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a whole number of samples, "
                                         "2 or more")
    return n


def _two_exponents(text: str) -> tuple[float, float]:
    try:
        d, s = (float(x) for x in text.split(","))
    except ValueError:
        d = s = math.nan
    if not (0 <= d <= 2 and 0 <= s <= 2):
        raise argparse.ArgumentTypeError(f"got {text!r}, expected two exponents 0-2 for "
                                         "detection and strong tingling, as 0.2,0.1")
    return d, s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", nargs="*", default=None)
    parser.add_argument("--widths", nargs="*", default=None, metavar="EXAMPLE",
                        help="pulse-width scan under these examples' pads (default: "
                             "tens_conventional, lower back, and tens_acupuncture, forearm)")
    parser.add_argument("--fibers", type=int, default=None, metavar="N",
                        help="with --widths: N Aβ, Aδ and periosteal Aδ instead of 60 (960: "
                             "the model's trend, not one draw's; ~1 min a width)")
    parser.add_argument("--seed", type=int, default=0, help="with --widths: the sample's seed")
    parser.add_argument("--scan", type=lambda t: tuple(float(v) for v in t.split(",")),
                        default=(50, 100, 200, 500, 1000), metavar="US,US",
                        help="with --widths: the phase widths in µs (default 50,100,200,500,"
                             "1000)")
    parser.add_argument("--ifc", action="store_true")
    parser.add_argument("--classes", action="store_true",
                        help="with --widths: each class's own strength-duration time constant")
    parser.add_argument("--initiation", action="store_true",
                        help="where the afferents' action potentials start (forearm pads)")
    parser.add_argument("--pads", nargs="*", type=float, default=None, metavar="CM",
                        help="the calibration configuration with square pads of these sizes "
                             "(default 2.5 3.5 5 7.5 cm)")
    parser.add_argument("--pain", nargs="*", default=None, metavar="EXAMPLE",
                        help="where the pain criterion falls among the Aδ afferents, and "
                             "these examples' pain at other fractions (default: all)")
    parser.add_argument("--hughes", action="store_true",
                        help="the window at Hughes et al. 2013's five sites (bone, fat, "
                             "muscle, nerve, connective tissue) against their differences")
    parser.add_argument("--knee", action="store_true",
                        help="the window under the pads and pulses of knee-TENS studies that "
                             "state their current (Law & Cheing 2004, Rakel et al. 2014)")
    parser.add_argument("--bursts", action="store_true",
                        help="detection, strong tingling and pain against the pulses in a "
                             "burst (Kaczmarek et al. 1992's bursts, forearm pads)")
    parser.add_argument("--kilohertz", action="store_true",
                        help="sensory, motor and pain against the length of 50 Hz bursts of "
                             "1 and 4 kHz (Ward & Lucas-Toumbourou 2007, forearm pads)")
    parser.add_argument("--spread", nargs="*", default=None, metavar="EXAMPLE",
                        help="SD / mean of each threshold over 100 virtual subjects "
                             "(default: every one-channel transcutaneous example)")
    parser.add_argument("--peroneal", action="store_true",
                        help="bare motor axons on the common peroneal nerve's course round "
                             "the fibular neck under the knee programs' pads (not modelled "
                             "in the window)")
    parser.add_argument("--abeta-extent", action="store_true",
                        help="where the Aβ afferents fire round the cathode at detection "
                             "and strong tingling (calibration configuration, a wide sample)")
    parser.add_argument("--abeta-margin", type=float, default=None, metavar="CM",
                        help="sample the Aβ this far beyond each edge of the cathode, with "
                             "the counts, the Aδ fraction and the summation calibrated again "
                             "(every run after it)")
    parser.add_argument("--abeta-count", type=int, default=None, metavar="N",
                        help="with --abeta-margin: this many Aβ (default: their density "
                             "per cm² round a 5 x 5 cm cathode kept)")
    parser.add_argument("--szeto", action="store_true",
                        help="the Aβ firing along Szeto 1985's contour of equal strength "
                             "(rate against width), and the summation it asks for")
    parser.add_argument("--abeta-rate", type=_two_exponents, default=None, metavar="D,S",
                        help="the Aβ counts of detection and strong tingling times "
                             "(100 / rate)^D and ^S (every run after it; stored: 0,0)")
    parser.add_argument("--bands", action="store_true",
                        help="also print each example's bands over virtual subjects")
    parser.add_argument("--seeds", type=_two_or_more, default=None, metavar="N",
                        help="each example's thresholds over N samples of fibers (instead of "
                             "the one table), and their spread")
    parser.add_argument("--recalibrate", action="store_true",
                        help="with --seeds: calibrate the model on each sample first, as the "
                             "stored values were on seed 0")
    parser.add_argument("--adelta", choices=[e.value for e in AdeltaEnding], default=None,
                        help="how the Aδ afferents end (default: the window's own, "
                             f"{placement.ADELTA_ENDING.value})")
    args = parser.parse_args()
    if args.recalibrate and args.seeds is None:
        parser.error("--recalibrate: got it without --seeds, expected --seeds N with it")
    if args.adelta is not None:
        placement.ADELTA_ENDING = AdeltaEnding(args.adelta)
        print(f"Aδ ending: {placement.ADELTA_ENDING.value}")
    warnings.simplefilter("ignore")  # model-range notes are in the results, not needed here
    if args.abeta_count is not None and (args.abeta_margin is None
                                         or not 1 <= args.abeta_count <= 5000):
        parser.error(f"--abeta-count: got {args.abeta_count}, expected 1-5000 with "
                     "--abeta-margin")
    if args.abeta_margin is not None:
        if not 0 < args.abeta_margin <= 10:
            parser.error(f"--abeta-margin: got {args.abeta_margin:g}, expected cm in (0, 10]")
        wider_abeta_sample(args.abeta_margin, args.abeta_count)
    if args.abeta_rate is not None:
        rate_summed_counts(*args.abeta_rate)
    names = args.examples or sorted(bundled_examples())  # --examples alone: all of them
    # another study alone runs that study, not every example's window first (minutes)
    studies = (args.widths, args.pads, args.pain, args.spread, args.initiation, args.ifc,
               args.hughes, args.knee, args.bursts, args.peroneal, args.abeta_extent,
               args.szeto, args.kilohertz)
    if args.seeds is not None:
        seed_spread(names, args.seeds, recalibrate=args.recalibrate)
    elif args.examples is not None or args.bands or not any(
            v is not None and v is not False for v in studies):
        examples(names, bands=args.bands)
    if args.widths is not None:
        for name in args.widths or ["tens_conventional", "tens_acupuncture"]:
            widths(name, classes=args.classes, fibers=args.fibers, seed=args.seed,
                   scan_us=args.scan)
    if args.initiation:
        initiation()
    if args.pads is not None:
        pad_sizes(args.pads or [2.5, 3.5, 5.0, 7.5])
    if args.ifc:
        interferential()
    if args.pain is not None:
        pain_criterion(args.pain or sorted(bundled_examples()))
    if args.hughes:
        hughes_sites()
    if args.knee:
        knee_studies()
    if args.bursts:
        bursts()
    if args.kilohertz:
        kilohertz_bursts()
    if args.spread is not None:
        spread(args.spread or names)
    if args.peroneal:
        peroneal()
    if args.abeta_extent:
        abeta_extent()
    if args.szeto:
        szeto()


if __name__ == "__main__":
    main()
