"""What a person feels under a program of several channels: each channel's own window, the
strongest as the answer, whatever order the file lists them in. The window was the first
channel's alone: the same three channels reordered went from "a strong but comfortable
tingling" to "it would hurt" (probe of 5 December 2026). The body stages are stubbed here
(each channel's sensation given); the stages themselves are checked elsewhere."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import estim.effects.program as fx
from estim.effects.program import EffectsResult
from estim.program import parse_program
from estim.program.options import Sensation
from estim.stimulator.engine import _current_per_unit
from tests.programs import IONTO, TENS, channel, disc, head

_CHANNEL = """
[[channels]]
name = "{name}"
anode = {{ placement = "{a}", shape = "circular", diameter = "2 cm" }}
cathode = {{ placement = "{c}", shape = "circular", diameter = "2 cm" }}
[channels.stimulation]
type = "tens"
mode = "conventional"
amplitude = "{amp}"
frequency = "80 Hz"
pulse_width = "200 us"
duration = "30 min"
"""


def _head(control: str = "current") -> str:
    return f"""name = "three channels"
[device]
control = "{control}"
{'max_current = "100 mA"' if control == "current" else 'max_voltage = "100 V"'}
compliance_voltage = "80 V"
[site]
name = "lower_back"
"""


def _program(channels: list[tuple[str, str, str]], control: str = "current") -> Any:
    return parse_program(_head(control) + "".join(
        _CHANNEL.format(name=n, a=_PADS[s][0], c=_PADS[s][1], amp=a)
        for n, s, a in channels))


#: each side's anode and cathode placements
_PADS = {"left": ("lumbar_left_upper", "lumbar_left_lower"),
         "right": ("lumbar_right_upper", "lumbar_right_lower"),
         "upper": ("lumbar_upper", "lumbar_center")}


# what each channel alone makes a person feel, and how many of 20 find it painful
_FEEL = {"left": (Sensation.STRONG_TINGLING, 3), "right": (Sensation.PAINFUL, 14),
         "middle": (Sensation.STRONG_TINGLING, 0)}


def _stub(program: Any, stimuli: Any, **kw: Any) -> EffectsResult:
    """One channel's effects (the first of ``program``): its sensation from _FEEL."""
    assert kw["each_channel"] is False
    name = program.channels[0].name
    phrase, painful = _FEEL[name]
    people = {Sensation.PAINFUL: painful, phrase: 20 - painful}
    window = SimpleNamespace(
        channel=name, amplitude_a=program.channels[0].stimulation.amplitude.value,
        bands=SimpleNamespace(sensations_at=lambda a: people))
    sensation = SimpleNamespace(sensation=phrase, phrase=str(phrase), words=str(phrase))
    result = EffectsResult(window, sensation, None, None, None, None,  # type: ignore[arg-type]
                           notes=(f"{fx.WINDOW_CHANNEL_NOTE} {name!r} alone; ...", "other"))
    return _with_window_dict(result, name)


def _with_window_dict(result: EffectsResult, name: str) -> EffectsResult:
    window = {"channel": name, "programmed_peak_current_A": result.window.amplitude_a,
              "sensory_threshold_A": 0.005, "motor_threshold_A": 0.03,
              "pain_threshold_A": 0.04}

    class WithDict(EffectsResult):
        def to_dict(self) -> dict[str, Any]:
            return {"sensation_window": window}

    return WithDict(**{f: getattr(result, f) for f in result.__dataclass_fields__})


@pytest.mark.parametrize("order", [("left", "right", "middle"), ("middle", "right", "left"),
                                   ("right", "left", "middle")])
def test_the_strongest_channel_is_the_answer_in_any_order(monkeypatch, order) -> None:
    monkeypatch.setattr(fx, "effects_for_program", _stub)
    sides = {"left": "left", "right": "right", "middle": "upper"}
    amps = {"left": "25 mA", "right": "40 mA", "middle": "10 mA"}
    program = _program([(n, sides[n], amps[n]) for n in order])
    result = fx._each_channel(program, (None,) * 3, [0, 1, 2], progress=None)
    assert result.window.channel == "right"
    assert sorted(o.channel for o in result.others) == ["left", "middle"]
    note = result.notes[0]
    assert note.startswith(f"{fx.WINDOW_CHANNEL_NOTE} 'right', the strongest of the 3")
    assert "'left': strong tingling, no contraction" in note
    # the chosen channel's own "alone" note is replaced, its other notes kept
    assert [n for n in result.notes if n.startswith(fx.WINDOW_CHANNEL_NOTE)] == [note]
    assert "other" in result.notes
    out = [o.to_dict() for o in result.others]  # results.json's effects.other_channels
    assert {o["channel"]: o["sensation"] for o in out} == {
        "left": "strong tingling, no contraction", "middle": "strong tingling, no contraction"}


def test_equal_channels_keep_the_first_and_rank_by_painful_people(monkeypatch) -> None:
    monkeypatch.setattr(fx, "effects_for_program", _stub)
    program = _program([("middle", "upper", "10 mA"), ("left", "left", "25 mA")])
    # both a strong tingling: "left" has 3 of 20 who find it painful, "middle" none
    result = fx._each_channel(program, (None,) * 2, [0, 1], progress=None)
    assert result.window.channel == "left"


def test_which_channels_get_a_window() -> None:
    on_off_on = _program([("a", "left", "25 mA"), ("b", "right", "0 mA"),
                          ("c", "upper", "5 mA")])
    assert fx._own_channels(on_off_on) == [0, 2]
    one = _program([("a", "left", "25 mA"), ("b", "right", "0 mA")])
    assert fx._own_channels(one) == [0]


def test_the_dial_reads_the_window_channels_share(monkeypatch) -> None:
    """The dial sets the first channel and scales the others; a window on the second
    channel, programmed at 40 mA beside the first's 25, is at 1.6 mA per dial mA."""
    program = _program([("left", "left", "25 mA"), ("right", "right", "40 mA")])
    effects = SimpleNamespace(window=SimpleNamespace(channel="right"), program_fields=None)
    result = SimpleNamespace(program=program, effects=effects)
    assert _current_per_unit(result) == pytest.approx(40 / 25, rel=1e-12)  # type: ignore[arg-type]
    effects.window.channel = "left"
    assert _current_per_unit(result) == pytest.approx(1.0, rel=1e-12)  # type: ignore[arg-type]
    off = _program([("left", "left", "0 mA"), ("right", "right", "40 mA")])
    effects.window.channel = "right"  # the first off: the dial sets each channel alike
    result = SimpleNamespace(program=off, effects=effects)
    assert _current_per_unit(result) == pytest.approx(1.0, rel=1e-12)  # type: ignore[arg-type]


class _Class:
    """A fiber class that fires whole at one current (A)."""

    def __init__(self, threshold_a: float) -> None:
        self.threshold_a = threshold_a

    def fraction_at(self, current: Any) -> Any:
        import numpy as np

        return np.atleast_1d(np.asarray(current) >= self.threshold_a).astype(float)


def _window(channel: str, abeta_a: float, adelta_a: float) -> Any:
    from estim.effects.sensation import DEFAULT_SENSATION_CRITERIA

    return SimpleNamespace(
        channel=channel, bands=None, criteria=DEFAULT_SENSATION_CRITERIA,
        muscle=f"{channel} muscle",
        classes={"abeta": _Class(abeta_a), "adelta": _Class(adelta_a), "motor": _Class(1.0)},
        sensory_a=abeta_a, strong_a=abeta_a, motor_a=1.0, pain_a=adelta_a)


def test_the_dial_reads_each_channel_and_names_the_strongest() -> None:
    """The dial read the programmed setting's strongest channel alone: "no sensation" at
    12.5 mA where another channel's 12.5 mA was a strong tingling, and its thresholds were
    that channel's (review of 5 December 2026). Here channel right (40 mA beside left's
    25) is felt at 10 mA and hurts at 30 mA; left is felt at 5 mA and hurts at 100 mA."""
    from estim.stimulator.engine import (
        DialChannel,
        DialModel,
        _lowest,
        _thresholds,
        _window_top,
    )

    program = _program([("left", "left", "25 mA"), ("right", "right", "40 mA")])
    right, left = _window("right", 0.010, 0.030), _window("left", 0.005, 0.100)
    effects = SimpleNamespace(window=right, reach=None, reaches=(), notes=(), dbs=None, dose=None,
                              max_force_N=300.0, program_fields=None)
    result = SimpleNamespace(program=program, effects=effects)
    per_unit = _current_per_unit(result)  # type: ignore[arg-type]
    top = _window_top(result, per_unit)  # type: ignore[arg-type]
    assert top == pytest.approx(0.100, rel=1e-12)  # right is capped at the 100 mA maximum
    other = DialChannel(left, 1.0, 0.100)  # type: ignore[arg-type]
    thresholds = _lowest(_thresholds(right, per_unit), (other,))  # type: ignore[arg-type]
    assert thresholds["sensory"] == pytest.approx(0.005)  # left's, at 5 mA on the dial
    assert thresholds["pain"] == pytest.approx(0.030 / 1.6)  # right's, at 18.75 mA
    safety = SimpleNamespace(at=lambda a: SimpleNamespace(verdict="pass", rules=(),
                                                          at_setting="pass"),
                             ahead=lambda a: None)
    model = DialModel(program=program, setup=None, result=result,  # type: ignore[arg-type]
                      thresholds=thresholds, max_amplitude_a=0.1, unit="A",
                      current_per_unit=per_unit, safety=safety,  # type: ignore[arg-type]
                      others=(other,), window_top_a=top,
                      force_amplitudes=np.array([0.0, 0.1]),
                      force_fractions=np.array([0.0, 0.5]))
    low = model.at(0.006)  # left 6 mA: felt whole; right 9.6 mA: nothing
    assert low.sensation == "strong tingling, no contraction"
    # the force is the window channel's (right's muscle: no motor axon fires there), named
    # as such beside left's sensation (it was dropped there, where estim run gives it;
    # probe of 5 December 2026); the people's twitch is left's muscle's
    assert low.force_fraction == 0.0 and low.force_channel == "right"
    assert low.muscle == "left muscle"
    assert low.reasons[0] == "read under channel left's pads, the strongest of 2 channels here"
    high = model.at(0.020)  # right 32 mA: its Aδ fire
    assert high.sensation == "painful"
    assert high.reasons[0].startswith("read under channel right's pads")
    assert high.force_fraction == 0.0  # right's own muscle: no motor axon fires there
    assert high.muscle == "right muscle"
    assert model.at(0.004).sensation == "no sensation"
    # past the cap: right at 100 mA, not 160 (its 1.6 times the dial's 100 mA)
    assert other.current_at(0.5) == 0.100


def test_another_channels_force_is_kept_and_said() -> None:
    """Two NMES channels: the quadriceps channel's contraction (94.5 N) was dropped where
    the hamstring channel was the stronger sensation (review of 5 December 2026)."""
    from estim.effects.program import OtherChannel
    from estim.report.page import other_channels_words

    force = {"first_contraction_peak_N": 94.5, "max_force_N": 310.9}
    quad = OtherChannel({"channel": "quad", "programmed_peak_current_A": 0.060,
                         "pain_threshold_A": 0.0964, "muscle": "quadriceps"},
                        "contraction, below pain", {"contraction, below pain": 20},
                        force=force)
    data = quad.to_dict()
    assert data["force"] == force
    words = other_channels_words({"other_channels": [data]}, {"channel": "ham"})
    assert words[1].endswith("The first contraction pulls 94.5 N, 30% of the muscle's "
                             "maximal force.")
    assert "Of 20 virtual people, all 20 see the quadriceps contract there." in words[1]
    # its thresholds, those past the device's 100 mA said (the report had the sensation
    # alone, and the terminal a twitch at 107 mA as if the dial reached it; probe of
    # 5 December 2026)
    ham = {"channel": "ham", "programmed_peak_current_A": 0.018, "sensation":
           "light tingling", "sensory_threshold_A": 0.0131, "motor_threshold_A": 0.107,
           "pain_threshold_A": 0.124}
    run = {"safety": {"table": {"channels": [{"channel": "ham", "control": "current",
                                              "maximum_amplitude": 0.100}]}}}
    words = other_channels_words({"other_channels": [ham]}, {"channel": "quad"}, run)
    assert ("Its thresholds there: feels it 13.1 mA; twitch 107 mA, hurts 124 mA: above "
            "the device's 100 mA.") in words[1]
    # a device that drives less than its setting through these pads: that, per channel
    run["effects"] = {"device_reaches": [{"channel": "ham", "reach_A": 0.012,
                                          "bound": "compliance", "bound_value": 5.0}]}
    words = other_channels_words({"other_channels": [ham]}, {"channel": "quad"}, run)
    assert ("feels it 13.1 mA, twitch 107 mA, hurts 124 mA: above the 12 mA its 5 V "
            "compliance drives here") in words[1]


def test_the_intensity_rule_is_the_window_channels() -> None:
    """A TENS channel first took the TENS rule ("the person's strong tingling") for
    thresholds that were a second, NMES channel's (probe of 5 December 2026)."""
    from estim.stimulator.person import Goal, goal_of

    mixed = parse_program(_MIXED)
    assert goal_of(mixed) is Goal.SENSORY  # the first channel's: conventional TENS
    assert goal_of(mixed, "back") is Goal.NMES
    assert goal_of(mixed, "front") is Goal.SENSORY


_NMES = {"type": "nmes", "amplitude": "50 mA", "frequency": "50 Hz", "pulse_width": "300 us",
         "on_time": "10 s", "off_time": "20 s", "ramp_up": "1 s", "ramp_down": "1 s",
         "duration": "20 min"}
_MIXED = (head("TENS and NMES")
          + channel("front", "lumbar_left_upper", "lumbar_left_lower", pad=disc("2 cm"),
                    **{**TENS, "amplitude": "20 mA"})
          + channel("back", "lumbar_right_upper", "lumbar_right_lower", pad=disc("2 cm"),
                    **_NMES))


def test_the_field_picture_says_where_a_channel_stops_at_the_device_maximum() -> None:
    """The dial scales every channel with the first, each capped at the device maximum;
    the field picture grew on linearly and drew a channel at 250 mA on a 100 mA device
    (probe of 5 December 2026). The page is told from which setting that is so."""
    from estim.web.device import _capped_from

    program = _program([("front", "left", "20 mA"), ("back", "right", "50 mA")])
    assert _capped_from(program) == {"capped_from": pytest.approx(0.040),
                                     "capped_channel": "back"}
    alike = _program([("front", "left", "50 mA"), ("back", "right", "20 mA")])
    assert _capped_from(alike) == {"capped_from": None, "capped_channel": None}

    # with the first channel off, the dial is the second's: nothing to cap (it was the
    # first, at 0, and every channel set alike; review of 5 December 2026)
    off = _program([("front", "left", "0 mA"), ("mid", "left", "30 mA"),
                    ("back", "right", "60 mA")])
    # set by 'mid': 'back' at twice it reaches 100 mA at 50 mA on the dial (the first,
    # at 0, read as the dial's gave none)
    assert _capped_from(off) == {"capped_from": pytest.approx(0.050),
                                 "capped_channel": "back"}


def test_the_page_says_the_muscle_away_from_the_cathode() -> None:
    """The terminal and the report say a lateral knee pad's twitch is not its own muscle's;
    the page said nothing (probe of 5 December 2026)."""
    from estim.effects.placement import MUSCLE_AWAY_NOTE
    from estim.web.device import _page_warnings

    note = f"{MUSCLE_AWAY_NOTE} vastus medialis's motor points (about 14 cm round it)"
    model = SimpleNamespace(result=SimpleNamespace(effects=SimpleNamespace(
        notes=("skin-electrode interface 52.4 S/m²", note))))
    assert _page_warnings(model) == [note[0].upper() + note[1:] + "."]  # type: ignore[arg-type]
    model.result.effects = None
    assert _page_warnings(model) == []  # type: ignore[arg-type]


def test_the_page_says_where_small_pads_run_out_of_sampled_afferents() -> None:
    """0.5 cm pads read "first felt 0.51 mA, strong but comfortable 0.51 mA" on the page
    without a word (educator's probe of 7 December 2026): the page says both are where
    every sampled touch fiber fires, outside the calibrated range."""
    from estim.web.device import _page_warnings

    def model(short: tuple[str, ...]) -> Any:
        return SimpleNamespace(result=SimpleNamespace(effects=SimpleNamespace(notes=())),
                               window=SimpleNamespace(short_of_afferents=lambda: short))

    (both,) = _page_warnings(model(("sensory", "strong tingling")))
    assert both.startswith("Under pads this small, first felt and strong but comfortable are "
                           "where every touch fiber the model samples fires")
    assert both.endswith("these figures are outside its range, not predictions.")
    (one,) = _page_warnings(model(("strong tingling",)))
    assert one.startswith("Under pads this small, strong but comfortable is where")
    assert _page_warnings(model(())) == []


def test_the_page_says_what_the_force_figure_leaves_out_at_every_setting() -> None:
    """"Muscle force: 3 % of the muscle's maximum" for Russian current, without a word of
    its short phases (educator's probe of 7 December 2026): the page's notes have the
    force caveats that hold at every dial setting (the rate's, Russian current's), not those
    of the programmed setting alone (the share of axons recruited)."""
    from estim.web.device import _page_warnings

    facts = {"pulse_rate_hz": 50.0, "carrier_hz": 2500.0, "contractions": 10,
             "fatigue_ratio": 1.0, "motor_recruited_fraction": 0.03}
    effects = SimpleNamespace(notes=(), force=object(),
                              to_dict=lambda: {"force": facts})
    model = SimpleNamespace(result=SimpleNamespace(effects=effects), window=None)
    (said,) = _page_warnings(model)  # type: ignore[arg-type]
    assert said.startswith("Russian current's phases are its 2,500 Hz carrier's half-cycles")
    facts.update(carrier_hz=None, pulse_rate_hz=200.0)
    (said,) = _page_warnings(model)  # type: ignore[arg-type]
    assert said.startswith("At 200 pulses a second the twitches are long fused")


def test_the_page_says_when_two_thresholds_are_too_close_to_order() -> None:
    """Modulated TENS at the knee: its twitch and pain, 9 % apart, inside their spread over
    samples of fibers; the page says, as the terminal and the report do, that the model
    cannot say which comes first, in the dial's unit (volts for a voltage dial)."""
    from estim.web.device import _page_warnings

    effects = SimpleNamespace(notes=(), force=None, to_dict=lambda: {
        "sensation_window": {"motor_volleys_fuse": True}})
    model = SimpleNamespace(result=SimpleNamespace(effects=effects), window=None, unit="A",
                            thresholds={"sensory": 0.00402, "strong": 0.00925,
                                        "motor": 0.0334, "pain": 0.0364})
    (said,) = _page_warnings(model)  # type: ignore[arg-type]
    assert said.startswith("A visible contraction (33.4 mA) and pain (36.4 mA) lie 9.0% apart")
    assert said.endswith("so the model cannot say which a person meets first.")
    model.unit, model.thresholds = "V", {"sensory": 40.2, "motor": 334.0, "pain": 364.0}
    (said,) = _page_warnings(model)  # type: ignore[arg-type]
    assert said.startswith("A visible contraction (334 V) and pain (364 V)")
    model.max_amplitude_a = 300.0  # a dial that reaches neither says nothing of them
    assert _page_warnings(model) == []  # type: ignore[arg-type]
    model.max_amplitude_a = 340.0
    assert len(_page_warnings(model)) == 1  # type: ignore[arg-type]
    model.thresholds = {"sensory": 4.85, "motor": 31.0, "pain": 46.0}  # the back's
    assert _page_warnings(model) == []  # type: ignore[arg-type]


def test_a_pulsed_channel_beside_iontophoresis_gets_the_window() -> None:
    """The iontophoresis channel first put the run on its dose alone: no field, and the
    pulsed channel's skin rules judged into 500 Ω (probe of 6 December 2026)."""
    ionto = channel("d", "lumbar_upper", "lumbar_center", pad=disc("4 cm"),
                    **{**IONTO, "amplitude": "2 mA"}, ramp_up="10 s", ramp_down="10 s")
    tens = _program([("a", "left", "25 mA"), ("b", "right", "10 mA")])
    first = parse_program(_head() + ionto + _CHANNEL.format(
        name="a", a=_PADS["left"][0], c=_PADS["left"][1], amp="25 mA"))
    second = parse_program(_head() + _CHANNEL.format(
        name="a", a=_PADS["left"][0], c=_PADS["left"][1], amp="25 mA") + ionto)
    assert fx._own_channels(first) == [1]
    assert fx._own_channels(second) == [0]
    assert fx._own_channels(tens) == [0, 1]
    alone = parse_program(_head() + ionto)
    assert fx._own_channels(alone) == [0]
    # the dose is the iontophoresis channel's in either order: 40 mA·min at 2 mA take
    # Q / I + (ramps) / 2 = 20 min + 10 s, 2 mA over the 4 cm disc's 4π cm², closed forms
    for program in (first, second, alone):
        dose = fx.program_dose(program)
        assert dose is not None and dose.duration_s == pytest.approx(1210.0, rel=1e-12)
        assert dose.current_density_mA_per_cm2 == pytest.approx(2 / (4 * np.pi), rel=1e-12)
    assert fx.program_dose(tens) is None
