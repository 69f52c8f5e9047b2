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
