"""The architecture holds: the executor never imports the compiler, and the
light commands do not pay for heavy modules."""

from __future__ import annotations

import os
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


# The import contract between dht's packages, read from the source (lazy imports
# inside functions count). Shared machinery sits at the package base; the model
# above it; the compiler, the executor, review and export each on the model only.
BASE = {"dht", "dht.errors", "dht.platform", "dht.files", "dht.process", "dht.gitrepo",
        "dht.projectfiles", "dht.uvbackend", "dht.host", "dht.pyenv", "dht.__version__",
        "dht.data"}  # fmt: skip
FEATURES = {"model", "compile", "apply", "review", "export", "sandbox", "onboard", "buildcheck"}
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "model": set(),
    "compile": {"model"},
    "apply": {"model"},
    "review": {"model"},
    "export": {"model"},
    # The sandbox names the group or extra that lists a missing module: it reads
    # pyproject.toml with the compiler's reader.
    "sandbox": {"model", "dht.compile.project"},
    "buildcheck": {"model", "compile", "sandbox"},
    # init adopts configs with the executor's editors; doctor runs the executor and
    # the lock check.
    "onboard": {"model", "compile", "apply"},
    # commands may use every feature package; the CLI every package.
    "commands": FEATURES,
    "cli": FEATURES | {"commands"},
}


def _layer(module: str) -> str:
    if module in BASE or module.startswith("dht.data."):
        return "base"
    if module in ("dht.cli", "dht.fast", "dht.__main__"):
        return "cli"
    return module.split(".")[1]


def _imports() -> dict[str, set[str]]:
    import ast
    from pathlib import Path

    package = Path(__file__).parent.parent / "dht"
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        if "_inject" in path.parts:
            continue  # runs in the sandbox's own interpreter, imports nothing of dht
        parts = path.relative_to(package.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        names = found.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names if a.name.startswith("dht"))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module == "dht":
                    names.update(f"dht.{a.name}" for a in node.names)
                elif node.module.startswith("dht."):
                    names.add(node.module)
    return found


def _violations(graph: dict[str, set[str]]) -> list[str]:
    broken = []
    for module, names in sorted(graph.items()):
        layer = _layer(module)
        allowed = ALLOWED[layer]
        for name in sorted(names):
            target = _layer(name)
            if target in (layer, "base") or target in allowed:
                continue
            if any(name == a or name.startswith(a + ".") for a in allowed if "." in a):
                continue
            broken.append(f"{module} imports {name} ({layer} -> {target})")
    return broken


def test_every_package_keeps_the_import_contract() -> None:
    graph = _imports()
    assert "dht.apply.executor" in graph and "dht.compile.resolve" in graph  # the walk saw them
    broken = _violations(graph)
    assert not broken, "\n".join(broken)


def test_the_contract_check_catches_violations() -> None:
    graph = {
        "dht.apply.executor": {"dht.compile.resolve", "dht.model.lock", "dht.platform"},
        "dht.model.lock": {"dht.apply.state"},
        "dht.sandbox.missing": {"dht.compile.project", "dht.compile.index"},
        "dht.platform": {"dht.model.names"},
    }
    assert _violations(graph) == [
        "dht.apply.executor imports dht.compile.resolve (apply -> compile)",
        "dht.model.lock imports dht.apply.state (model -> apply)",
        "dht.platform imports dht.model.names (base -> model)",
        "dht.sandbox.missing imports dht.compile.index (sandbox -> compile)",
    ]


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
        "from dht.fast import main\n"  # the entry point: a plain lock takes the fast path
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    at_first_request = set(done.stderr.splitlines()[0].split())
    assert "httpx" in at_first_request  # the probe really ran at a request
    assert not at_first_request & {"resolvelib", "dht.compile.compiler", "dht.compile.resolve"}
    assert "typer" not in at_first_request
    assert (tmp_path / "dht.lock").is_file()


def test_importing_dht_leaves_the_collectors_pace_alone() -> None:
    """dht's own process runs the collector at a slower pace (dht.fast.main); a test or a
    library that imports dht keeps its host's."""
    script = (
        "import gc\nbefore = gc.get_threshold()\nimport dht.fast, dht.cli\n"
        "print(gc.get_threshold() == before)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "True"


def test_a_cold_lock_loads_neither_the_uv_package_nor_email_policy(
    index_server: Callable[..., Any], tmp_path: Path
) -> None:
    """uv's binary is found beside the interpreter (the `uv` package's search loads
    sysconfig's data), METADATA is read with the parser's default policy."""
    server = index_server()
    (tmp_path / "dht.toml").write_text(
        f'[project]\npython = "3.11"\n[targets]\nplatforms = ["linux-x86_64"]\n'
        f'[index]\nurl = "{server.url}"\n[tools]\ntoolish = "==1.1"\n',
        encoding="utf-8",
    )
    script = (
        "import sys, atexit\n"
        "atexit.register(lambda: print(' '.join(sorted(sys.modules)), file=sys.stderr))\n"
        "sys.argv = ['dht', 'lock']\n"
        "from dht.fast import main\n"
        "main()\n"
    )
    env = {**os.environ, "DHT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stderr.split())
    assert {"httpx", "dht.compile.resolve", "email.parser"} <= loaded  # it did resolve
    assert not loaded & {"uv", "uv._find_uv", "email.policy"}
    assert "3.11." in (tmp_path / "dht.lock").read_text(encoding="utf-8")


def test_uv_bin_finds_what_the_uv_package_finds() -> None:
    from uv import find_uv_bin

    from dht.uvbackend import uv_bin

    assert Path(uv_bin()).resolve() == Path(find_uv_bin()).resolve()
