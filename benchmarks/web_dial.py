"""The dial as the page turns it: dial steps over HTTP against a real ``estim serve``.

    .venv/bin/python benchmarks/web_dial.py [--program NAME ...]

Starts ``estim serve --no-browser`` on a free loopback port with a throwaway journal,
prepares each program through the API (``POST /api/programs``, then the job's progress until
it is done: the time to a first answer, with whatever the disk cache holds), then turns the
dial over every one of 201 positions from 0 to the device maximum, up and back (402 requests
to ``/api/jobs/ID/dial``), timing each request from the client. Prints the median, the 95th
percentile and the maximum in ms. The bar of issue 11 is 100 ms p95 on this 2-core machine;
``benchmarks/stimulator.py`` times the library's ``DialModel.at`` alone and the cold and warm
first answer in fresh interpreters.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(client: httpx.Client, server: subprocess.Popen[str]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"estim serve exited with {server.returncode}")
        try:
            client.get("/api/modes")
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("estim serve did not answer within 60 s")


def dial(client: httpx.Client, program: str) -> None:
    t0 = time.perf_counter()
    response = client.post("/api/programs", json={"mode": program})
    response.raise_for_status()
    job = response.json()["job"]
    while (state := client.get(f"/api/jobs/{job}").json())["state"] not in ("done", "failed"):
        time.sleep(0.2)
    if state["state"] == "failed":
        raise SystemExit(f"{program}: preparation failed: {state.get('error')}")
    prepared_s = time.perf_counter() - t0
    top_a = client.get(f"/api/jobs/{job}/model").json()["max_amplitude"]
    client.get(f"/api/jobs/{job}/section")  # the page fetches the section once
    times: list[float] = []
    for k in range(201):  # every dial position, up then down
        for position in (k, 200 - k):
            amplitude = f"{position / 200 * top_a * 1e3:.4f} mA"  # [A -> mA]
            t = time.perf_counter()
            r = client.get(f"/api/jobs/{job}/dial", params={"amplitude": amplitude})
            times.append(time.perf_counter() - t)
            r.raise_for_status()
    times.sort()
    p95 = times[int(0.95 * len(times))]
    print(f"{program:20s} {prepared_s:8.1f} s {len(times):6d} "
          f"{statistics.median(times) * 1e3:9.1f} {p95 * 1e3:8.1f} {times[-1] * 1e3:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", nargs="*", default=["tens_conventional", "nmes_quadriceps"])
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "estim", "serve", "--no-browser", "--port", str(port),
             "--database", f"sqlite:///{tmp}/journal.sqlite"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=900) as client:
                wait_up(client, server)
                print(f"estim serve on port {port}; load average "
                      f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
                print(f"{'program':20s} {'first answer':>10s} {'steps':>6s} "
                      f"{'median ms':>9s} {'p95 ms':>8s} {'max ms':>8s}")
                for program in args.program:
                    dial(client, program)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)


if __name__ == "__main__":
    main()
