"""Hostile filesystems on the input side: every read of a user path goes through
kubegen.safefs, so a FIFO, a device, a dangling link, a link loop, endless input or a
closed stdin is one clear problem for that entry, never a hang, a MemoryError or a
traceback, and the rest of the run goes on."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kubegen import safefs
from kubegen.lint import lint_paths
from kubegen.reader import read_paths

CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n"
SERVICE_WITHOUT_PODS = "apiVersion: v1\nkind: Service\nmetadata:\n  name: lost\nspec:\n  selector: {app: none}\n" \
    "  ports:\n  - port: 80\n"


def kubegen(*args: str, shell_redirect: str = "", env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real process, so that a hang is a timeout and a crash is a traceback."""
    command = " ".join([f"'{sys.executable}'", "-m", "kubegen", *(f"'{a}'" for a in args)]) + shell_redirect
    return subprocess.run(
        command, shell=True, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    """A directory with good files and, among them, a FIFO, a link to /dev/zero, a
    dangling link and a link loop, all with manifest names."""
    d = tmp_path / "k8s"
    d.mkdir()
    (d / "a.yaml").write_text(CONFIG.format(name="a"))
    (d / "z-service.yaml").write_text(SERVICE_WITHOUT_PODS)
    os.mkfifo(d / "fifo.yaml")
    (d / "zero.yaml").symlink_to("/dev/zero")
    (d / "dangling.yaml").symlink_to("missing.yaml")
    (d / "loop.yaml").symlink_to("loop.yaml")
    return d


def test_special_entries_are_one_finding_each_and_the_rest_is_linted(hostile_dir: Path) -> None:
    found = {f.location.file: f.message for f in lint_paths([str(hostile_dir)]) if f.rule == "yaml"}
    assert found == {
        str(hostile_dir / "dangling.yaml"):
            "is a symbolic link to 'missing.yaml', which does not exist; fix or remove the link",
        str(hostile_dir / "fifo.yaml"):
            "is a named pipe (FIFO), not a regular file; kubegen reads only regular files (a pipe or a device "
            f"could block or never end): to read it anyway, pass it on stdin (- < {hostile_dir / 'fifo.yaml'})",
        str(hostile_dir / "loop.yaml"):
            "is a symbolic link loop (it resolves to itself); point the link at a file or remove it",
        str(hostile_dir / "zero.yaml"):
            "is a symbolic link to /dev/zero, which is a character device, not a regular file; kubegen reads "
            "only regular files (a pipe or a device could block or never end): to read it anyway, pass it on "
            f"stdin (- < {hostile_dir / 'zero.yaml'})",
    }
    # the good files were read and checked: the Service's dangling selector is reported
    rules = {f.rule for f in lint_paths([str(hostile_dir)])}
    assert "selector-dangling" in rules


@pytest.mark.parametrize("command", ["lint", "import", "explain", "graph"])
def test_no_command_hangs_or_crashes_on_a_hostile_directory(hostile_dir: Path, command: str) -> None:
    proc = kubegen(command, str(hostile_dir), timeout=60)
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stdout + proc.stderr and "internal error" not in proc.stderr
    output = proc.stdout + proc.stderr
    for name in ("fifo.yaml", "zero.yaml", "dangling.yaml", "loop.yaml"):
        assert f"{hostile_dir / name}: error yaml: is a " in output, (name, output)


def test_a_fifo_named_on_the_command_line_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    proc = kubegen("lint", str(fifo), timeout=30)
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"{fifo}: error yaml: is a named pipe (FIFO), not a regular file")


def test_a_socket_is_named_as_such(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s.yaml"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        (problem,) = read_paths([str(tmp_path)]).problems
    assert problem.message.startswith("is a socket, not a regular file; kubegen reads only regular files")


def test_an_app_file_that_is_a_fifo_or_a_device_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "app.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    proc = kubegen("render", str(tmp_path / "app.py"), timeout=30)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == (f"Error: app file {tmp_path / 'app.py'}: is a named pipe (FIFO), not a regular "
                           "file; kubegen reads only regular files (a pipe or a device could block or never end)\n")
    proc = kubegen("render", str(tmp_path / "zero.py"), timeout=30)
    assert proc.returncode == 1 and "is a symbolic link to /dev/zero, which is a character device" in proc.stderr


def test_endless_stdin_stops_at_the_limit_not_at_memory_error() -> None:
    # `yes` writes one endless YAML list: only the limit ends it
    proc = subprocess.run(
        f"yes -- '- x' | '{sys.executable}' -m kubegen lint -", shell=True, capture_output=True, text=True,
        timeout=60, env={**os.environ, "KUBEGEN_MAX_INPUT_MB": "1"},
    )
    assert proc.returncode == 1, proc
    assert proc.stdout.splitlines()[0] == (
        "<stdin>: error yaml: input is more than 1 MiB, over kubegen's limit of 1 MiB; split it into several "
        "files or raise the limit with KUBEGEN_MAX_INPUT_MB"
    )


def test_the_limit_holds_while_reading_whatever_the_size_claims() -> None:
    class Endless(io.RawIOBase):
        def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
            buffer[:] = b"a" * len(buffer)
            return len(buffer)

    reader = safefs.LimitedReader(Endless(), "endless", 3 * safefs.CHUNK + 5)
    with pytest.raises(safefs.InputTooLarge, match="^endless: input is more than 3 MiB, over kubegen's limit"):
        reader.read_all()


def test_a_regular_file_over_the_limit_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 3000)
    with pytest.raises(safefs.InputTooLarge, match="input is 3,000 bytes, over kubegen's limit of 2,048 bytes") as info:
        safefs.read_input(str(path), limit=2048)
    assert info.value.size == 3000
    assert safefs.read_input(str(path), limit=4096) == b"#" * 3000


def test_closed_stdin_is_a_user_error_not_an_internal_one() -> None:
    proc = kubegen("lint", "-", shell_redirect=" <&-")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        "Error: <stdin>: standard input is closed, but - means read manifests from it; pipe them in "
        "(`helm template chart | kubegen lint -`) or name the files\n"
    )


def test_library_reads_report_unreadable_entries_as_problems(hostile_dir: Path) -> None:
    result = read_paths([str(hostile_dir)])
    assert sorted(m.name for m in result.manifests) == ["a", "lost"]
    assert sorted(Path(p.location.file).name for p in result.problems) == [
        "dangling.yaml", "fifo.yaml", "loop.yaml", "zero.yaml",
    ]
    assert result.files == 6
