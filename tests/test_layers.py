"""The architecture holds: the executor never imports the compiler, and the
light commands do not pay for heavy modules."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _loaded(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_executor_never_imports_the_compiler() -> None:
    modules = _loaded("import dht.apply.executor, dht.commands.apply, dht.commands.run")
    assert not {m for m in modules if m.startswith("dht.compile")}
    assert "resolvelib" not in modules and "httpx" not in modules


def test_compiler_does_not_import_the_executor() -> None:
    modules = _loaded("import dht.compile.compiler, dht.compile.index, dht.commands.lock")
    assert not {m for m in modules if m.startswith("dht.apply")}


def test_apply_and_verify_do_not_load_the_writers_or_the_intent_parser() -> None:
    # A no-op apply is start-up bound: it must not pay for tomlkit (only TOML regions
    # need it, loaded when used) or for parsing requirements (the lock is already pinned).
    modules = _loaded("import dht.apply.executor, dht.commands.apply, dht.cli")
    assert "tomlkit" not in modules
    assert "packaging.requirements" not in modules
    assert "dht.model.intent" not in modules


def test_the_lock_command_module_loads_no_network_or_resolver() -> None:
    # `dht lock` decides from dht.compile.reuse whether it needs them at all.
    modules = _loaded("import dht.cli, dht.commands.lock, dht.compile.reuse")
    heavy = {"httpx", "resolvelib", "dht.compile.compiler", "dht.compile.resolve"}
    assert not modules & {*heavy, "dht.compile.index", "dht.compile.staleness"}


def test_dht_lock_sends_its_first_request_before_loading_the_resolver(
    index_server: Callable[..., Any], tmp_path: Path
) -> None:
    server = index_server()
    (tmp_path / "dht.toml").write_text(
        f'[project]\npython = "3.11.7"\n[targets]\nplatforms = ["linux-x86_64"]\n'
        f'[index]\nurl = "{server.url}"\n[tools]\ntoolish = "==1.1"\n',
        encoding="utf-8",
    )
    # At the first request, note what is loaded: the root pages leave first.
    script = (
        "import sys\n"
        "import dht.compile.index as index\n"
        "original, seen = index.IndexClient._request, []\n"
        "def first(self, *args, **kwargs):\n"
        "    if not seen:\n"
        "        seen.append(sorted(sys.modules))\n"
        "        print(' '.join(seen[0]), file=sys.stderr)\n"
        "    return original(self, *args, **kwargs)\n"
        "index.IndexClient._request = first\n"
        "sys.argv = ['dht', 'lock']\n"
        "from dht.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    at_first_request = set(done.stderr.splitlines()[0].split())
    assert "httpx" in at_first_request  # the probe really ran at a request
    assert not at_first_request & {"resolvelib", "dht.compile.compiler", "dht.compile.resolve"}
    assert (tmp_path / "dht.lock").is_file()
