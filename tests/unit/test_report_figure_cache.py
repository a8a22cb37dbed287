"""The report's figures are kept in the disk cache under everything they are drawn from: a
report drawn again reads the same PNG without drawing, and a figure whose inputs changed
is drawn anew."""

from __future__ import annotations

from pathlib import Path

import pytest

from estim.program.override import with_amplitude
from estim.report import html, plots
from estim.report.run import result_to_dict
from estim.simulate import SimulateOptions, simulate
from tests.conftest import ROOT

TENS = ROOT / "src" / "estim" / "examples" / "tens_conventional.toml"


def _figures(program: object) -> dict[str, str]:
    result = simulate(program, options=SimulateOptions(body=False))  # type: ignore[arg-type]
    data = result_to_dict(result)
    page = html.render_html(result, data)
    assert "data:image/png;base64," in page
    return html._figures(result, data)


@pytest.fixture()
def drawn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """A cache of the test's own; counts the figures drawn to PNG."""
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(tmp_path))
    count = [0]
    real = plots.figure_to_png

    def counted(fig: object) -> bytes:
        count[0] += 1
        return real(fig)  # type: ignore[arg-type]

    monkeypatch.setattr(plots, "figure_to_png", counted)
    return count


def test_a_figure_drawn_again_is_read_back_bit_for_bit(drawn: list[int],
                                                       tmp_path: Path) -> None:
    program = with_amplitude(TENS, "25 mA")
    first = _figures(program)
    n_first = drawn[0]
    assert n_first == len(first)  # render_html drew each figure once; _figures read them
    again = _figures(program)
    assert drawn[0] == n_first  # nothing drawn: every figure came from the cache
    assert again == first
    assert len(list((tmp_path / "figures").glob("*.npz"))) == len(first)


def test_other_inputs_draw_a_new_figure(drawn: list[int]) -> None:
    program = with_amplitude(TENS, "25 mA")
    base = _figures(program)
    n = drawn[0]
    louder = with_amplitude(TENS, "30 mA")
    other = _figures(louder)
    assert drawn[0] == n + 1  # the waveform's peak moved: drawn once, then read back
    assert other["waveform"] != base["waveform"]


def test_a_damaged_entry_is_drawn_again(drawn: list[int], tmp_path: Path) -> None:
    program = with_amplitude(TENS, "25 mA")
    first = _figures(program)
    for entry in (tmp_path / "figures").glob("*.npz"):
        entry.write_bytes(entry.read_bytes()[:100])  # cut short: a miss, not an error
    n = drawn[0]
    assert _figures(program) == first
    assert drawn[0] == n + len(first)


def test_a_character_the_font_lacks_draws_without_a_warning() -> None:
    """A channel named in Japanese printed twelve raw "Glyph ... missing from font(s)"
    warnings, each past 80 columns, before `estim run`'s answer (probe of 5 December
    2026)."""
    import warnings

    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from estim.report.plots import figure_to_png

    fig = Figure()
    fig.add_subplot().set_title("左チャンネル")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert figure_to_png(fig).startswith(b"\x89PNG")
