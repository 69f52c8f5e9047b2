"""`dht test` for real: a fixture project (tests/data/sandbox_project) whose tests depend on
the hash seed, the time zone, the locale, HOME and test order, run by real pytest in a
real venv, in real sandboxes, with real network namespaces where the machine allows."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dht.errors import DhtError
from dht.model.lock import Lock, LockEnv, LockIndex, content_hash, write_lock
from dht.projectfiles import project_files
from dht.sandbox import isolation, junit
from dht.uvbackend import python_of, uv_bin

FIXTURE = Path(__file__).parent / "data" / "sandbox_project"
SENSITIVE = {
    "tests.check_sensitive::test_set_order": ("seed",),
    "tests.check_sensitive::test_timezone": ("tz",),
    "tests.check_sensitive::test_locale_codeset": ("locale",),
    "tests.check_sensitive::test_order_second": ("order",),
}


def _make_venv(target: Path) -> None:
    """pytest from uv's cache (the version this suite runs), else from PyPI, else skip."""
    import pytest as ours

    uv = uv_bin()
    subprocess.run([uv, "venv", "-q", str(target), "--python", sys.executable], check=True)
    install = [uv, "pip", "install", "-q", "--python", str(python_of(target))]
    if subprocess.run([*install, "--offline", f"pytest=={ours.__version__}"]).returncode == 0:
        return
    if subprocess.run([*install, "pytest"]).returncode != 0:
        pytest.skip("pytest is neither in uv's cache nor reachable on PyPI")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sandbox") / "project"
    shutil.copytree(FIXTURE, root)
    _make_venv(root / ".venv")
    values = {"SANDBOX_DEMO": "locked"}
    lock = Lock(
        lock_version=1,
        python="3.11.0",
        platforms=("linux-x86_64",),
        index=LockIndex(url="https://pypi.org/simple"),
        env=LockEnv(preset="deterministic", values=values, sha256=content_hash(values)),
    )
    write_lock(root / "dht.lock", lock)
    return root


def _copy(project: Path, dest: Path) -> Path:
    """Another copy of the fixture project sharing the module's venv (a symlink)."""
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns(".venv"))
    (dest / ".venv").symlink_to(project / ".venv")
    return dest


def dht(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dht", "-C", str(root), "test", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def _json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.stdout.startswith("{"), done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def _outcomes(data: dict[str, Any]) -> dict[str, str]:
    return {t["id"]: t["outcome"] for t in data["tests"]}


def test_plain_pytest_outcomes_depend_on_the_host(project: Path, tmp_path: Path) -> None:
    """Without dht: the same tests, two host setups, different outcomes."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".sandbox_demo_rc").write_text("leftover\n")
    python, outcomes = str(python_of(project / ".venv")), []
    for n, extra in enumerate(
        [
            {"PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C.UTF-8", "HOME": str(tmp_path)},
            {"PYTHONHASHSEED": "1", "TZ": "TST+3:30", "LC_ALL": "C", "HOME": str(home)},
        ]
    ):
        report = tmp_path / f"plain-{n}.xml"
        env = {"PATH": os.defpath, "SANDBOX_DEMO": "locked", **extra}
        subprocess.run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
            cwd=project,
            env=env,
            capture_output=True,
            check=False,
        )
        outcomes.append({r.id: r.outcome for r in junit.parse(report.read_text())})
    changed = {k for k in outcomes[0] if outcomes[0][k] != outcomes[1][k]}
    assert changed == {*SENSITIVE, "tests.check_sensitive::test_home_is_clean"} - {
        "tests.check_sensitive::test_order_second"
    }


def test_same_checksum_under_different_host_environments(project: Path, tmp_path: Path) -> None:
    messy_home = tmp_path / "home"
    messy_home.mkdir()
    (messy_home / ".sandbox_demo_rc").write_text("leftover\n")
    hosts = [
        {"TZ": "UTC", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"},
        {"TZ": "TST-5:45", "LC_ALL": "C", "PYTHONHASHSEED": "123", "HOME": str(messy_home)},
        {"TZ": "TST+3:30", "LANG": "C", "PYTHONHASHSEED": "random", "SANDBOX_DEMO": "host"},
    ]
    results = []
    for host in hosts:
        done = dht(project, "--json", "-q", env={**os.environ, **host})
        assert done.returncode == 0, done.stderr
        results.append(_json(done))
    assert len({r["checksum"] for r in results}) == 1
    assert len({r["fingerprint"] for r in results}) == 1
    counts = results[0]["counts"]
    assert (counts["passed"], counts["failed"], counts["error"], counts["skipped"]) == (12, 0, 0, 4)
    assert _outcomes(results[0])["tests.check_env::test_locked_value"] == "passed"
    assert results[0]["environment"]["python"] == ".".join(map(str, sys.version_info[:3]))


def test_vary_names_exactly_the_sensitive_tests(project: Path) -> None:
    done = dht(project, "--json", "-q", "--vary", "seed,tz,locale,order")
    assert done.returncode == 3, done.stderr
    data = _json(done)
    assert len(data["runs"]) == 5
    assert {u["id"]: tuple(u["varies_with"]) for u in data["unstable"]} == SENSITIVE
    assert data["exit_code"] == 3
    text = dht(project, "-q", "--repeat", "2", "--vary", "order")
    assert text.returncode == 3
    assert "tests.check_sensitive::test_order_second  (varies with: order)" in text.stdout
    assert "failed in run 2" in text.stdout


def test_repeat_without_vary_is_deterministic(project: Path) -> None:
    done = dht(project, "-q", "--repeat", "2")
    assert done.returncode == 0, done.stderr
    assert "deterministic: every test has the same outcome in every run" in done.stdout


@pytest.fixture
def outside_server() -> Iterator[int]:
    """A loopback server in the test process: outside any sandbox."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.sendall(b"hello")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def _namespace_or_skip(project: Path) -> None:
    launcher = Path(isolation.__file__).parent / "_inject" / "dht_sandbox_launch.py"
    try:
        isolation.choose("namespace", python_of(project / ".venv"), launcher)
    except DhtError as exc:
        pytest.skip(f"no network namespace on this machine: {exc.message}")


def test_network_namespace_cuts_off_a_loopback_server_outside(
    project: Path, tmp_path: Path, outside_server: int
) -> None:
    root = _copy(project, tmp_path / "net")
    (root / "network.json").write_text(json.dumps({"port": outside_server}))
    _namespace_or_skip(root)
    inside = dht(root, "--json", "-q", "--isolation", "namespace")
    assert inside.returncode == 1, inside.stderr
    data = _json(inside)
    assert data["isolation"]["level"] == "namespace"
    found = _outcomes(data)
    assert found["tests.check_network::test_loopback_server_outside"] == "failed"
    assert found["tests.check_network::test_external_address"] == "failed"
    assert found["tests.check_network::test_own_loopback_server"] == "passed"
    # The same test reaches the server when the network is allowed: it can pass.
    allowed = _json(dht(root, "--json", "-q", "--isolation", "off"))
    assert _outcomes(allowed)["tests.check_network::test_loopback_server_outside"] == "passed"
    assert allowed["checksum"] != data["checksum"]


def test_socket_level_refuses_everything_but_loopback(
    project: Path, tmp_path: Path, outside_server: int
) -> None:
    root = _copy(project, tmp_path / "sock")
    (root / "network.json").write_text(json.dumps({"port": outside_server}))
    data = _json(dht(root, "--json", "-q", "--isolation", "socket"))
    assert data["isolation"]["level"] == "socket"
    tests = {t["id"]: t for t in data["tests"]}
    external = tests["tests.check_network::test_external_address"]
    assert external["outcome"] == "failed"
    assert "network disabled by dht test" in external["message"]
    # Documented: at this level loopback stays reachable.
    assert tests["tests.check_network::test_loopback_server_outside"]["outcome"] == "passed"


def test_missing_venv_says_dht_apply(project: Path, tmp_path: Path) -> None:
    root = tmp_path / "novenv"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns(".venv"))
    done = dht(root)
    assert done.returncode == 1
    assert "the locked environment is missing" in done.stderr
    assert "dht apply" in done.stderr
    assert "Traceback" not in done.stderr


def test_no_tests_collected_is_an_error(project: Path) -> None:
    done = dht(project, "-q", "--", "-k", "no_such_test_anywhere")
    assert done.returncode == 1
    assert "pytest collected no tests" in done.stderr


def test_copy_uses_git_file_list(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    (root / ".gitignore").write_text("ignored.txt\n")
    (root / "ignored.txt").write_text("x")
    (root / ".venv").mkdir()
    (root / ".venv" / "f").write_text("x")
    (root / "build").mkdir()
    (root / "build" / "f").write_text("x")
    walked = project_files(root)
    assert "ignored.txt" in walked and not any(p.startswith((".venv/", "build/")) for p in walked)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    listed = project_files(root)
    assert "ignored.txt" not in listed
    assert "tests/check_sensitive.py" in listed and ".gitignore" in listed
    assert not any(p.startswith((".venv/", "build/")) for p in listed)


def test_launcher_maps_a_user_back_from_fake_root() -> None:
    """The non-root path of the namespace level: `unshare --user --map-root-user --net`,
    then the launcher brings loopback up and maps the real user back."""
    setpriv, unshare, system_python = (
        shutil.which("setpriv"),
        shutil.which("unshare"),
        "/usr/bin/python3",
    )
    if os.geteuid() != 0 or not setpriv or not unshare or not Path(system_python).exists():
        pytest.skip("needs root (to become another user), setpriv, unshare and /usr/bin/python3")
    folder = Path(tempfile.mkdtemp())  # pytest's tmp folders are private to root
    folder.chmod(0o755)
    launcher = folder / "launch.py"
    shutil.copy(Path(isolation.__file__).parent / "_inject" / "dht_sandbox_launch.py", launcher)
    launcher.chmod(0o644)
    probe = "import os, socket; print(os.getuid(), [n for _, n in socket.if_nameindex()])"
    done = subprocess.run(
        [
            *(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"),
            *(unshare, "--user", "--map-root-user", "--net"),
            *(system_python, "-I", str(launcher), "--loopback", "--uid", "65534", "--gid", "65534"),
            *("--", system_python, "-I", "-c", probe),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    shutil.rmtree(folder)
    if done.returncode != 0 and "Operation not permitted" in done.stderr:
        pytest.skip(f"unprivileged user namespaces are disabled: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "65534 ['lo']"


def test_keep_leaves_the_sandbox_layout(project: Path) -> None:
    done = dht(project, "-q", "--keep", "--", "tests/check_stable.py")
    assert done.returncode == 0, done.stderr
    kept = Path(done.stdout.split("sandbox of run 1 kept: ")[1].strip())
    try:
        assert (kept / "project" / "tests" / "check_stable.py").is_file()
        assert not (kept / "project" / ".venv").exists()
        assert (kept / "junit.xml").is_file()
        assert list((kept / "home").iterdir()) == []
        assert (kept / "inject" / "dht_sandbox_launch.py").is_file()
        assert not (kept / "inject" / "sitecustomize.py").exists() or "socket" in done.stdout
    finally:
        shutil.rmtree(kept)


def _add_test(root: Path, name: str, code: str) -> None:
    (root / "tests" / name).write_text(code)


def test_failing_path_messages_give_one_checksum(project: Path, tmp_path: Path) -> None:
    """Long paths in assertion messages: pytest would shorten them, leaving part of the
    random sandbox name behind; the checksum must not change from run to run."""
    root = _copy(project, tmp_path / "paths")
    _add_test(
        root,
        "check_paths.py",
        "import os, sys\n"
        "def test_cwd():\n    assert os.getcwd() == 'nope'\n"
        "def test_tmp_path(tmp_path):\n    assert str(tmp_path) == 'nope'\n"
        "def test_file():\n    assert __file__ == 'nope'\n"
        "def test_executable():\n    assert sys.executable == 'nope'\n",
    )
    found = [_json(dht(root, "--json", "-q", "--", "tests/check_paths.py")) for _ in range(3)]
    assert len({r["checksum"] for r in found}) == 1, [r["tests"] for r in found]
    messages = {t["id"]: t["message"] for t in found[0]["tests"]}
    assert (
        messages["tests.check_paths::test_cwd"]
        == "failed: AssertionError: assert '<project>' == 'nope'"
    )
    assert "dht-test" not in json.dumps(found[0]["tests"])


def test_pytest_failing_the_session_is_not_a_pass(project: Path, tmp_path: Path) -> None:
    root = _copy(project, tmp_path / "session")
    (root / "tests" / "conftest.py").write_text(
        "def pytest_sessionfinish(session, exitstatus):\n    session.exitstatus = 1\n"
    )
    done = dht(root, "-q", "--", "tests/check_stable.py")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "pytest exited 1 although every test passed" in done.stdout
    data = _json(dht(root, "--json", "-q", "--", "tests/check_stable.py"))
    assert data["exit_code"] == 1 and data["runs"][0]["pytest_exit"] == 1


def test_symlinks_are_copied_as_links(project: Path, tmp_path: Path) -> None:
    root = _copy(project, tmp_path / "links")
    (root / "assets").mkdir()
    (root / "assets" / "f.txt").write_text("x")
    (root / "assets_link").symlink_to("assets")
    (root / "file_link.txt").symlink_to("assets/f.txt")
    assert {"assets_link", "file_link.txt", "assets/f.txt"} <= set(project_files(root))
    _add_test(
        root,
        "check_links.py",
        "from pathlib import Path\n"
        "def test_links():\n"
        "    assert Path('assets_link').is_symlink()\n"
        "    assert Path('assets_link/f.txt').read_text() == 'x'\n"
        "    assert Path('file_link.txt').read_text() == 'x'\n",
    )
    done = dht(root, "--json", "-q", "--", "tests/check_links.py")
    assert done.returncode == 0, done.stdout + done.stderr
    if shutil.which("git") is not None:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        assert {"assets_link", "file_link.txt"} <= set(project_files(root))


def _sleepers(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[:2] == [b"sleep", marker.encode()]:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("level", ["auto", "socket"])
def test_timeout_stops_the_tests_child_processes(project: Path, tmp_path: Path, level: str) -> None:
    if not Path("/proc/self/cmdline").exists() or shutil.which("sleep") is None:
        pytest.skip("needs /proc and sleep")
    # A marker of this run: other checkouts' suites may run the same test on this machine.
    marker = f"{40000 + os.getpid() % 50000}.{len(level)}"
    root = _copy(project, tmp_path / "timeout")
    _add_test(
        root,
        "check_hang.py",
        "import subprocess, time\n"
        f"def test_hang():\n    subprocess.Popen(['sleep', '{marker}'])\n    time.sleep(60)\n",
    )
    try:
        done = dht(root, "-q", "--isolation", level, "--timeout", "3", "--", "tests/check_hang.py")
        assert done.returncode == 1
        assert "did not finish within 3 s" in done.stderr
        # Killed, though on a busy machine it may take a moment to be gone from /proc.
        deadline = time.monotonic() + 10
        while _sleepers(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _sleepers(marker) == []
    finally:
        for pid in _sleepers(marker):
            os.kill(pid, 9)


def test_socket_level_refuses_lookups_and_datagrams(project: Path, tmp_path: Path) -> None:
    root = _copy(project, tmp_path / "guard")
    _add_test(
        root,
        "check_guard.py",
        "import socket\n"
        "import pytest\n"
        "NO = 'network disabled by dht test'\n"
        "CALLS = {\n"
        "    'gethostbyname': lambda: socket.gethostbyname('example.com'),\n"
        "    'gethostbyname_ex': lambda: socket.gethostbyname_ex('example.com'),\n"
        "    'gethostbyaddr': lambda: socket.gethostbyaddr('192.0.2.1'),\n"
        "    'getnameinfo': lambda: socket.getnameinfo(('192.0.2.1', 80), 0),\n"
        "    'sendto': lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
        ".sendto(b'x', ('192.0.2.1', 9)),\n"
        "    'sendto_flags': lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
        ".sendto(b'x', 0, ('192.0.2.1', 9)),\n"
        "    'sendmsg': lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
        ".sendmsg([b'x'], [], 0, ('192.0.2.1', 9)),\n"
        "}\n"
        "@pytest.mark.parametrize('name', sorted(CALLS))\n"
        "def test_refused(name):\n"
        "    with pytest.raises(OSError, match=NO):\n"
        "        CALLS[name]()\n"
        "def test_loopback_still_works():\n"
        "    assert socket.gethostbyname('localhost') == '127.0.0.1'\n"
        "    socket.getnameinfo(('127.0.0.1', 80), socket.NI_NUMERICHOST)\n"
        "    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:\n"
        "        server.bind(('127.0.0.1', 0))\n"
        "        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:\n"
        "            client.sendto(b'a', server.getsockname())\n"
        "            client.sendmsg([b'b'], [], 0, server.getsockname())\n"
        "        assert server.recv(1) + server.recv(1) == b'ab'\n"
        "    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "    assert udp.connect_ex(('192.0.2.1', 9)) != 0\n",
    )
    data = _json(dht(root, "--json", "-q", "--isolation", "socket", "--", "tests/check_guard.py"))
    assert data["isolation"]["level"] == "socket"
    assert {t["id"]: t["outcome"] for t in data["tests"] if t["outcome"] != "passed"} == {}
    assert data["counts"]["passed"] == 8


@pytest.mark.parametrize(
    "args",
    [
        ("--repeat", "-2"),
        ("--vary", "foo"),
        ("--isolation", "bogus"),
        ("--timeout", "-5"),
        ("--timeout", "0"),
    ],
)
def test_bad_option_values_are_usage_errors(project: Path, args: tuple[str, ...]) -> None:
    done = dht(project, "-q", *args)
    assert done.returncode == 2, done.stderr
    assert args[0] in done.stderr
    assert "collected" not in done.stderr and "Traceback" not in done.stderr


# Proxies: an HTTP client in the tests honours the proxy variables


HTTP_TESTS = """\
import http.server, json, os, threading, urllib.request
import pytest

class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args):
        pass

@pytest.fixture
def port():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()

@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_own_server_through_urllib(port, host):
    # urlopen's default opener honours http_proxy and no_proxy from the environment.
    with urllib.request.urlopen(f"http://{host}:{port}/", timeout=10) as answer:
        assert answer.read() == b"hello"

def test_wsgi_server_sees_no_proxy_header():
    # wsgiref copies os.environ into each request: HTTP_PROXY would read as a Proxy header.
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ.get("HTTP_PROXY", "no Proxy header").encode()]

    httpd = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{httpd.server_port}/", timeout=10) as answer:
            assert answer.read() == b"no Proxy header"
    finally:
        httpd.shutdown()
        httpd.server_close()

def test_proxy_variables():
    found = {k: v for k, v in os.environ.items() if k.lower().endswith("_proxy")}
    pytest.skip(json.dumps(found, sort_keys=True))
"""
HOST_PROXIES = {
    "http_proxy": "http://proxy.invalid:3128",
    "HTTP_PROXY": "http://proxy.invalid:3128",
    "HTTPS_PROXY": "http://proxy.invalid:3128",
    "ALL_PROXY": "socks5://proxy.invalid:1080",
    "no_proxy": "example.com",
}


def _proxied_project(project: Path, dest: Path) -> Path:
    """A copy whose tests talk to their own loopback servers (a lock may not carry a proxy:
    the network trust family of env values is refused, so the host's are what is tested)."""
    root = _copy(project, dest)
    _add_test(root, "check_http.py", HTTP_TESTS)
    values = {"SANDBOX_DEMO": "locked"}
    lock = Lock(
        lock_version=1,
        python="3.11.0",
        platforms=("linux-x86_64",),
        index=LockIndex(url="https://pypi.org/simple"),
        env=LockEnv(preset="deterministic", values=values, sha256=content_hash(values)),
    )
    write_lock(root / "dht.lock", lock)
    return root


def _proxy_run(root: Path, level: str) -> tuple[dict[str, str], dict[str, Any]]:
    done = dht(
        root, "--json", "-q", "--isolation", level, "--", "tests/check_http.py",
        env={**os.environ, **HOST_PROXIES},
    )  # fmt: skip
    data = _json(done)
    assert data["isolation"]["level"] == level
    tests = {t["id"]: t for t in data["tests"]}
    seen = tests.pop("tests.check_http::test_proxy_variables")
    assert seen["outcome"] == "skipped"
    proxies = json.loads(seen["message"].removeprefix("skipped: "))
    assert {k: t["outcome"] for k, t in tests.items()} == {
        "tests.check_http::test_own_server_through_urllib[127.0.0.1]": "passed",
        "tests.check_http::test_own_server_through_urllib[localhost]": "passed",
        "tests.check_http::test_wsgi_server_sees_no_proxy_header": "passed",
    }, tests
    assert done.returncode == 0, done.stderr
    return proxies, data


def test_loopback_http_server_through_proxies_in_a_namespace(project: Path, tmp_path: Path) -> None:
    root = _proxied_project(project, tmp_path / "proxied")
    _namespace_or_skip(root)
    proxies, _ = _proxy_run(root, "namespace")
    # Nothing outside is reachable: no proxy variable at all, the host's removed.
    assert proxies == {}


def test_loopback_http_server_through_proxies_behind_the_socket_guard(
    project: Path, tmp_path: Path
) -> None:
    root = _proxied_project(project, tmp_path / "proxied")
    proxies, _ = _proxy_run(root, "socket")
    loopback = "localhost,127.0.0.1,127.0.0.0/8,::1"
    assert proxies == {
        "ALL_PROXY": isolation.DEAD_PROXY,
        "HTTPS_PROXY": isolation.DEAD_PROXY,
        "NO_PROXY": loopback,
        "all_proxy": isolation.DEAD_PROXY,
        "http_proxy": isolation.DEAD_PROXY,
        "https_proxy": isolation.DEAD_PROXY,
        "no_proxy": loopback,
    }


# xfail and xpass, counted as pytest counts them

OUTCOME_TESTS = """\
import pytest

def test_pass():
    pass

def test_fail():
    assert 0

@pytest.mark.skip(reason="not here")
def test_skip():
    pass

@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert 0

def test_xfail_imperative():
    pytest.xfail("not today")

@pytest.mark.xfail(run=False, reason="would hang")
def test_xfail_not_run():
    pass

@pytest.mark.xfail(raises=KeyError, reason="only a KeyError")
def test_xfail_other_exception():
    raise ValueError("boom")

@pytest.mark.xfail(reason="fixed since")
def test_xpass():
    pass

@pytest.mark.xfail(strict=True, reason="must fail")
def test_xpass_strict():
    pass
"""


def _pytest_summary(root: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, int]:
    """Plain pytest's own counts, from its last line ('3 failed, 1 passed, ... in 0.1s')."""
    import re

    done = subprocess.run(
        [str(python_of(root / ".venv")), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PATH": os.defpath, "SANDBOX_DEMO": "locked", **(env or {})},
        check=False,
    )
    last = done.stdout.strip().splitlines()[-1]
    found = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", last.split(" in ")[0])}
    return {("error" if k == "errors" else k): n for k, n in found.items()}


def test_xfail_and_xpass_are_counted_as_pytest_counts_them(project: Path, tmp_path: Path) -> None:
    root = _copy(project, tmp_path / "outcomes")
    _add_test(root, "check_outcomes.py", OUTCOME_TESTS)
    done = dht(root, "--json", "-q", "--", "tests/check_outcomes.py")
    assert done.returncode == 1, done.stderr
    data = _json(done)
    assert _outcomes(data) == {
        "tests.check_outcomes::test_pass": "passed",
        "tests.check_outcomes::test_fail": "failed",
        "tests.check_outcomes::test_skip": "skipped",
        "tests.check_outcomes::test_xfail": "xfailed",
        "tests.check_outcomes::test_xfail_imperative": "xfailed",
        "tests.check_outcomes::test_xfail_not_run": "xfailed",
        "tests.check_outcomes::test_xfail_other_exception": "failed",
        "tests.check_outcomes::test_xpass": "xpassed",
        "tests.check_outcomes::test_xpass_strict": "failed",
    }
    messages = {t["id"].split("::")[1]: t["message"] for t in data["tests"]}
    assert messages["test_xfail"] == "xfailed: known bug"
    assert messages["test_xpass"] == "xpassed: fixed since"
    assert messages["test_xpass_strict"] == "failed: [XPASS(strict)] must fail"
    counts = data["counts"]
    assert counts == {
        "total": 9, "passed": 1, "failed": 3, "error": 0, "skipped": 1, "xfailed": 3, "xpassed": 1,
    }  # fmt: skip
    plain = _pytest_summary(root, "tests/check_outcomes.py")
    assert plain == {k: v for k, v in counts.items() if v and k != "total"}
    text = dht(root, "-q", "--", "tests/check_outcomes.py")
    assert "tests: 1 passed, 3 failed, 0 errors, 1 skipped, 3 xfailed, 1 xpassed (9 tests)" in (
        text.stdout
    )


def test_dht_test_and_plain_pytest_agree_on_the_fixture_project(
    project: Path, tmp_path: Path
) -> None:
    counts = _json(dht(project, "--json", "-q"))["counts"]
    # Plain pytest with dht's deterministic values, so the sensitive tests pass there too.
    steady = {"PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C.UTF-8", "HOME": str(tmp_path)}
    plain = _pytest_summary(project, env=steady)
    assert plain == {k: v for k, v in counts.items() if v and k != "total"}


# What the tests could not import, and the dht.toml key that brings it

DHT_TOML = """\
[project]
python = "3.11"
groups = ["tests"]

[tools]
pytest = ">=8"
"""


def test_collection_errors_name_the_module_and_the_key_to_add(
    project: Path, tmp_path: Path
) -> None:
    root = _copy(project, tmp_path / "imports")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[dependency-groups]\ntests = ["pytest"]\ndocs = ["PyYAML>=6"]\n'
        + '\n[project.optional-dependencies]\nhttp = ["requests"]\n'
    )
    (root / "dht.toml").write_text(DHT_TOML)
    _add_test(root, "check_yaml.py", "import yaml\n")
    _add_test(root, "check_plugin.py", "import pytest_nosuchplugin\n")
    _add_test(root, "check_http_lib.py", "from requests.adapters import HTTPAdapter\n")
    _add_test(root, "check_stdlib.py", "from json import no_such_name\n")
    _add_test(root, "check_old_pytest.py", "from pytest import no_such_name\n")
    done = dht(root, "--json", "-q", "--", "tests/")
    assert done.returncode == 1, done.stderr
    data = _json(done)
    messages = {t["id"]: t["message"] for t in data["tests"] if t["outcome"] == "error"}
    assert messages["tests.check_yaml"] == (
        "error: collection failure: ModuleNotFoundError: No module named 'yaml'"
    )
    hints = data["hints"]
    import pytest as ours

    assert hints == [
        "the tests import 'pytest_nosuchplugin', which .venv does not have; it is the pytest"
        " plugin pytest-nosuchplugin: add it to the with list of pytest in [tools] of dht.toml"
        ' (pytest = { version = ">=8", with = ["pytest-nosuchplugin"] }), then'
        " `dht lock && dht apply`",
        "the tests import 'requests', which .venv does not have: extra http of pyproject.toml"
        ' lists requests; add "http" to project.extras in dht.toml, then `dht lock && dht apply`',
        "the tests import 'yaml', which .venv does not have: group docs of pyproject.toml lists"
        ' pyyaml; add "docs" to project.groups in dht.toml, then `dht lock && dht apply`',
        "the tests import 'no_such_name' from 'json', which the standard library of Python"
        f" {'.'.join(map(str, sys.version_info[:3]))} does not have: the tests may need another"
        " Python; set python in [project] of dht.toml, then `dht lock && dht apply`",
        f"the tests import 'no_such_name' from 'pytest', which pytest {ours.__version__} in .venv"
        " does not have: the tests may need another version of pytest; require one that has it"
        " as the version of tools.pytest in dht.toml, then `dht lock && dht apply`",
    ]
    text = dht(root, "-q", "--", "tests/")
    assert "hint: the tests import 'yaml'" in text.stdout


def test_a_conftest_that_cannot_import_names_the_module(project: Path, tmp_path: Path) -> None:
    root = _copy(project, tmp_path / "conftest")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[dependency-groups]\ntests = ["PyYAML"]\n')
    (root / "dht.toml").write_text(DHT_TOML.replace('groups = ["tests"]', "groups = []"))
    (root / "tests" / "conftest.py").write_text("import yaml\n")
    done = dht(root, "-q")
    assert done.returncode == 1
    assert "ImportError while loading conftest" in done.stderr
    assert (
        "hint: the tests import 'yaml', which .venv does not have: group tests of pyproject.toml"
        ' lists pyyaml; add "tests" to project.groups in dht.toml' in done.stderr
    )
    assert "Traceback (most recent call last)" not in done.stderr


def test_the_namespace_probe_describes_the_interpreter_as_the_plain_probe_does(
    project: Path,
) -> None:
    from dht.sandbox import testrun

    _namespace_or_skip(project)
    python = python_of(project / ".venv")
    found, chosen = testrun.probe_and_choose(python, "auto")
    assert chosen.level == "namespace"
    assert found == testrun.probe(python)
    assert "pytest" in {entry.partition("==")[0] for entry in found.packages}


def test_a_failing_description_leaves_the_namespace_chosen_and_describes_nothing(
    project: Path,
) -> None:
    _namespace_or_skip(project)
    launcher = Path(isolation.__file__).parent / "_inject" / "dht_sandbox_launch.py"
    python = python_of(project / ".venv")
    chosen, out = isolation.choose_and_describe(
        "auto",
        python,
        launcher,
        ("\nimport sys\nraise SystemExit('no description: ' + sys.argv[1])", "x"),
    )
    assert (chosen.level, out) == ("namespace", "")
    chosen, out = isolation.choose_and_describe(
        "auto", python, launcher, ("\nimport sys\nprint('described', sys.argv[1])", "x")
    )
    assert (chosen.level, out) == ("namespace", "described x")
    assert isolation.choose_and_describe("socket", python, launcher, ("print(1)",)) == (
        isolation.Isolation("socket"),
        "",
    )


def _entry(root: Path, entry: str, *args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", f"from {entry} import main; main()", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def test_the_fast_path_of_dht_test_says_and_exits_as_the_cli_does(
    project: Path, tmp_path: Path
) -> None:
    from dht.fast import FAST_TEST, run_fast

    fast, slow = (_entry(project, entry, "test", "-q") for entry in ("dht.fast", "dht.cli"))
    assert fast == slow and fast[0] == 0 and fast[1].startswith("tests: "), (fast, slow)
    assert fast[2] == ""  # -q: no pytest output
    # Not quiet: pytest's output (its timings differ from run to run), then the same report.
    fast, slow = (_entry(project, entry, "test") for entry in ("dht.fast", "dht.cli"))
    assert fast[:2] == slow[:2]
    assert fast[2].startswith("== dht test: run 1/1 [baseline] ==")
    assert slow[2].startswith("== dht test: run 1/1 [baseline] ==")
    nothing = tmp_path / "nothing-here"
    nothing.mkdir()
    fast, slow = (_entry(nothing, entry, "test", "-q") for entry in ("dht.fast", "dht.cli"))
    assert fast == slow and fast[0] == 1 and "dht.lock" in fast[2], (fast, slow)
    assert set(FAST_TEST) == {("test",), ("test", "-q")}
    assert run_fast(["test", "--json"]) is None and run_fast(["test", "-q", "--keep"]) is None
    # The fast path does not load the CLI framework.
    script = "import sys\nfrom dht.fast import run_fast\nrun_fast(['test', '-q'])\nprint('typer' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=nothing, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "False", done.stderr
