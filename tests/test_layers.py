"""The architecture holds: the executor never imports the compiler, and the
light commands do not pay for heavy modules."""

from __future__ import annotations

import subprocess
import sys


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
