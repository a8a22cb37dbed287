"""Numba's parallel kernels called from several threads at once, on the one threading layer
that cannot take it (workqueue: a machine without libgomp or TBB). Unguarded, its first
concurrent launch aborts the process (a web server with it)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

#: Three threads at once, each calling the fiber batch and the layered field's quadrature;
#: each prints whether its answers are the ones a lone call gives, bit for bit.
_SCRIPT = textwrap.dedent("""
    import math, threading
    import numpy as np
    import numba
    from estim.fibers import RectangularPulse, find_thresholds, make_fiber
    from estim.fields import site_from_spec
    from estim.fields.layered import layered_green

    fibers = [make_fiber("mrg", d) for d in (8e-6, 10e-6, 12e-6)]
    x = np.asarray(fibers[0].positions_m)
    phis = [1.0 / (4 * math.pi * 0.3 * np.hypot(np.asarray(f.positions_m), 2e-3))
            for f in fibers]
    green = layered_green(site_from_spec("lower_back", {}))
    rng = np.random.default_rng(0)
    u, v = rng.uniform(-0.05, 0.05, (2, 3000))
    z = rng.uniform(0.0, 0.03, 3000)
    cells = rng.uniform(-0.02, 0.02, (40, 2))
    w = np.full(40, 1 / 40)

    def work():
        t = find_thresholds(fibers, phis, RectangularPulse(200e-6), precision=0.02)
        return np.asarray(t.threshold_a), np.array(green.cell_sums(u, v, z, cells, w))

    alone = work()
    print("layer", numba.threading_layer())
    same = []

    def thread():
        for _ in range(3):
            got = work()
            same.append(all(np.array_equal(a, b) for a, b in zip(got, alone)))

    threads = [threading.Thread(target=thread) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("same", all(same), len(same))
""")


@pytest.mark.slow
def test_kernels_take_turns_on_numbas_workqueue_layer() -> None:
    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue", "NUMBA_NUM_THREADS": "2"}
    run = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    # unguarded: "Numba workqueue threading layer is terminating: Concurrent access has
    # been detected", SIGABRT (rc -6)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["layer", "workqueue", "same", "True", "9"], run.stdout
