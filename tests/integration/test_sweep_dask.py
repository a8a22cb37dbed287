"""Sweeps on Dask: a LocalCluster and a scheduler with two workers started as separate
processes on loopback give identical tables; a worker killed mid-sweep loses no finished
point; an interrupted sweep resumes; the command line end to end."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from estim.cli.main import main
from estim.errors import ModelRangeWarning
from estim.program.bundled import bundled_examples
from estim.sweep import SweepOptions, parse_axis, plan_sweep, run_point, run_sweep, sweep_table
from estim.sweep.run import POINTS_FOLDER

pytestmark = pytest.mark.integration

TENS = bundled_examples()["tens_conventional"]
DASK = Path(sys.executable).with_name("dask")


class Cluster:
    """A ``dask scheduler`` and ``dask worker`` processes on loopback."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.file = folder / "scheduler.json"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.scheduler = subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(self.file)], **quiet)  # type: ignore[call-overload]
        deadline = time.monotonic() + 60
        while not self.file.exists() or not self.file.read_text().strip():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        self.address = json.loads(self.file.read_text())["address"]
        self.workers = [subprocess.Popen(
            [str(DASK), "worker", "--scheduler-file", str(self.file), "--nthreads", "1",
             "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"], **quiet)  # type: ignore[call-overload]
            for _ in range(workers)]
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=60)

    def close(self) -> None:
        for p in [*self.workers, self.scheduler]:  # only the processes started here
            if p.poll() is None:
                p.kill()
            p.wait(timeout=30)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(tmp_path, workers=2)
    try:
        yield c
    finally:
        c.close()


def _safety_plan(axis: str = "amplitude=5..40mA:8"):  # type: ignore[no-untyped-def]
    return plan_sweep(TENS, [parse_axis(axis), parse_axis("pulse_width=100,200us")],
                      options=SweepOptions(body=False))


def test_local_cluster_and_separate_processes_give_identical_tables(
        tmp_path: Path, cluster: Cluster) -> None:
    plan = _safety_plan()
    local = sweep_table(run_sweep(plan, tmp_path / "local", workers=2))
    remote_run = run_sweep(plan, tmp_path / "remote", scheduler=cluster.address)
    remote = sweep_table(remote_run)
    assert remote_run.computed == 16 and not remote_run.errors
    assert local.to_csv() == remote.to_csv()
    import pyarrow.parquet as pq

    a = pq.read_table(__import__("io").BytesIO(local.to_parquet()))
    b = pq.read_table(__import__("io").BytesIO(remote.to_parquet()))
    assert a.equals(b)
    assert a.column_names[:4] == ["point", "key", "amplitude_mA", "pulse_width_us"]
    assert a.column("peak_current_mA").to_pylist()[::2] == pytest.approx(
        [5, 10, 15, 20, 25, 30, 35, 40])


def test_killing_a_worker_mid_sweep_loses_no_finished_point(
        tmp_path: Path, cluster: Cluster) -> None:
    plan = _safety_plan("amplitude=1..60mA:40")  # 80 points, ~0.1 s each
    folder = tmp_path / "sweep"
    done: list[object] = []
    runner = threading.Thread(target=lambda: done.append(
        run_sweep(plan, folder, scheduler=cluster.address)))
    runner.start()
    points = folder / POINTS_FOLDER
    deadline = time.monotonic() + 120
    while not points.is_dir() or len(list(points.glob("*.json"))) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    before = {p.name: p.read_bytes() for p in points.glob("*.json")}
    os.kill(cluster.workers[0].pid, signal.SIGKILL)
    killed_mid_sweep = runner.is_alive()
    runner.join(timeout=300)
    assert killed_mid_sweep, "the sweep ended before the worker was killed"
    assert done, "the sweep did not complete"
    run = done[0]
    assert not run.errors and all(r is not None for r in run.results)  # type: ignore[attr-defined]
    after = {p.name: p.read_bytes() for p in points.glob("*.json")}
    assert len(after) == len(plan.points)
    assert all(after[name] == data for name, data in before.items())  # nothing lost or redone


def test_an_interrupted_sweep_resumes_where_it_stopped(tmp_path: Path,
                                                       cluster: Cluster) -> None:
    plan = _safety_plan("amplitude=5..40mA:10")
    folder = tmp_path / "sweep"

    def stop_after_three(done: int, total: int) -> None:
        if done >= 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(plan, folder, scheduler=cluster.address, progress=stop_after_three)
    kept = len(list((folder / POINTS_FOLDER).glob("*.json")))
    assert 3 <= kept < len(plan.points)
    run = run_sweep(plan, folder, scheduler=cluster.address)
    assert run.resumed == kept and run.computed == len(plan.points) - kept
    fresh = run_sweep(plan, tmp_path / "fresh", scheduler=cluster.address)
    assert sweep_table(run).to_csv() == sweep_table(fresh).to_csv()


def test_command_line(tmp_path: Path, cluster: Cluster,
                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    args = ["sweep", "tens_conventional", "--vary", "amplitude=10,20mA", "--vary",
            "pulse_width=100,200us", "--safety-only", "--scheduler", cluster.address,
            "-o", str(out), "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["points"] == 4 and data["computed"] == 4
    assert {Path(f).name for f in data["files"]} == {"sweep.parquet", "sweep.csv",
                                                      "sweep.html"}
    # the key figures the README promises, as the CSV has them (only counts and files
    # before; probe of 6 December 2026)
    rows = {(r["amplitude_mA"], r["pulse_width_us"]): r for r in data["table"]}
    assert len(rows) == 4 and all(r["safety_verdict"] == "pass" for r in rows.values())
    csv_rows = list(csv.DictReader((out / "sweep.csv").read_text(encoding="utf-8-sig")
                                   .splitlines()))
    for r in csv_rows:
        row = rows[(float(r["amplitude_mA"]), float(r["pulse_width_us"]))]
        for name in ("peak_current_mA", "rms_current_mA", "skin_current_density_mA_per_cm2",
                     "power_density_W_per_cm2"):
            assert row[name] == pytest.approx(float(r[name]), rel=1e-9), name
    page = (out / "sweep.html").read_text()
    assert page.count("<img") >= 4 and "peak_current_mA" in page
    # its table is headed in words, the CSV's column in the tooltip, and it scrolls inside
    # the page (27 columns made it 4,317 px wide; probe of 5 December 2026)
    assert '<th title="pulse_width_us">pulse_width (µs)</th>' in page
    assert '<th title="peak_current_mA">Peak current, highest channel (mA)</th>' in page
    assert '<div class="scroll"><table>' in page and 'name="viewport"' in page
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["resumed"] == 4
    code = main(["sweep", "tens_conventional", "--vary", "amplitude=10,200mA",
                 "--safety-only", "-o", str(tmp_path / "bad")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "--vary amplitude: got '200 mA'" in err and "device maximum" in err
    assert not (tmp_path / "bad").exists()
    # the periosteal Aδ of the lower back's bone, a class of its own for --population
    code = main(["sweep", "tens_conventional", "--population", "4", "--fiber-class",
                 "periosteal", "--scheduler", cluster.address, "-o", str(tmp_path / "bone")])
    assert code == 0 and "4 periosteal fibers in 1 task," in capsys.readouterr().out
    raw = (tmp_path / "bone" / "population.csv").read_text(encoding="utf-8")
    assert raw.startswith("\ufeff")  # for Excel
    header, *rows = raw.removeprefix("\ufeff").splitlines()
    assert header == "fiber,threshold_mA,depth_mm,diameter_um" and len(rows) == 4
    for row in rows:  # plain numbers, as a spreadsheet reads them (no 'np.float64(...)')
        _, *numbers = row.split(",")
        depth, diameter = float(numbers[1]), float(numbers[2])
        assert 50 < depth < 70 and 1 <= diameter <= 5  # the lower back's bone, 62 mm deep
    # another population into that folder (another class) would write over its table: it
    # did without --force (review of 5 December 2026); with --force it is asked for
    other = ["sweep", "tens_conventional", "--population", "4", "--scheduler",
             cluster.address, "-o", str(tmp_path / "bone")]
    assert main(other) == 2
    assert "chunks/ holds 1 chunk(s) of another" in capsys.readouterr().err
    assert (tmp_path / "bone" / "population.csv").read_text(encoding="utf-8") == raw
    assert main([*other, "--force"]) == 0
    capsys.readouterr()
    code = main(["sweep", "tens_conventional", "--vary", "amplitude=10mA",
                 "--scheduler", "tcp://127.0.0.1:9", "-o", str(tmp_path / "none")])
    assert code == 2 and "--scheduler" in capsys.readouterr().err
    # a server there that is not Dask's: its bytes were read as a 3 EiB message, a
    # MemoryError traceback (docs probe of 6 December 2026)
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 4096)

    threading.Thread(target=answer, daemon=True).start()
    try:
        code = main(["sweep", "tens_conventional", "--vary", "amplitude=10mA", "--scheduler",
                     f"tcp://127.0.0.1:{server.getsockname()[1]}", "-o",
                     str(tmp_path / "web")])
    finally:
        server.close()
    err = capsys.readouterr().err
    assert code == 2 and "what answers there is not one" in err, err
    assert "Traceback" not in err


def test_a_folder_that_holds_the_users_files_is_refused_before_anything_runs(
        tmp_path: Path, cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    """The sweep writes sweep.csv, .html and .parquet into its folder. An earlier sweep's
    folder (its points/) is resumed and its files rewritten; any other folder that holds
    something is refused (exit 2, nothing written) unless --force; and no --force makes
    it write over the program it reads. A negative --seed is refused too (it reached
    numpy's generator as a traceback)."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "sweep.csv").write_text("my own table\n")
    base = ["sweep", "tens_conventional", "--vary", "amplitude=10,20mA", "--safety-only",
            "--scheduler", cluster.address]
    assert main([*base, "-o", str(mine)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--output" in err and "--force" in err
    assert (mine / "sweep.csv").read_text() == "my own table\n"
    assert not (mine / POINTS_FOLDER).exists()
    # --force writes beside the user's files, never over one: their sweep.csv is not an
    # earlier sweep's (no points/ beside it), so even --force is refused
    assert main([*base, "-o", str(mine), "--force"]) == 2
    assert "never over them" in capsys.readouterr().err
    assert (mine / "sweep.csv").read_text() == "my own table\n"
    # an empty or foreign points/ is not an earlier sweep: its sweep.csv was written over
    # without --force (probe of 5 December 2026)
    (mine / POINTS_FOLDER).mkdir()
    (mine / POINTS_FOLDER / "readme.txt").write_text("mine\n")
    assert main([*base, "-o", str(mine)]) == 2
    assert main([*base, "-o", str(mine), "--force"]) == 2
    capsys.readouterr()
    assert (mine / "sweep.csv").read_text() == "my own table\n"
    (mine / POINTS_FOLDER / "readme.txt").unlink()
    (mine / POINTS_FOLDER).rmdir()
    # a run whose every point failed left no point file: its stamp makes it an earlier
    # run's, and a rerun resumes it (it was refused even with --force; review)
    ours = tmp_path / "ours"
    assert main([*base, "-o", str(ours)]) == 0
    for point in (ours / POINTS_FOLDER).glob("*.json"):
        point.unlink()
    assert main([*base, "-o", str(ours)]) == 0
    capsys.readouterr()
    (mine / "sweep.csv").rename(mine / "notes.csv")
    assert main([*base, "-o", str(mine), "--force"]) == 0  # asked for: written beside
    assert (mine / "sweep.csv").read_text(encoding="utf-8").startswith("\ufeffpoint,")
    assert (mine / "notes.csv").read_text() == "my own table\n"
    # the program in the output folder under one of the sweep's names
    folder = tmp_path / "prog"
    folder.mkdir()
    program = folder / "sweep.html"
    program.write_bytes(bundled_examples()["tens_conventional"].read_bytes())
    before = program.read_bytes()
    for extra in ([], ["--force"]):
        code = main(["sweep", str(program), "--vary", "amplitude=10,20mA", "--safety-only",
                     "--scheduler", cluster.address, "-o", str(folder), *extra])
        assert code == 2 and "a path other than the program file" in capsys.readouterr().err
        assert program.read_bytes() == before
    code = main([*base, "--subjects", "2", "--seed", "-1", "-o", str(tmp_path / "seed")])
    assert code == 2 and "--seed: got -1" in capsys.readouterr().err
    assert not (tmp_path / "seed").exists()
    # a number of subjects too large to list is refused before the list is made (it was
    # an OverflowError, or tens of GB of memory, before the limit was checked)
    for n in ("99999999999999999999", "3000000000"):
        code = main([*base, "--subjects", n, "-o", str(tmp_path / "many")])
        assert code == 2 and f"--subjects: got {n}, expected from 1 to 10,000" in \
            capsys.readouterr().err
    # one field named twice on the command line is refused; --vary replaces a sweep file's
    # axis of the same field under another of its names
    code = main([*base, "--vary", "stimulation.amplitude=20,30mA", "-o", str(tmp_path / "2")])
    assert code == 2 and "no other axis sets" in capsys.readouterr().err
    code = main([*base, "--vary", "amplitude=30mA", "-o", str(tmp_path / "2")])
    assert code == 2 and "each axis once" in capsys.readouterr().err
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text('[vary]\n"stimulation.amplitude" = ["40 mA", "50 mA"]\n')
    code = main(["sweep", "tens_conventional", "--file", str(sweep_file), "--vary",
                 "amplitude=10mA", "--safety-only", "--scheduler", cluster.address,
                 "-o", str(tmp_path / "replaced"), "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["points"] == 1
    table = (tmp_path / "replaced" / "sweep.csv").read_text()
    assert "amplitude_mA" in table and "stimulation.amplitude" not in table


@pytest.mark.parametrize(("argv", "words"), [
    (["--fiber-class", "c", "--vary", "amplitude=10mA"], "--fiber-class: got 'c', expected "
     "--population N beside it"),
    (["--population", "10", "--vary", "amplitude=10mA", "--safety-only"],
     "--population: got 10, expected no --vary, --safety-only beside it"),
    (["--population", "10", "--subjects", "2"], "expected no --subjects beside it"),
    (["--channel", "1", "--vary", "amplitude=10mA"], "--channel: got '1', expected "
     "--population N beside it"),
    (["--population", "10", "--channel", "left"], "--channel: got 'left', expected a "
     "channel of the program: '1'"),
])
def test_options_that_a_population_or_a_grid_would_ignore_are_refused(
        argv: list[str], words: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """--fiber-class without --population, and a grid's options beside --population, were
    silently ignored (exit 0 with another sweep than the one asked for)."""
    code = main(["sweep", "tens_conventional", *argv, "-o", str(tmp_path / "out")])
    assert code == 2 and words in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("workers", ["0", "-1", "100000"])
def test_a_local_cluster_of_no_or_too_many_workers_is_refused_before_the_folder(
        workers: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--workers 0 was refused after the points/ folder was made, and 100,000 hung for
    minutes making scratch folders: both are refused first, with the range."""
    out = tmp_path / "out"
    code = main(["sweep", "tens_conventional", "--vary", "amplitude=10,20mA", "--safety-only",
                 "--workers", workers, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and f"--workers: got {workers}, expected from 1 to " in err
    assert not out.exists()


@pytest.mark.slow
def test_body_outputs_and_a_virtual_subject() -> None:
    """A few fibers per class: the window's thresholds in mA, the sensation, and one
    virtual subject (its own field and density) differing from the reference anatomy."""
    with pytest.warns(ModelRangeWarning, match="--fibers 3: a threshold of fewer than 10"):
        few = SweepOptions(fibers=3)  # a few, for time: said so
    plan = plan_sweep(TENS, [parse_axis("subject=0")], options=few)
    reference = plan_sweep(TENS, [parse_axis("amplitude=25mA")], options=few)
    ref = dict(run_point(reference.points[0], reference.options).outputs)
    sub = dict(run_point(plan.points[0], plan.options).outputs)
    for out in (ref, sub):
        assert out["safety_verdict"] == "pass"
        assert out["sensation"] in {"no sensation", "light tingling",
                                    "strong tingling, no contraction",
                                    "contraction, below pain", "painful"}
        assert 0.1 < float(out["sensory_threshold_mA"]) < 100  # type: ignore[arg-type]
        # the window Alon compared, as a column of its own (researcher's probe)
        assert out["window_pain_over_sensory"] == pytest.approx(
            float(out["pain_threshold_mA"]) / float(out["sensory_threshold_mA"]),  # type: ignore[arg-type]
            rel=1e-9)  # the outputs keep 12 figures
    assert "sensory_threshold_median_mA" in ref and "sensory_threshold_median_mA" not in sub
    # strong tingling's band and how many of estim run's people feel what, as estim run
    # gives them (the table had neither; researcher's probe of 7 December 2026)
    from estim.effects.program import VIRTUAL_SUBJECTS, effects_for_program
    from estim.program.options import Sensation
    from estim.simulate import simulate

    low, mid, high = (float(ref[f"strong_tingling_threshold_{q}_mA"])  # type: ignore[arg-type]
                      for q in ("p10", "median", "p90"))
    assert 0 < low <= mid <= high
    people = {s: ref[f"people_{s.name.lower()}"] for s in Sensation}
    assert sum(people.values()) == VIRTUAL_SUBJECTS  # type: ignore[arg-type]
    program = reference.points[0].load()
    window = effects_for_program(program, simulate(program, body=False).stimuli,
                                 counts={k: 3 for k in ("abeta", "adelta", "c", "motor",
                                                         "periosteal")}).window
    assert window is not None and window.bands is not None
    run = window.to_dict()["bands"]
    assert {s.value: n for s, n in people.items()} == run["at_programmed"]
    assert ref["people_undecided"] == sum(run["undecided_at_programmed"].values())
    assert not any(k.startswith("people_") for k in sub)  # a subject is one person
    assert sub["sensory_threshold_mA"] != ref["sensory_threshold_mA"]
    # the subject's excitability factor moves every threshold and its pain factor pain
    # alone, as in the bands: against the same person with both factors at 1
    import dataclasses

    person = plan.points[0].subject
    assert person is not None and person.excitability_scale != 1.0 != person.pain_scale
    plain = dataclasses.replace(plan.points[0], subject=dataclasses.replace(
        person, excitability_scale=1.0, pain_scale=1.0))
    base = dict(run_point(plain, plan.options).outputs)
    for name, factor in (("sensory", person.excitability_scale),
                         ("strong_tingling", person.excitability_scale),
                         ("motor", person.excitability_scale),
                         ("pain", person.excitability_scale * person.pain_scale)):
        assert float(sub[f"{name}_threshold_mA"]) == pytest.approx(  # type: ignore[arg-type]
            factor * float(base[f"{name}_threshold_mA"]), rel=1e-9), name  # type: ignore[arg-type]


def test_a_subject_point_skips_the_bands_it_does_not_print() -> None:
    """A subject point's program is that subject's anatomy, and it prints that subject's own
    thresholds: the bands over other virtual people (20 of them, each a set of drive ratios
    to compute) are not put on its window; the reference point keeps them."""
    from estim.effects.program import effects_for_program
    from estim.program import load_program
    from estim.simulate import simulate

    program = load_program(TENS)
    stimuli = simulate(program, body=False).stimuli
    counts = {k: 3 for k in ("abeta", "adelta", "c", "motor", "periosteal")}
    with_people = effects_for_program(program, stimuli, counts=counts)
    alone = effects_for_program(program, stimuli, counts=counts, bands=False)
    assert with_people.window is not None and with_people.window.bands is not None
    assert alone.window is not None and alone.window.bands is None
    # the reference anatomy's own thresholds are the same either way
    assert alone.window.sensory_a == with_people.window.sensory_a
    assert alone.window.pain_a == with_people.window.pain_a


def test_population_on_the_command_line_resumes_from_its_chunks(
        tmp_path: Path, cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    """``--population``: one line per fiber in population.csv, finished chunks kept, and a
    rerun that reads them instead of computing them (the same thresholds)."""
    out = tmp_path / "pop"
    args = ["sweep", "tens_conventional", "--population", "6", "--seed", "3",
            "--scheduler", cluster.address, "-o", str(out), "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["fibers"], first["chunks"], first["resumed_chunks"]) == (6, 1, 0)
    assert len(list((out / "chunks").glob("*.npz"))) == 1
    table = (out / "population.csv").read_text(encoding="utf-8-sig")
    assert table.count("\n") == 7 and table.startswith("fiber,threshold_mA,")
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["resumed_chunks"] == 1 and again["threshold_mA"] == first["threshold_mA"]
    assert (out / "population.csv").read_text(encoding="utf-8-sig") == table
    assert first["channel"] == "1" and first["channel_off"] is False
    assert "threshold_V" not in first


def test_a_population_named_by_channel_says_which_and_that_it_is_off(
        tmp_path: Path, cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    """--channel takes another channel's cathode; one the file switched off ran without a
    word (probe of 5 December 2026)."""
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    head, channel = text[:text.index("[[channels]]")], text[text.index("[[channels]]"):]
    right = channel.replace('name = "1"', 'name = "right"').replace("lumbar_left",
                                                                    "lumbar_right")
    path = tmp_path / "two.toml"
    path.write_text(head + channel.replace('"25 mA"', '"0 mA"') + "\n" + right,
                    encoding="utf-8")
    base = ["sweep", str(path), "--population", "3", "--scheduler", cluster.address]
    assert main([*base, "-o", str(tmp_path / "a")]) == 0
    said = capsys.readouterr().out
    assert "3 abeta fibers under channel 'right' in 1 task" in said and "is off" not in said
    assert main([*base, "--channel", "1", "-o", str(tmp_path / "b")]) == 0
    said = capsys.readouterr().out
    assert "under channel '1'" in said
    assert "channel '1' is off (0): these are its fibers' thresholds, should it be on" in said


def test_a_sweep_that_would_drop_an_earlier_tables_points_is_refused(tmp_path: Path,
                                                                      capsys) -> None:
    """Another program into an earlier sweep's folder replaced its 3-row table with 2 rows
    of the other program, exit 0 (probe of 5 December 2026). The same sweep or a larger
    grid resumes; --force replaces."""
    out = str(tmp_path / "s")
    first = ["sweep", "tens_conventional", "--vary", "amplitude=10,20,30mA", "--safety-only",
             "-o", out, "--workers", "1"]
    assert main(first) == 0
    table = (tmp_path / "s" / "sweep.csv").read_text(encoding="utf-8-sig")
    capsys.readouterr()
    for other in (["tens_burst", "--vary", "amplitude=10,20mA"],
                  ["tens_conventional", "--vary", "amplitude=10,20mA"]):
        assert main(["sweep", *other, "--safety-only", "-o", out, "--workers", "1"]) == 2
        err = capsys.readouterr().err
        assert "expected a folder of this sweep" in err and "--force" in err
        assert (tmp_path / "s" / "sweep.csv").read_text(encoding="utf-8-sig") == table
    larger = [*first[:3], "amplitude=10,20,30,40mA", *first[4:]]
    assert main(larger) == 0
    assert "1 computed, 3 from an earlier run" in capsys.readouterr().out
    assert main(["sweep", "tens_burst", "--vary", "amplitude=10mA", "--safety-only", "-o",
                 out, "--workers", "1", "--force"]) == 0


def test_sweep_without_the_sweep_extra_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    """The README's quick start installs no Dask: `estim sweep` ended in a
    ModuleNotFoundError traceback where `estim serve` says what to install (docs probe of
    5 December 2026). Nothing is written."""
    import sys

    from estim.cli.main import main

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    out = tmp_path / "s"
    assert main(["sweep", "tens_conventional", "--vary", "amplitude=1,2mA", "--safety-only",
                 "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("estim sweep: error: estim sweep needs the sweep extra (distributed is not "
                   "installed): pip install 'estim[sweep]'")
    assert not out.exists()
