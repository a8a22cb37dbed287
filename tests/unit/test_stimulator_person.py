"""The person model: two factors fitted in log space to a person's marks."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import pytest

from estim.errors import InputError
from estim.program.bundled import resolve_program
from estim.program.model import Program
from estim.stimulator import Marks, PersonFit, fit_person
from estim.stimulator.person import HABITUATION, Goal, goal_of

#: A model's thresholds (A) shaped like the conventional-TENS window estim computes.
T = {"sensory": 0.0047, "strong": 0.0091, "motor": 0.0157, "pain": 0.0232}


@dataclass
class Model:
    """A stand-in for a DialModel: what the person model reads."""

    thresholds: dict[str, float] = field(default_factory=lambda: dict(T))
    program: Program | None = None
    max_amplitude_a: float = 0.1
    unit: str = "A"
    safety_ceiling_a: float = math.inf


def _program(name: str) -> Program:
    return resolve_program(name)[0]


def test_recovers_known_factors_from_marks_the_model_generated() -> None:
    k_c, k_m, k_p = 1.37, 0.81, 1.6
    marks = Marks(first_felt=k_c * T["sensory"], strong=k_c * T["strong"],
                  twitch=k_m * T["motor"], too_much=k_p * T["pain"])
    fit = fit_person(Model(), marks)
    # exact data: the closed-form fit returns the factors to round-off
    assert fit.cutaneous_factor == pytest.approx(k_c, rel=1e-12)
    assert fit.motor_factor == pytest.approx(k_m, rel=1e-12)
    assert fit.pain_factor == pytest.approx(k_p, rel=1e-12)
    assert fit.motor_from_twitch and fit.pain_from_mark
    assert all(abs(r) < 1e-12 for r in fit.residuals.values())
    assert fit.window(Model())["pain"] == pytest.approx(k_p * T["pain"], rel=1e-12)


def test_noisy_marks_give_the_geometric_mean_and_residuals_that_sum_to_zero() -> None:
    noise = {"first_felt": 1.10, "strong": 0.90, "too_much": 1.05}
    marks = Marks(first_felt=2 * T["sensory"] * noise["first_felt"],
                  strong=2 * T["strong"] * noise["strong"],
                  too_much=2 * T["pain"] * noise["too_much"])
    fit = fit_person(Model(), marks)
    # least squares of one log offset = the mean log ratio = the geometric mean of ratios;
    # the too-much mark has a factor of its own (people's pain varies on its own)
    expected = 2 * (noise["first_felt"] * noise["strong"]) ** (1 / 2)
    assert fit.cutaneous_factor == pytest.approx(expected, rel=1e-12)
    assert fit.pain_factor == pytest.approx(2 * noise["too_much"], rel=1e-12)
    assert sum(fit.residuals.values()) == pytest.approx(0.0, abs=1e-12)
    assert fit.residuals["first_felt"] == pytest.approx(
        math.log(noise["first_felt"] * 2 / expected), rel=1e-9)
    # without a too-much mark pain takes the skin's factor, and the fit says so
    plain = fit_person(Model(), Marks(first_felt=marks.first_felt, strong=marks.strong))
    assert plain.pain_factor == plain.cutaneous_factor and not plain.pain_from_mark
    assert any("no 'too much' mark" in n for n in plain.notes)
    # a fit stored before the pain factor reads back with pain on the skin's factor
    old = {k: v for k, v in fit.to_dict().items() if not k.startswith("pain_")}
    back = PersonFit.from_dict(old)
    assert back.pain_factor == back.cutaneous_factor and not back.pain_from_mark
    assert PersonFit.from_dict(fit.to_dict()) == fit
    # no twitch mark: the motor factor is the cutaneous one, and the fit says so
    assert fit.motor_factor == fit.cutaneous_factor and not fit.motor_from_twitch
    assert any("no twitch" in n for n in fit.notes)


def test_the_window_carries_to_another_program_through_its_own_thresholds() -> None:
    fit = fit_person(Model(), Marks(first_felt=1.5 * T["sensory"], strong=1.5 * T["strong"],
                                    twitch=0.7 * T["motor"]))
    # another pulse width: the model's own strength-duration moved every threshold
    other = Model(thresholds={"sensory": 0.003, "strong": 0.006, "motor": 0.009,
                              "pain": 0.02})
    w = fit.window(other)
    assert w["sensory"] == pytest.approx(1.5 * 0.003)
    assert w["strong"] == pytest.approx(1.5 * 0.006)
    assert w["motor"] == pytest.approx(0.7 * 0.009)
    assert w["pain"] == pytest.approx(1.5 * 0.02)


@pytest.mark.parametrize(("kwargs", "field_name"), [
    ({"first_felt": 0.01, "strong": 0.005}, "marks.strong"),
    ({"first_felt": 0.005, "strong": 0.005}, "marks.strong"),
    ({"first_felt": 0.005, "strong": 0.01, "too_much": 0.009}, "marks.too_much"),
    ({"first_felt": 0.005, "strong": 0.01, "twitch": 0.03, "too_much": 0.02}, "marks.twitch"),
    ({"first_felt": -0.001, "strong": 0.01}, "marks.first_felt"),
    ({"first_felt": float("nan"), "strong": 0.01}, "marks.first_felt"),
    ({"first_felt": 0.005, "strong": True}, "marks.strong"),
    ({"first_felt": 0.005, "strong": 0.01, "twitch": 0.0}, "marks.twitch"),
])
def test_disordered_or_bad_marks_are_refused_naming_the_mark(kwargs: dict[str, float],
                                                            field_name: str) -> None:
    with pytest.raises(InputError) as caught:
        Marks(**kwargs)
    assert caught.value.field == field_name


def test_marks_beyond_the_dial_or_without_a_window_are_refused() -> None:
    with pytest.raises(InputError, match=r"marks\.too_much.*device maximum"):
        fit_person(Model(), Marks(first_felt=0.005, strong=0.01, too_much=0.2))
    with pytest.raises(InputError, match="sensation window"):
        fit_person(Model(thresholds={}), Marks(first_felt=0.005, strong=0.01))


def test_a_mark_the_model_never_reaches_is_left_out_and_said() -> None:
    t = dict(T, motor=math.inf)
    fit = fit_person(Model(thresholds=t), Marks(first_felt=T["sensory"], strong=T["strong"],
                                                twitch=0.02))
    assert "twitch" not in fit.residuals and not fit.motor_from_twitch
    assert any("twitch" in n for n in fit.notes)


def test_goals_follow_the_modality_and_mode() -> None:
    assert goal_of(_program("tens_conventional")) is Goal.SENSORY
    assert goal_of(_program("tens_acupuncture")) is Goal.MOTOR_TENS
    assert goal_of(_program("tens_burst")) is Goal.MOTOR_TENS
    assert goal_of(_program("nmes_quadriceps")) is Goal.NMES
    assert goal_of(_program("russian_quadriceps")) is Goal.NMES
    assert goal_of(_program("microcurrent_face")) is Goal.PROGRAM


def test_recommendations_follow_their_rules() -> None:
    fit = fit_person(Model(), Marks(first_felt=T["sensory"], strong=T["strong"]))
    sensory = fit.recommendation(Model(program=_program("tens_conventional")))
    assert sensory.amplitude_a == pytest.approx(T["strong"])  # strong, below motor
    assert "strong but comfortable" in sensory.rule and "Johnson" in sensory.source
    # a person whose strong lies above their motor threshold: capped at 95 % of motor
    crowded = Model(program=_program("tens_conventional"),
                    thresholds=dict(T, motor=0.008))
    assert fit.recommend(crowded) == pytest.approx(0.95 * 0.008)
    assert fit.recommendation(crowded).limited_by == "the person's twitch"
    assert sensory.limited_by == ""
    # a person who twitches before they feel it (twitch marked below first felt): the
    # recommendation under the twitch is one they do not feel, and both say so
    early = fit_person(Model(), Marks(first_felt=0.005, strong=0.015, twitch=0.004))
    tens = Model(program=_program("tens_conventional"))
    rec = early.recommendation(tens)
    assert rec.amplitude_a == pytest.approx(0.95 * early.window(tens)["motor"])
    assert rec.amplitude_a < early.window(tens)["sensory"]
    assert "comes before they feel it" in rec.limited_by
    assert any("twitches before they feel" in n for n in early.notes)
    # marks at 99, 99.5 and 100 mA: 95 % of the 'too much' mark lies under their own first
    # felt, where the fit's sensory threshold is lower; said (hostile probe, 7 December 2026)
    tight = Model(program=_program("tens_conventional"))
    close = fit_person(tight, Marks(first_felt=0.099, strong=0.0995, too_much=0.1))
    rec = close.recommendation(tight)
    assert rec.amplitude_a == pytest.approx(0.095)
    assert close.window(tight)["sensory"] < rec.amplitude_a < 0.099
    assert rec.limited_by == ("the person's pain: 95 % of it lies under their own "
                              "first-felt mark (99 mA), so they feel nothing there")
    assert not any("twitches before" in n for n in fit.notes)
    acu = fit.recommend(Model(program=_program("tens_acupuncture")))
    assert acu == pytest.approx(math.sqrt(T["motor"] * T["pain"]))
    nmes = fit.recommendation(Model(program=_program("nmes_quadriceps")))
    assert "Maffiuletti" in nmes.source
    # without a too-much mark the tolerance is not known: the person's twitch, said so (90 %
    # of the model's pain gave 82 mA for marks of 3 and 5 mA; probe of 5 December 2026)
    assert nmes.amplitude_a == pytest.approx(T["motor"])
    assert "no 'too much' mark" in nmes.limited_by
    # no twitch within the model (or none below pain): their strong tingling, not 90 % of a
    # predicted pain under words about a contraction (review)
    for motor in (math.inf, 2 * T["pain"]):
        far = fit.recommendation(Model(program=_program("nmes_quadriceps"),
                                       thresholds=dict(T, motor=motor)))
        assert far.amplitude_a == pytest.approx(T["strong"])
        assert "no contraction below this person's pain" in far.limited_by
    # a twitch within 10 % of pain: held at 90 % of pain (99 % of it was recommended; review)
    close = fit.recommendation(Model(program=_program("nmes_quadriceps"),
                                     thresholds=dict(T, motor=0.99 * T["pain"])))
    assert close.amplitude_a == pytest.approx(0.9 * T["pain"])
    assert "within 10 %" in close.limited_by and "no contraction" in close.limited_by
    # neither a twitch nor pain within the model's search: not the device maximum (review)
    none = fit.recommendation(Model(program=_program("nmes_quadriceps"),
                                    thresholds=dict(T, motor=math.inf, pain=math.inf)))
    assert none.amplitude_a == pytest.approx(T["strong"])
    tolerant = fit_person(Model(), Marks(first_felt=T["sensory"], strong=T["strong"],
                                         too_much=T["pain"]))
    nmes = tolerant.recommendation(Model(program=_program("nmes_quadriceps")))
    assert nmes.amplitude_a == pytest.approx(0.9 * T["pain"]) and nmes.limited_by == ""
    micro = _program("microcurrent_face")
    assert fit.recommend(Model(program=micro)) == micro.channels[0].stimulation.amplitude.value


def test_recommendation_stays_below_the_safety_ceiling_and_the_device() -> None:
    fit = fit_person(Model(), Marks(first_felt=T["sensory"], strong=T["strong"]))
    capped = fit.recommendation(Model(program=_program("nmes_quadriceps"),
                                      safety_ceiling_a=0.01))
    assert capped.amplitude_a < 0.01 and "safety" in capped.limited_by
    small = fit.recommendation(Model(program=_program("nmes_quadriceps"),
                                     max_amplitude_a=0.005))
    assert small.amplitude_a == 0.005 and "device" in small.limited_by
    # the rule's own figure, past the dial, is said (phone probe of 7 December 2026)
    assert small.limited_by.startswith("the device maximum: the rule asks for ")
    assert small.limited_by.endswith("beyond the dial's range (up to 5 mA)"), small.limited_by


def test_habituation_ramp_grows_at_the_published_rate_and_stops_below_pain() -> None:
    fit = fit_person(Model(), Marks(first_felt=T["sensory"], strong=T["strong"]))
    model = Model(program=_program("tens_conventional"))
    ramp = fit.ramp(model, minutes=40)
    assert [t for t, _ in ramp] == [0, 5, 10, 15, 20, 25, 30, 35, 40]
    start = fit.recommend(model)
    assert ramp[0][1] == pytest.approx(start)
    growth, _over, _, source = HABITUATION
    assert ramp[-1][1] == pytest.approx(start * growth)  # x1.13 over 40 min, uncapped here
    assert "Pantaleao" in source
    long = fit.ramp(model, minutes=600)
    amps = [a for _, a in long]
    assert all(b >= a for a, b in itertools.pairwise(amps))
    w = fit.window(model)
    assert max(amps) == pytest.approx(0.95 * min(w["motor"], w["pain"]))
    with pytest.raises(InputError, match="minutes"):
        fit.ramp(model, minutes=0)


def test_fit_round_trips_through_a_mapping() -> None:
    fit = fit_person(Model(), Marks(first_felt=0.005, strong=0.01, twitch=0.012,
                                    too_much=0.03))
    again = PersonFit.from_dict(fit.to_dict())
    assert again == fit
    with pytest.raises(InputError, match=r"fit\.cutaneous_factor"):
        PersonFit.from_dict({**fit.to_dict(), "cutaneous_factor": -1})
    # a factor no person has (1e308 gave a window of 1e305 A, 1e-308 one of 1e-311 A)
    for absurd in (1e308, 1e-308, 101.0, 0.0099):
        with pytest.raises(InputError, match=r"fit\.pain_factor: got .*from 0\.01 to 100"):
            PersonFit.from_dict({**fit.to_dict(), "pain_factor": absurd})
    assert PersonFit.from_dict({**fit.to_dict(), "pain_factor": 100.0}).pain_factor == 100
    with pytest.raises(InputError, match=r"fit\.marks"):
        PersonFit.from_dict({**fit.to_dict(), "marks": {"strong": "a lot"}})


def test_a_fit_that_does_not_follow_from_its_marks_is_refused() -> None:
    """Marks edited to 1 and 2 mA beside a fit of 5 and 9 mA were kept, and recommended
    4.6 times the person's 'strong'; a cutaneous factor of 50 beside a motor factor of 1.2
    with no twitch mark put their tingling above the dial (probe of 5 December 2026)."""
    fit = fit_person(Model(), Marks(first_felt=0.006, strong=0.0108)).to_dict()
    with pytest.raises(InputError, match=r"fit\.residuals\.first_felt: .*do not go together"):
        PersonFit.from_dict({**fit, "marks": {"first_felt": 0.001, "strong": 0.002}})
    with pytest.raises(InputError, match=r"fit\.motor_factor: got 1\.2.*, expected the "
                       r"cutaneous factor \(50\): without a twitch mark"):
        PersonFit.from_dict({**fit, "cutaneous_factor": 50.0})
    with pytest.raises(InputError, match=r"fit\.cutaneous_factor: .*own marks give"):
        PersonFit.from_dict({**fit, "cutaneous_factor": 50.0, "motor_factor": 50.0,
                             "pain_factor": 50.0, "residuals": {"first_felt": 0.2,
                                                                "strong": 0.2},
                             "marks": {k: p * math.exp(0.2)  # every mark 22 % above its fit
                                       for k, p in fit["predicted"].items()}})
    with pytest.raises(InputError, match=r"fit\.predicted: .*a prediction and a residual"):
        PersonFit.from_dict({**fit, "residuals": {"first_felt": 0.0}})
    twitched = fit_person(Model(), Marks(first_felt=0.006, strong=0.0108,
                                         twitch=0.03)).to_dict()
    with pytest.raises(InputError, match=r"fit\.motor_factor"):
        PersonFit.from_dict({**twitched, "residuals": {**twitched["residuals"], "twitch": 0.5},
                             "predicted": {**twitched["predicted"],
                                           "twitch": 0.03 / math.exp(0.5)}})


def test_a_mark_added_to_a_fit_without_being_fitted_is_refused() -> None:
    """A twitch and a too-much mark added to a fit of first felt and strong were kept
    unfitted, and the stimulator recommended twice the person's own twitch, just under
    their too-much (probe of 6 December 2026). A mark without its prediction is one the
    model does not reach, and the fit says so; on the program itself (``check_on``) its
    threshold tells."""
    fit = fit_person(Model(), Marks(first_felt=0.005, strong=0.012))
    added = {**fit.to_dict(), "marks": {**fit.marks, "twitch": 0.006, "too_much": 0.013}}
    with pytest.raises(InputError, match=r"fit\.marks\.twitch: .*a mark the fit was made on"):
        PersonFit.from_dict(added)
    # with a note that the model does not reach it, the dict alone cannot tell ...
    noted = {**added, "marks": {**fit.marks, "twitch": 0.006}, "notes": [
        *fit.notes, "twitch: the model does not reach the motor threshold within the dial, "
        "so this mark is not fitted"]}
    forged = PersonFit.from_dict(noted)
    # ... but the program's own thresholds do: its model reaches the motor threshold
    with pytest.raises(InputError, match=r"fit\.marks\.twitch: .*reaches its threshold"):
        forged.check_on(Model())
    fit.check_on(Model())  # the honest fit passes
    # marks out of order, as the journal and the fit itself refuse them
    with pytest.raises(InputError, match=r"fit\.marks\.too_much: .*above every other mark"):
        PersonFit.from_dict({**noted, "marks": {**noted["marks"], "too_much": 0.003},
                             "notes": [*noted["notes"], "too_much: the model does not reach "
                                       "the pain threshold within the dial, so this mark is "
                                       "not fitted"]})


def test_a_mark_a_hundredfold_off_the_model_is_refused_naming_it() -> None:
    """A first-felt of 1e-300 mA fitted a skin factor of 6e-151 and a recommendation of
    5e-153 A; people's thresholds spread by tens of percent, so a mark 100 times off the
    model's median person is a wrong unit or pad, and named as such."""
    with pytest.raises(InputError, match=r"marks\.first_felt: got 1e-303, expected a "
                       r"setting within 100 times the model's sensory threshold"):
        fit_person(Model(), Marks(first_felt=1e-303, strong=T["strong"]))
    with pytest.raises(InputError, match=r"marks\.too_much"):
        fit_person(Model(), Marks(first_felt=T["sensory"], strong=T["strong"],
                                  too_much=T["pain"] * 101))
    edge = fit_person(Model(), Marks(first_felt=T["sensory"] * 0.011, strong=T["strong"]))
    assert edge.cutaneous_factor < 1


def test_a_sensory_recommendation_is_the_persons_own_strong_mark_on_its_program() -> None:
    """Marks of 20 and 22 mA on true interferential were fitted with the model's window
    (strong about twice first felt) to a strong tingling of 30.7 mA, and that was
    recommended as "the person's strong tingling", 40 % above what they said (probe of
    5 December 2026). On the program the marks were made on, the mark itself is taken,
    and how far the fit lies from it is said; on another program the fit carries over."""
    tens = _program("tens_conventional")
    model = Model(program=tens)
    marks = Marks(first_felt=0.010, strong=0.011)
    fit = fit_person(model, marks)
    assert fit.window(model)["strong"] > 0.013  # the fit's, ×1.3 of the mark here
    rec = fit.recommendation(model)
    assert rec.amplitude_a == 0.011
    assert rec.limited_by.startswith("the person's own strong mark: the model fitted to "
                                     "their marks puts a strong tingling ×1.")
    # another program: the fit's window, scaled from that program's own thresholds
    other = Model(program=_program("tens_modulated"),
                  thresholds={k: 1.3 * v for k, v in T.items()})
    assert fit.recommend(other) == pytest.approx(fit.window(other)["strong"], rel=1e-12)
    # marks that agree with the model's shape: the same value, nothing said
    agree = fit_person(model, Marks(first_felt=T["sensory"], strong=T["strong"]))
    assert agree.recommendation(model).limited_by == ""


def test_the_own_mark_holds_only_where_the_thresholds_are_the_calibrations() -> None:
    """The page keeps a mode's name when its pulse width changes: a mark made at 300 µs was
    recommended at 100 µs, below that person's predicted first-felt there (docs check of
    5 December 2026). "The same program" is the same thresholds, the fit's predictions."""
    tens = _program("tens_conventional")
    fit = fit_person(Model(program=tens), Marks(first_felt=0.010, strong=0.011))
    narrower = Model(program=tens, thresholds={k: 1.6 * v for k, v in T.items()})
    rec = fit.recommendation(narrower)  # the same name, other thresholds: the fit's
    assert rec.amplitude_a == pytest.approx(fit.window(narrower)["strong"], rel=1e-12)
    assert rec.amplitude_a > fit.window(narrower)["sensory"] > 0.011
    assert "own strong mark" not in rec.limited_by


def test_a_fits_notes_are_bounded_as_a_fit_writes_them() -> None:
    """99 KB of notes were kept as the page sent them (hostile probe of 7 December 2026): a
    fit writes a few sentences, and more is refused naming the field."""
    fit = fit_person(Model(), Marks(first_felt=0.005, strong=0.012)).to_dict()
    PersonFit.from_dict(fit)  # its own notes pass
    with pytest.raises(InputError, match=r"fit\.notes: got 'xxx.*at most 20 notes of at most "
                       r"500 characters each"):
        PersonFit.from_dict({**fit, "notes": ["x" * 99_000]})
    with pytest.raises(InputError, match=r"fit\.notes: got 21 notes, "):
        PersonFit.from_dict({**fit, "notes": ["a note"] * 21})
