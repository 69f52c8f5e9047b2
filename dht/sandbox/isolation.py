"""How far `dht test` can cut the network off here, strongest level first.

- `namespace`: the tests run in a new network namespace (`unshare --net`, with
  a user namespace when not root). Only a private loopback exists: servers the
  tests start work; nothing outside the sandbox, loopback included, is reachable.
- `socket`: no namespace possible; a sitecustomize in the sandbox makes Python
  sockets refuse every address but loopback and name lookups but `localhost`.
- `off`: asked for (`--isolation off`); the network is as on the host.

Both cut-off levels tell pip and uv to stay offline. Proxy variables (from the
lock's [env]; nothing else reaches the sandbox) point to nothing reachable from
inside, so the namespace level removes them all: an HTTP client then connects
directly, to the private loopback. The socket level points the proxies at a dead
port, the last line for programs the guard does not cover, with `no_proxy`
naming loopback so that clients honouring the variables still reach the tests'
own servers there. A namespace is only used after a probe proved, inside it,
that loopback is the one interface and works.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dht import platform
from dht.errors import DhtError
from dht.process import run

LEVELS = ("auto", "namespace", "socket", "off")
DESCRIPTION = {
    "namespace": "network namespace: only a private loopback, nothing outside the sandbox is reachable",
    "socket": "socket level: Python sockets reach loopback only, name lookups refused,"
    " proxies dead but for loopback",
    "off": "network allowed (--isolation off)",
}
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port; nothing listens there
# Loopback, in the forms clients understand: CIDR for requests, curl and httpx; urllib
# compares names, so it needs 127.0.0.1 literally.
NO_PROXY = "localhost,127.0.0.1,127.0.0.0/8,::1"
# Not HTTP_PROXY: CGI and WSGI servers turn HTTP_* variables into request headers (wsgiref
# copies os.environ into every request), so a test server would see a `Proxy:` header
# (httpoxy). Python and curl read the lower-case http_proxy; only Go reads HTTP_PROXY too.
DEAD_PROXIES = ("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
_PROBE = (
    "import os, socket\n"
    "names = sorted(n for _, n in socket.if_nameindex())\n"
    "server = socket.socket()\n"
    "server.bind(('127.0.0.1', 0))\n"
    "server.listen(1)\n"
    "socket.create_connection(server.getsockname(), timeout=5).close()\n"
    "print(','.join(names), os.getuid(), flush=True)\n"
)


@dataclass(frozen=True)
class Isolation:
    level: str
    wrapper: tuple[str, ...] = ()
    """argv prefix that enters the namespace (empty at the other levels)."""
    launch_options: tuple[str, ...] = ()
    """Options for dht_sandbox_launch.py: --loopback, --uid/--gid."""
    note: str = ""
    """Why a weaker level than asked for was taken."""

    @property
    def description(self) -> str:
        return DESCRIPTION[self.level]


def is_proxy_variable(name: str) -> bool:
    """http_proxy, HTTPS_PROXY, no_proxy, ftp_proxy, …: what HTTP clients read as proxies."""
    return name.lower().endswith("_proxy")


def proxy_env(env: Mapping[str, str], level: str) -> dict[str, str]:
    """`env` with the proxy variables of an isolation level (see the module docstring)."""
    out = {k: v for k, v in env.items() if not is_proxy_variable(k)}
    if level == "socket":
        out.update(dict.fromkeys(DEAD_PROXIES, DEAD_PROXY))
        out["no_proxy"] = out["NO_PROXY"] = NO_PROXY
    return out


def _candidates() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    unshare = shutil.which("unshare")
    if not platform.has_namespaces() or unshare is None:
        return []
    user = (unshare, "--user", "--map-root-user", "--net")
    if os.geteuid() == 0:
        return [((unshare, "--net"), ("--loopback",)), (user, ("--loopback",))]
    # Mapped root could override file permissions: the launcher maps back to the real ids.
    back = ("--uid", str(os.getuid()), "--gid", str(os.getgid()))
    return [(user, ("--loopback", *back))]


def choose(requested: str, python: Path, launcher: Path) -> Isolation:
    """The isolation to use: `requested` if possible; for `auto` the strongest that works."""
    return choose_and_describe(requested, python, launcher)[0]


def choose_and_describe(
    requested: str, python: Path, launcher: Path, describe: Sequence[str] = ()
) -> tuple[Isolation, str]:
    """`choose`, and the last output line of `describe` (a Python script, then its
    arguments) run by the namespace probe's interpreter after the network check: one
    interpreter start for both. '' when no probe ran or the script failed."""
    if requested not in LEVELS:
        raise DhtError(f"--isolation: unknown level {requested!r}", hint=f"use {', '.join(LEVELS)}")
    if requested in ("socket", "off"):
        return Isolation(requested), ""
    script, args = (_PROBE + describe[0], list(describe[1:])) if describe else (_PROBE, [])
    failures: list[str] = []
    for wrapper, options in _candidates():
        argv = [*wrapper, str(python), "-I", str(launcher), *options, "--"]
        argv += [str(python), "-I", "-c", script, *args]
        probe = run(argv, env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"}, timeout=60, check=False)
        expected = f"lo {os.getuid()}"
        lines = probe.output.strip().splitlines()
        if lines[:1] == [expected] and (probe.code == 0 or describe):
            described = lines[-1] if probe.code == 0 and len(lines) > 1 else ""
            return Isolation("namespace", wrapper, options), described
        last = lines[-1:] or [f"exit {probe.code}"]
        failures.append(f"`{' '.join(wrapper[1:])}`: {last[0]}")
    reason = "; ".join(failures) or "needs Linux and util-linux `unshare`"
    if requested == "namespace":
        raise DhtError(
            f"no network namespace available: {reason}",
            hint="allow unprivileged user namespaces, run as root, or use --isolation socket",
        )
    return Isolation("socket", note=f"no network namespace: {reason}"), ""
