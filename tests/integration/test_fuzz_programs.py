"""Hostile and careless programs through ``estim check`` (in process): every run ends in a
result (exit 0 or 1, valid JSON) or one clear error line with exit 2, within a time and a
memory bound, never a traceback (issue 10)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
import time
import tracemalloc
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estim.cli.main import main
from tests.conftest import EXAMPLES

EX = {p.stem: p.read_text() for p in EXAMPLES}
#: Seconds one check may take. The largest legal programs take about 5 s on one core
#: (benchmarks/check_limits.py); the margin is for a shared machine.
TIME_BOUND_S = 30.0

_units = st.sampled_from(["mA", "A", "uA", "nA", "V", "kV", "Hz", "kHz", "MHz", "s", "ms", "us",
                          "min", "h", "cm", "mm", "m", "km", "nm", "S/m", "mA*min", "cm**2",
                          "rpm", "degC", "", "mA mA", "mA**9", "%"])
_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 1e-300, 1e-9, 1e-5, 1e-3, 0.5, 1.0, 7.0, 100.0, 1e5, 1e9,
                     1e30, 1e300, 1e308]),
    st.integers(-10**6, 10**6),
)
_quantity = st.builds(lambda n, u: f"{n!r} {u}".strip(), _numbers, _units)
_expressions = st.sampled_from(["9**9**9 mA", "2**0.5 mA", "(1+1) mA", "1e400 mA", "nan mA",
                                "inf s", "mA", "", " ", "1 mA + 1 mA", "1e-9:1e-9",
                                "1e308:1e308", "1e300:1e300:1e300", "6:6", "1:5:1", "0:0",
                                "-1:2", "a:b", "[/]", "[link=http://x]y[/link]", "\x1b[31mred",
                                "x" * 5000])
_plausible = st.sampled_from(['"30 mA"', '"5 mA"', '"100 Hz"', '"1 kHz"', '"100 kHz"',
                              '"250 us"', '"2 us"', '"10 min"', '"24 h"', '"1 s"', '"5 cm"',
                              '"2 s"', '"1 h"', '"20 min"', '"4 kHz"', '"1 Hz"', '"60 V"',
                              '"0.1 Hz"', '"3 mm"', '"0.5 S/m"', "0.3", '"1:1"', '"6:6"'])
_toml_values = st.one_of(
    _plausible, _plausible,
    _quantity.map(json.dumps),
    _expressions.map(json.dumps),
    _numbers.map(lambda n: repr(n) if not isinstance(n, float) or (n == n and abs(n) != float(
        "inf")) else ("nan" if n != n else ("inf" if n > 0 else "-inf"))),
    st.sampled_from(["true", "false", '"no"', '"7"', "[]", "[1, 2]", "{}", '{ value = nan }',
                     "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]"]),
)
_LINE = re.compile(r'^(\w+) = (.+)$', re.MULTILINE)


@st.composite
def _programs(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(EX)))
    text = EX[name]
    lines = list(_LINE.finditer(text))
    for _ in range(draw(st.integers(1, 3))):
        m = draw(st.sampled_from(lines))
        value = draw(_toml_values)
        text = text.replace(m.group(0), f"{m.group(1)} = {value}", 1)
    extra = draw(st.sampled_from(["", "", "", "\n[site.deep]\n", "\nx = " + "[" * 3000
                                  + "]" * 3000 + "\n", "a" + ".a" * 500 + " = 1\n",
                                  "\n[extra]\n" + "".join(f"k{i} = 1\n" for i in range(11000))]))
    return extra + text if extra.startswith("a.") else text + extra


#: Python-heap peak (tracemalloc, which numpy reports to) one check may reach: the largest
#: legal programs peak at about 450 MiB of resident memory (benchmarks/check_limits.py).
MEMORY_BOUND_B = 1 << 30


def _check(path: Path, *, trace: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if trace:
        tracemalloc.start()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["check", str(path), "--json"])
    finally:
        if trace:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert peak < MEMORY_BOUND_B, f"check peaked at {peak / 2**20:.0f} MiB"
    return rc, out.getvalue(), err.getvalue()


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_programs())
def test_check_ends_in_a_result_or_one_clear_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "program.toml"
        path.write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        rc, out, err = _check(path, trace=True)
        elapsed = time.perf_counter() - t0
    assert elapsed < TIME_BOUND_S, f"check took {elapsed:.1f} s"
    assert "Traceback" not in out + err
    if rc in (0, 1):
        data = json.loads(out)  # a result, complete and NaN-free (allow_nan=False)
        assert data["verdict"] in ("pass", "warn", "fail")
    else:
        assert rc == 2, (rc, err)
        lines = [ln for ln in err.splitlines() if ln.strip() and "Warning" not in ln]
        assert lines and lines[0].startswith("estim check: error:"), err
        assert len(err) < 20_000


def test_fifo_and_device_are_refused_in_one_line(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "p.toml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero"), tmp_path):
        rc, _, err = _check(path)
        assert rc == 2 and err.startswith("estim check: error:"), err
