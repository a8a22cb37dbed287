"""Faces are thin and nothing imports a face: no module outside ``estim/cli/`` imports
``estim.cli`` or any ``*.cli`` module (an AST scan of ``src/estim``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import estim

SRC = Path(estim.__file__).resolve().parent

#: ``python -m estim``: the command's other entry point, a face itself.
ENTRY = "estim.__main__"


def _imported(tree: ast.AST, module: str) -> list[str]:
    """Every module name ``tree`` imports, relative imports resolved against ``module``."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")[: -node.level]
                base = ".".join([*parts, base] if base else parts)
            names.append(base)
            names += [f"{base}.{a.name}" for a in node.names]
    return names


def _is_face(name: str) -> bool:
    parts = name.split(".")
    return name == "estim.cli" or name.startswith("estim.cli.") or (
        parts[0] == "estim" and "cli" in parts[1:])


def test_no_library_module_imports_the_cli() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent)
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        if module == "estim.cli" or module.startswith("estim.cli.") or module == ENTRY:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [f"{rel}: {name}" for name in _imported(tree, module) if _is_face(name)]
    assert not offenders, "library modules import a CLI module:\n" + "\n".join(offenders)


def test_every_cli_module_lives_in_the_cli_package() -> None:
    stray = [str(p.relative_to(SRC)) for p in SRC.rglob("cli.py")]
    assert not stray, f"CLI code outside estim/cli/: {stray}"


def test_sigterm_unwinds_as_ctrl_c_and_the_handler_is_restored() -> None:
    """SIGTERM (``timeout``) killed a sweep where its workers' semaphores were left to the
    resource tracker's "leaked" warning (probe of 5 December 2026): in the CLI it raises
    where Ctrl-C would, so the same clean-up runs, and exits 143 with "terminated"."""
    import os
    import signal

    import pytest

    from estim.cli.main import _terminate_as_interrupt, _Terminated

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(_Terminated), _terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs before the next line
        raise AssertionError("SIGTERM did not unwind")
    assert issubclass(_Terminated, KeyboardInterrupt)
    assert signal.getsignal(signal.SIGTERM) is before


def test_ctrl_c_while_the_command_starts_is_interrupted_not_a_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C in the first half second (while the parser imports the commands' modules)
    printed a KeyboardInterrupt traceback and the process died by the signal (hostile probe
    of 7 December 2026): "interrupted" and 130, as later in the run."""
    import estim.cli.main as cli

    def stopped() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_parser", stopped)
    assert cli.main(["check", "tens_conventional"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_ctrl_c_a_library_turned_into_its_own_error_is_still_interrupted(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C while numba compiled a kernel was taken by it and came back as "RuntimeError:
    no compiled object yet", a traceback (hostile probe of 7 December 2026, 1 in 6 first
    runs): an error raised after Ctrl-C reached the command is "interrupted" and 130, and
    the same error without Ctrl-C is not hidden."""
    import os
    import signal

    import estim.cli.main as cli

    def numba_like(program: object) -> None:
        try:
            os.kill(os.getpid(), signal.SIGINT)  # the handler runs before the next line
            raise AssertionError("Ctrl-C did not arrive")
        except KeyboardInterrupt:
            pass  # swallowed, as llvmlite does mid-compilation
        raise RuntimeError("no compiled object yet for <Library '_chunk'>")

    # Python's own Ctrl-C handler, as a command started from a shell has it (a test
    # worker of pytest-xdist ignores SIGINT: the signal never arrived there)
    outer = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        monkeypatch.setattr(cli, "_check_program_path", numba_like)
        assert cli.main(["check", "tens_conventional"]) == 130
        assert capsys.readouterr().err == "interrupted\n"
        # Python's own handler is back
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, outer)

    def broken(program: object) -> None:
        raise RuntimeError("a bug, not Ctrl-C")

    monkeypatch.setattr(cli, "_check_program_path", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["check", "tens_conventional"])


def test_the_command_imports_nothing_heavy_before_its_handler_is_in_place() -> None:
    """The package's eager imports took 0.8 s before main() could catch Ctrl-C (review of
    7 December 2026): importing the entry point loads no stage of the pipeline."""
    import subprocess
    import sys

    code = ("import sys, estim.cli.main; print(sorted(m for m in ('estim.simulate', "
            "'estim.program', 'estim.fields', 'numpy', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout
