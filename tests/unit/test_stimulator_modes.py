"""The mode menu and the program a form's settings make (estim.stimulator.modes)."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.cli.main import main
from estim.program.bundled import bundled_examples
from estim.program.model import TENS
from estim.program.options import TENSMode
from estim.setup import build_setup
from estim.stimulator import DeviceSettings, ModeKind, SettingsError, modes, settings_program
from estim.stimulator.modes import MASSAGE_PROGRAMS


@pytest.mark.parametrize("name", ["estim.stimulator.modes", "estim.stimulator.person",
                                  "estim.stimulator.safety_dial", "estim.stimulator.engine"])
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_menu_holds_every_example_the_massage_patterns_and_custom() -> None:
    ids = [m.id for m in modes()]
    assert set(bundled_examples()) <= set(ids)
    assert {"knead", "tap", "rub", "custom"} <= set(ids)
    assert len(ids) == len(set(ids))
    for m in modes():
        assert m.label and m.source, m.id
        if m.kind is ModeKind.MASSAGE:
            # honest about the evidence: a manufacturer's description, not a study
            assert "manufacturer description, not a study" in m.source


@pytest.mark.parametrize("mode_id", [m for m in [*bundled_examples(), *MASSAGE_PROGRAMS]])
def test_every_mode_makes_a_program_the_set_up_accepts(mode_id: str) -> None:
    program = settings_program(DeviceSettings(mode=mode_id))
    setup = build_setup(program)
    assert setup.channels[0].stimulus.peak > 0


def _stimulus(mode_id: str):  # type: ignore[no-untyped-def]
    return build_setup(settings_program(DeviceSettings(mode=mode_id))).channels[0].stimulus


def test_tap_is_bursts_of_five_pulses_three_times_a_second() -> None:
    stim = _stimulus("tap")
    assert stim.cycle_s == pytest.approx(1 / 3)
    assert len(stim.onsets_s) == 5
    assert np.diff(stim.onsets_s) == pytest.approx(np.full(4, 0.01))  # [s] 100 Hz in a burst


def test_knead_swells_and_fades_by_seventy_percent_over_two_seconds() -> None:
    stim = _stimulus("knead")
    assert stim.cycle_s == pytest.approx(2.0)
    peaks = stim.event_peak / stim.event_peak.max()
    # the modulation's own sampling of the envelope: the smallest pulse is 1 - 0.7 of the
    # largest to within one pulse step of a 100-pulse cycle
    assert peaks.min() == pytest.approx(0.3, abs=0.03)
    assert len(stim.onsets_s) == 100  # 50 Hz x 2 s


def test_rub_swings_the_rate_within_half_a_second() -> None:
    stim = _stimulus("rub")
    assert stim.cycle_s == pytest.approx(0.5)
    gaps = np.diff(stim.onsets_s)
    # rate modulated by 50 %: the slowest gap is about twice the fastest (80 Hz vs 40 Hz)
    assert gaps.max() / gaps.min() == pytest.approx(2.0, rel=0.1)
    tens = settings_program(DeviceSettings(mode="rub")).channels[0].stimulation
    assert isinstance(tens, TENS) and tens.mode is TENSMode.MODULATED


def test_settings_override_pads_placements_and_pulse() -> None:
    program = settings_program(DeviceSettings(
        mode="tens_modulated", site="lower_back", anode="lumbar_left_upper",
        cathode="lumbar_left_lower", pad_width="4 cm", pad_length="9 cm",
        pulse_width="150 us", frequency="90 Hz"))
    ch = program.channels[0]
    assert (ch.anode.width, ch.anode.length) == pytest.approx((0.04, 0.09))
    assert ch.cathode.area_m2 == pytest.approx(0.0036)
    assert ch.stimulation.pulse_width == pytest.approx(150e-6)
    assert ch.stimulation.frequency == pytest.approx(90.0)
    assert program.site.name == "lower_back"


def test_custom_program_text_is_loaded() -> None:
    text = bundled_examples()["tens_burst"].read_text()
    program = settings_program(DeviceSettings(mode="custom", custom_toml=text))
    assert program.name == "Burst TENS, lower back"


@pytest.mark.parametrize("name", ["my\x1b[31mprogram", "two\nlines", "\u202eevil",
                                  "zero\u200bwidth"])
def test_a_custom_name_the_journal_would_refuse_is_refused_before_the_dial(name: str) -> None:
    """The dial took "my\x1bprogram" and the journal refused it when the calibration was
    saved (probe of 7 December 2026): the name is refused when the program is loaded,
    naming the field and what the journal keeps; a name it keeps passes."""
    import json

    from estim.journal import validate

    text = bundled_examples()["tens_burst"].read_text()
    old = 'name = "Burst TENS, lower back"'
    assert old in text
    with pytest.raises(SettingsError, match=r"^name: got .*the journal keeps a custom "
                       r"program under its name") as caught:
        settings_program(DeviceSettings(mode="custom", custom_toml=text.replace(
            old, f"name = {json.dumps(name)}")))
    assert caught.value.setting == "custom_toml"
    with pytest.raises(validate.JournalError):
        validate.program(name)  # the same rule, not a second one
    kept = settings_program(DeviceSettings(mode="custom", custom_toml=text.replace(
        old, 'name = "Mein Programm – Rücken"')))
    assert validate.program(kept.name) == "Mein Programm – Rücken"


def _cli_error(tmp_path, text: str, capsys: pytest.CaptureFixture[str]) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.toml"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    return capsys.readouterr().err.strip()


@pytest.mark.parametrize(("setting", "value", "old", "new"), [
    ("pulse_width", "200", '"200 us"', '"200"'),
    ("pulse_width", "-5 us", '"200 us"', '"-5 us"'),
    ("frequency", "80 kg", '"80 Hz"', '"80 kg"'),
    ("site", "moon", 'name = "lower_back"', 'name = "moon"'),
    ("anode", "knee_medial", 'placement = "lumbar_left_upper"', 'placement = "knee_medial"'),
])
def test_bad_setting_gets_the_cli_message_and_its_field(
        tmp_path, capsys: pytest.CaptureFixture[str], setting: str, value: str,  # type: ignore[no-untyped-def]
        old: str, new: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_program(DeviceSettings(mode="tens_conventional", **{setting: value}))
    err = caught.value
    assert err.setting == setting
    text = bundled_examples()["tens_conventional"].read_text()
    assert old in text
    cli = _cli_error(tmp_path, text.replace(old, new, 1), capsys)
    # the CLI prefixes the command and the file: the rest of its line is the same message
    assert cli.endswith(str(err)), (cli, str(err))
    assert str(err).startswith(f"{err.field}: got ")


def test_a_site_whose_placements_the_mode_lacks_is_filed_under_site() -> None:
    """In the site's words: "channels[0].anode.placement: got 'lumbar_left_upper'" named a
    value the user never typed (probe of 6 December 2026)."""
    with pytest.raises(SettingsError) as caught:
        settings_program(DeviceSettings(mode="tens_conventional", site="knee"))
    assert caught.value.setting == "site"
    line = str(caught.value).splitlines()[0]
    assert line.startswith("site: got 'knee', expected a site the mode's pads are on (its "
                           "anode is at 'lumbar_left_upper')") and \
        "the Anode and Cathode menus list its placements" in line, line
    program = settings_program(DeviceSettings(mode="tens_conventional", site="knee",
                                              anode="knee_medial", cathode="knee_lateral"))
    assert program.site.name == "knee"


def test_the_pad_size_is_every_channels_and_a_rate_too_high_is_the_rates() -> None:
    """True interferential's channel B kept its 5 cm pads beside channel A's 0.5 cm ones
    though the form says "both pads"; 10 kHz was refused under Mode, blaming the mode's
    pulse width, where the rate typed was the problem (educator's probe of 7 December
    2026)."""
    import math

    program = settings_program(DeviceSettings(mode="ifc_true_knee", pad_width="3 cm",
                                              pad_length="4 cm"))
    pads = [e for ch in program.channels for e in (ch.anode, ch.cathode)]
    assert len(pads) == 4
    assert all(math.isclose(e.width, 0.03) and math.isclose(e.length, 0.04)
               for e in pads), pads
    with pytest.raises(SettingsError) as caught:
        settings_program(DeviceSettings(mode="tens_conventional", frequency="10 kHz"))
    assert caught.value.setting == "frequency"
    with pytest.raises(SettingsError) as both:  # a pulse width typed is the one blamed
        settings_program(DeviceSettings(mode="tens_conventional", frequency="10 kHz",
                                        pulse_width="200 us"))
    assert both.value.setting == "pulse_width"


def test_a_pad_moved_onto_the_other_is_filed_under_the_pad_moved() -> None:
    """Moving the anode onto the cathode's place was filed under 'mode' (the message names
    the cathode's placement, which the form did not change; probe of 5 December 2026)."""
    with pytest.raises(SettingsError, match="other than the anode's") as caught:
        settings_program(DeviceSettings(mode="tens_conventional", anode="lumbar_left_lower"))
    assert caught.value.setting == "anode"


@pytest.mark.parametrize("setting", ["pad_width", "pad_length"])
def test_a_pad_too_large_for_the_site_is_filed_under_its_size(setting: str) -> None:
    """A pad too large for the site was filed under 'mode', so the page showed the message
    beside the mode, not the size that was changed (docs check of 5 December 2026)."""
    with pytest.raises(SettingsError, match="size") as caught:
        settings_program(DeviceSettings(mode="knead", **{setting: "500 mm"}))
    assert caught.value.setting == setting


def test_a_program_text_beside_another_mode_is_refused() -> None:
    """custom_toml with mode tens_conventional was dropped and the example ran instead."""
    with pytest.raises(SettingsError, match="mode 'custom' for a program's own text") as caught:
        settings_program(DeviceSettings(mode="tens_conventional", custom_toml="name = 'x'"))
    assert caught.value.setting == "custom_toml"


@pytest.mark.parametrize(("mode", "rate", "words"), [
    ("knead", "4 Hz", "(2.5 s at 4 Hz; or a rate of at least 5 Hz)"),
    ("tens_burst", "10 Hz", "a burst (600.4 ms) that fits in the burst period"),
])
def test_a_rate_too_low_for_the_modes_rhythm_is_filed_under_the_rate(
        mode: str, rate: str, words: str) -> None:
    """Knead at 4 Hz was shown under Mode, about a modulation period nobody typed, with
    "2.5e+03 ms" in it (probe of 6 December 2026): the rate the form changed is named."""
    with pytest.raises(SettingsError) as caught:
        settings_program(DeviceSettings(mode=mode, frequency=rate))
    assert caught.value.setting == "frequency" and words in str(caught.value)


def test_a_setting_the_modality_lacks_is_named() -> None:
    with pytest.raises(SettingsError) as caught:
        settings_program(DeviceSettings(mode="ifc_premodulated", pulse_width="200 us"))
    assert caught.value.setting == "pulse_width"
    # in the form's words (it read "channels[0].stimulation.pulse_width: got '200 us',
    # expected a known key (type, mode, role, ...)"; probe of 6 December 2026)
    assert str(caught.value) == ("pulse_width: got '200 us', expected a blank pulse width: "
                                 "this mode's interferential has no pulse width to set")
    for mode in ("ifc_true_knee", "iontophoresis_dexamethasone"):
        with pytest.raises(SettingsError, match="has no rate to set") as rate:
            settings_program(DeviceSettings(mode=mode, frequency="100 Hz"))
        assert rate.value.setting == "frequency"
    # a modality that has them takes them
    assert settings_program(DeviceSettings(mode="hvpc_wound", frequency="80 Hz")) \
        .channels[0].stimulation.frequency == 80.0


def test_unknown_mode_and_empty_custom_are_refused() -> None:
    with pytest.raises(SettingsError, match="mode: got 'massage', expected one of") as caught:
        settings_program(DeviceSettings(mode="massage"))
    assert caught.value.setting == "mode"
    with pytest.raises(SettingsError, match="custom_toml"):
        settings_program(DeviceSettings(mode="custom"))
    with pytest.raises(SettingsError, match="valid TOML") as bad:
        settings_program(DeviceSettings(mode="custom", custom_toml="name = ["))
    assert bad.value.setting == "custom_toml"


def test_form_mapping_refuses_unknown_fields_and_non_text() -> None:
    assert DeviceSettings.from_mapping({"mode": "tap", "site": ""}).site is None
    with pytest.raises(SettingsError, match="voltage: got") as caught:
        DeviceSettings.from_mapping({"mode": "tap", "voltage": "3 V"})
    assert caught.value.setting == "voltage"
    with pytest.raises(SettingsError, match="pulse_width: got 200"):
        DeviceSettings.from_mapping({"mode": "tap", "pulse_width": 200})
    with pytest.raises(SettingsError, match="mode"):
        DeviceSettings.from_mapping({})


_TEXT = st.one_of(st.none(), st.text(max_size=24),
                  st.sampled_from(["200 us", "80 Hz", "5 cm", "0 cm", "1e9 Hz", "nan us",
                                   "-3 cm", "lower_back", "knee", "lumbar_left_upper"]))


@settings(max_examples=60, deadline=None)
@given(mode_id=st.sampled_from(["tens_conventional", "knead", "tap", "ifc_premodulated"]),
       site=_TEXT, anode=_TEXT, pad_width=_TEXT, pulse_width=_TEXT, frequency=_TEXT)
def test_any_typed_settings_give_a_program_or_one_named_error(
        mode_id: str, site: str | None, anode: str | None, pad_width: str | None,
        pulse_width: str | None, frequency: str | None) -> None:
    typed = DeviceSettings(mode=mode_id, site=site, anode=anode, pad_width=pad_width,
                           pulse_width=pulse_width, frequency=frequency)
    try:
        settings_program(typed)
    except SettingsError as err:
        assert err.setting in {"mode", "site", "anode", "pad_width", "pulse_width",
                               "frequency"}
        line = str(err).splitlines()[0]
        assert line.startswith(f"{err.field}: got ") and "expected" in line
        if err.setting != "mode":  # a setting named is one the user gave
            assert getattr(typed, err.setting) is not None


def test_the_dbs_mode_names_the_setting_at_fault_and_takes_a_contact_for_either_pole() -> None:
    """On the DBS mode a pad size went onto the lead's contact as a rectangle and a contact
    chosen as anode kept the case's shape, both blamed on the mode with 'rectangular', a
    value nobody typed; another site was blamed on the mode (probe of 5 December 2026)."""
    for typed, setting in ((dict(pad_width="3 cm"), "pad_width"),
                           (dict(pad_length="3 cm"), "pad_length"),
                           (dict(site="forearm"), "site")):
        with pytest.raises(SettingsError) as info:
            settings_program(DeviceSettings(mode="dbs_stn", **typed))
        assert info.value.setting == setting and "rectangular" not in str(info.value)
    bipolar = settings_program(DeviceSettings(mode="dbs_stn", anode="lead_contact_2"))
    assert bipolar.channels[0].anode.implanted and bipolar.channels[0].cathode.implanted
    # the case for the other pole: the mode's case size (it read "cathode.width: got
    # (missing)", blamed on the mode)
    swapped = settings_program(DeviceSettings(mode="dbs_stn", anode="lead_contact_1",
                                              cathode="case"))
    assert swapped.channels[0].cathode.area_m2 == pytest.approx(30e-4)
    with pytest.raises(SettingsError) as info:
        settings_program(DeviceSettings(mode="dbs_stn", cathode="case"))  # both on the case
    assert info.value.setting == "cathode"


def test_the_least_rate_a_modulation_message_names_is_itself_accepted() -> None:
    """A 0.3 s modulation at 30 Hz said "a rate of at least 33.3 Hz", and 33.3 Hz was
    refused again (review of 6 December 2026): the least rate is rounded up."""
    import re

    text = bundled_examples()["tens_modulated"].read_text()
    text = text.replace('modulation_period = "1 s"', 'modulation_period = "0.3 s"')
    with pytest.raises(SettingsError) as caught:
        settings_program(DeviceSettings(mode="custom", custom_toml=text.replace(
            'frequency = "100 Hz"', 'frequency = "30 Hz"')))
    least = re.search(r"a rate of at least ([\d.]+) Hz", str(caught.value))
    assert least is not None and least.group(1) == "33.4"
    settings_program(DeviceSettings(mode="custom", custom_toml=text.replace(
        'frequency = "100 Hz"', f'frequency = "{least.group(1)} Hz"')))


def test_the_least_period_a_modulation_message_names_is_itself_accepted() -> None:
    """3.33 s at 3 Hz was refused with "(3.33 s at 3 Hz ...)", the value refused (the
    engineer's probe of 7 December 2026): the least period is rounded up too."""
    import re

    text = bundled_examples()["tens_modulated"].read_text().replace(
        'frequency = "100 Hz"', 'frequency = "3 Hz"')
    with pytest.raises(SettingsError) as caught:
        settings_program(DeviceSettings(mode="custom", custom_toml=text.replace(
            'modulation_period = "1 s"', 'modulation_period = "3.33 s"')))
    least = re.search(r"\(([\d.]+) s at 3 Hz", str(caught.value))
    assert least is not None and least.group(1) == "3.34"
    settings_program(DeviceSettings(mode="custom", custom_toml=text.replace(
        'modulation_period = "1 s"', f'modulation_period = "{least.group(1)} s"')))


@pytest.mark.parametrize("m", [m for m in modes() if m.defaults], ids=lambda m: m.id)
def test_a_placeholder_is_what_an_empty_box_keeps(m) -> None:  # type: ignore[no-untyped-def]
    """The form's placeholders are each mode's own values (they read "e.g. 80 Hz" in a 2 Hz
    mode; educator's probe of 7 December 2026): typed into the form, each gives the program
    the empty box gives. A round pad's size is said, not typeable (a typed size makes the
    pads rectangular), as are two pads of different sizes (the form's size is both's)."""
    typed = {k: v for k, v in m.defaults.items() if v[0].isdigit()
             and (k.startswith("pad_") or k in m.settings)}
    assert set(m.defaults) >= {k for k in m.settings}, m.defaults
    if not typed:
        return
    as_is = settings_program(DeviceSettings(mode=m.id))
    retyped = settings_program(DeviceSettings(mode=m.id, **typed))
    assert retyped == as_is, typed


@pytest.mark.parametrize(("name", "span"), [
    ("microcurrent_face", 4.0),  # 0.5 Hz: two periods, a pulse each way
    ("tens_acupuncture", 1.0),  # 2 Hz: two periods, one second
    ("tens_conventional", 0.05),  # 80 Hz: four pulses
])
def test_the_waveform_shows_two_whole_periods_of_a_slow_output(name: str, span: float) -> None:
    """1 s of microcurrent's 0.5 Hz square wave showed its first half alone, neither its
    shape nor its polarity's reversal (phone probe of 7 December 2026): a slow output's
    waveform spans two periods (up to 10 s), a fast one's four pulses as before."""
    from estim.program import load_program
    from estim.stimulator.engine import _default_span
    from estim.waveforms import stimuli_for

    program = load_program(bundled_examples()[name])
    assert _default_span(stimuli_for(program)[0]) == pytest.approx(span)
