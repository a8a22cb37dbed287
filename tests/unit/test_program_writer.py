"""A program written back as a program file (estim.program.save_program): what loads back is
the same program, for every bundled example and for programs a researcher changes in
Python; a file that exists is never replaced unasked."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.errors import InputError
from estim.program import (
    Amplitude,
    Control,
    load_program,
    parse_program,
    program_to_toml,
    save_program,
)
from estim.program.bundled import bundled_examples, resolve_program
from tests.programs import IONTO, TENS, channel, disc, head


@pytest.mark.parametrize("name", sorted(bundled_examples()))
def test_every_bundled_example_reads_back_as_itself(name: str) -> None:
    # equality of the frozen models: every field, every nested table, to the last bit
    original = load_program(bundled_examples()[name])
    text = program_to_toml(original)
    assert parse_program(text) == original, text


def test_only_what_the_file_set_is_written() -> None:
    """The bundled file does not set the interphase gap or the asymmetry ratio: neither is
    written (a default stays to loading, so that rules on what a file sets still hold)."""
    text = program_to_toml(resolve_program("tens_conventional")[0])
    data = tomllib.loads(text)
    stim = data["channels"][0]["stimulation"]
    assert stim == {"type": "tens", "mode": "conventional", "amplitude": "25 mA",
                    "frequency": "80 Hz", "pulse_width": "200 us",
                    "pulse": "symmetric_biphasic", "duration": "30 min"}
    assert data["device"]["max_current"] == "100 mA"
    assert data["channels"][0]["cathode"]["width"] == "5 cm"
    assert "interphase_gap" not in stim and "asymmetry_ratio" not in stim


def test_a_program_changed_in_python_is_saved_with_its_change(tmp_path: Path) -> None:
    tens = resolve_program("tens_conventional")[0]
    ch = tens.channels[0]
    changed = tens.replace(channels=(ch.replace(
        stimulation=ch.stimulation.replace(pulse_width=150e-6, amplitude="32.5 mA")),))
    path = save_program(changed, tmp_path / "mine.toml")
    back = load_program(path)
    assert back == changed
    assert back.channels[0].stimulation.pulse_width == 150e-6
    assert 'amplitude = "32.5 mA"' in path.read_text(encoding="utf-8")


def test_site_overrides_a_dose_and_a_lead_read_back() -> None:
    """A site's overrides are written as their text; an iontophoretic dose in mA·min, as
    the labels give it; a DBS lead's contacts by name alone (the lead sets their size and
    refuses one written)."""
    text = (head("ionto", "lower_back") + 'fat_thickness = "14 mm"\n'
            + channel("1", "lumbar_left_upper", "lumbar_left_lower", pad=disc("3 cm"),
                      **IONTO))
    ionto = parse_program(text)
    written = program_to_toml(ionto)
    assert parse_program(written) == ionto
    data = tomllib.loads(written)
    assert data["site"] == {"name": "lower_back", "fat_thickness": "14 mm"}
    assert data["channels"][0]["stimulation"]["dose"] == "40 mA*min"
    dbs = resolve_program("dbs_stn")[0]
    cathode = tomllib.loads(program_to_toml(dbs))["channels"][0]["cathode"]
    assert cathode == {"placement": "lead_contact_1"}


# currents from 1 nA to 10 A and times from 1 µs to an hour, at any float in between: the
# text reads back to the same float, to the 15 figures a file holds
@settings(max_examples=200, deadline=None)
@given(amp=st.floats(1e-9, 10.0), width=st.floats(1e-5, 1e-3))
def test_any_amplitude_and_width_read_back_exactly(amp: float, width: float) -> None:
    tens = resolve_program("tens_conventional")[0]
    ch = tens.channels[0]
    amp = min(amp, 0.1)  # the device's maximum current
    changed = tens.replace(channels=(ch.replace(
        stimulation=ch.stimulation.replace(
            amplitude=Amplitude(value=amp, control=Control.CURRENT), pulse_width=width)),))
    back = parse_program(program_to_toml(changed))
    # a program file holds 15 significant figures (estim.units.parse_quantity rounds there)
    assert back.channels[0].stimulation.amplitude.value == float(f"{amp:.15g}")
    assert back.channels[0].stimulation.pulse_width == float(f"{width:.15g}")


def test_an_existing_file_is_kept_unless_overwrite(tmp_path: Path) -> None:
    tens = resolve_program("tens_conventional")[0]
    mine = tmp_path / "mine.toml"
    mine.write_text("# my notes\n", encoding="utf-8")
    with pytest.raises(InputError, match="does not exist yet"):
        save_program(tens, mine)
    assert mine.read_text(encoding="utf-8") == "# my notes\n"
    save_program(tens, mine, overwrite=True)
    assert load_program(mine) == tens
    with pytest.raises(InputError, match="not a folder"):
        save_program(tens, tmp_path)
    with pytest.raises(InputError, match="a Program"):
        program_to_toml({"name": "x"})  # type: ignore[arg-type]


def test_a_device_a_pipe_or_a_link_to_one_is_never_replaced(tmp_path: Path) -> None:
    """``overwrite=True`` replaced /dev/null and /dev/full with a plain file as root, and a
    user's named pipe (hostile probe of 7 December 2026): each is refused, and stays what
    it was, also through a link."""
    import os
    import stat

    tens = resolve_program("tens_conventional")[0]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "to-pipe.toml"
    link.symlink_to(fifo)
    # (not /dev/null itself: a regression here would replace the test machine's)
    for target in (fifo, link):
        with pytest.raises(InputError, match="not a device, a named pipe or a socket"):
            save_program(tens, target, overwrite=True)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and link.is_symlink()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".estim-")] == []


def test_the_tests_own_program_builder_reads_back() -> None:
    text = head() + channel("1", "lumbar_left_upper", "lumbar_left_lower", pad=disc("2 cm"),
                            **TENS)
    p = parse_program(text)
    assert parse_program(program_to_toml(p)) == p
    assert not math.isnan(p.channels[0].stimulation.frequency)


def test_a_failed_write_keeps_the_file_and_bad_arguments_are_named(tmp_path: Path) -> None:
    """A name with a lone surrogate raised UnicodeEncodeError and left the file it was to
    replace empty; a bytes or None path was a TypeError; overwrite="no" overwrote (hostile
    probe of 7 December 2026)."""
    tens = resolve_program("tens_conventional")[0]
    mine = tmp_path / "mine.toml"
    mine.write_text("# my notes\n", encoding="utf-8")
    with pytest.raises(InputError, match="lone surrogate"):
        save_program(tens.replace(name="x\ud800"), mine, overwrite=True)
    assert mine.read_text(encoding="utf-8") == "# my notes\n"
    with pytest.raises(InputError, match="lone surrogate"):
        save_program(tens.replace(name="x\ud800"), tmp_path / "new.toml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"]  # nothing left over
    for path in (b"a.toml", None, 3):
        with pytest.raises(InputError, match="a file name"):
            save_program(tens, path)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="a file name"):
        save_program(tens, str(tmp_path / "a\0b.toml"))
    with pytest.raises(InputError, match="True or False"):
        save_program(tens, mine, overwrite="no")  # type: ignore[arg-type]
    assert mine.read_text(encoding="utf-8") == "# my notes\n"


def test_a_value_a_file_cannot_hold_is_refused_before_writing(tmp_path: Path) -> None:
    """10 pulse periods at 3 Hz, 3.3333333333333335 s, is the modulation's shortest period;
    a file holds 3.33333333333333 s, which the loader refuses: the written file did not load
    (hostile probe of 7 December 2026). Writing it says so, and writes nothing."""
    mod = resolve_program("tens_modulated")[0]
    ch = mod.channels[0]
    edge = mod.replace(channels=(ch.replace(stimulation=ch.stimulation.replace(
        frequency=3.0, modulation_period=10 / 3, duration=1000.0)),))
    with pytest.raises(InputError, match="a program a file can hold") as err:
        save_program(edge, tmp_path / "edge.toml")
    assert "modulation_period" in str(err.value) and "round the value" in str(err.value)
    assert not list(tmp_path.iterdir())
    # half a hertz is written in hertz ("500 mHz" reads as milli or mega)
    assert '"0.5 Hz"' in program_to_toml(resolve_program("microcurrent_face")[0])


def test_long_names_odd_paths_and_a_link_are_handled(tmp_path: Path) -> None:
    """A 250-character name (legal) failed on its longer temporary name and then on its
    clean-up, a traceback; a surrogate in the path was blamed on the program; overwrite on
    a link replaced the link with a file and left its target as it was (review of
    7 December 2026)."""
    import os

    tens = resolve_program("tens_conventional")[0]
    long = tmp_path / ("x" * 250 + ".toml")
    assert load_program(save_program(tens, long)) == tens
    with pytest.raises(InputError, match="a file estim can write"):
        save_program(tens, tmp_path / ("y" * 300 + ".toml"))
    with pytest.raises(InputError, match=r"path: .*a file name the file system can hold"):
        save_program(tens, str(tmp_path / "\ud800.toml"))
    target = tmp_path / "target.toml"
    target.write_text("# mine\n", encoding="utf-8")
    link = tmp_path / "link.toml"
    os.symlink(target, link)
    save_program(tens, link, overwrite=True)
    assert link.is_symlink() and load_program(target) == tens
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # the permissions of any file made there, not the temporary file's owner-only 0600
    mask = os.umask(0)
    os.umask(mask)
    assert (long.stat().st_mode & 0o777) == (0o666 & ~mask)
