"""The command line: parse, call, render, map errors to exit codes. Nothing else.

Heavy modules (httpx, resolvelib, rich) are imported inside the commands that
use them, so `dht --help` and `dht lock --check` start fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer

from dht import __version__
from dht.errors import (
    EXIT_DIFF,
    EXIT_FAIL,
    CheckFailed,
    DhtError,
    UsageError,
    did_you_mean,
    error_lines,
    exit_code,
    from_os_error,
)
from dht.errors import say as _say
from dht.fast import end_without_teardown, finish

T = TypeVar("T")

app = typer.Typer(
    name="dht",
    help="Lock the machine around a Python project: dht.toml (intent) -> dht.lock (pinned, reviewed) -> your machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dht {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    directory: Annotated[
        Path | None,
        typer.Option("--directory", "-C", help="Run as if dht was started in this folder."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    if directory is not None:
        try:
            os.chdir(directory)
        except OSError as exc:
            _fail(
                UsageError(
                    f"--directory: cannot enter {str(directory)!r}: {exc.strerror}",
                    hint="give a folder that exists",
                )
            )


@app.command()
def lock(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Change nothing; exit 3 when the lock is missing, stale, incomplete or not canonical.",
        ),
    ] = False,
    upgrade: Annotated[
        bool,
        typer.Option(
            "--upgrade", "-U", help="Ignore existing pins: take the newest allowed versions."
        ),
    ] = False,
    upgrade_package: Annotated[
        list[str] | None,
        typer.Option(
            "--upgrade-package",
            "-P",
            metavar="NAME",
            help="Let this package move; keep every other pin (repeatable).",
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only the cache; no network.")
    ] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ignore cached index pages.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary on stdout.")
    ] = False,
    verify_index: Annotated[
        bool,
        typer.Option(
            "--verify-index",
            help="With --check: also compare every artifact's URL, size and hash with the index (network).",
        ),
    ] = False,
) -> None:
    """Compile dht.toml into dht.lock.

    Examples:

      dht lock                      # write or update dht.lock, keeping existing pins

      dht lock --check              # in CI: exit 3 when dht.lock is not current

      dht lock --check --verify-index   # a lock from a pull request: also against the index

      dht lock -P ruff              # move ruff to the newest allowed version, nothing else
    """
    if check:
        from dht.compile.staleness import check_lock_file

        findings = _run(
            lambda: check_lock_file(Path.cwd(), verify_index=verify_index, offline=offline)
        )
        if as_json:
            _emit_json(
                {
                    "ok": not findings,
                    "findings": [{"entry": f.entry, "message": f.message} for f in findings],
                }
            )
        if findings:
            _fail(
                CheckFailed(
                    "dht.lock is not current",
                    details=[str(f) for f in findings],
                    hint="run `dht lock` and commit the result",
                )
            )
        if not as_json:
            _say("dht.lock is up to date")
        return

    from dht.commands.lock import LockRequest, run_lock

    request = LockRequest(
        root=Path.cwd(),
        upgrade=upgrade,
        upgrade_packages=tuple(upgrade_package or ()),
        offline=offline,
        refresh=refresh,
        show_progress=not as_json and sys.stderr.isatty(),
    )
    summary = _run(lambda: run_lock(request))
    if as_json:
        _emit_json(summary.to_json())
    else:
        for line in summary.lines():
            _say(line)
    end_without_teardown()  # written and said; its index pages and threads are done with


OnlyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--only",
        metavar="KIND",
        help="Only these kinds: system, environment, tool, launcher, env, config (repeatable).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON record per entry on stdout.")]
NoProbes = Annotated[
    bool,
    typer.Option("--no-probes", help="Skip behaviour probes (receipts, metadata and files only)."),
]
RerunProbes = Annotated[
    bool,
    typer.Option(
        "--probes",
        help="Run every probe, also those whose tool is unchanged since its probe passed.",
    ),
]


@app.command("apply")
def apply_command(
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Change nothing; exit 3 when anything differs (same as `dht verify`)."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; change nothing.")
    ] = False,
    only: OnlyOption = None,
    as_json: JsonOption = False,
    no_probes: NoProbes = False,
    probes: RerunProbes = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Do not ask (dht apply never asks today; for CI scripts)."
        ),
    ] = False,
) -> None:
    """Make this machine match dht.lock, then verify every entry.

    Examples:

      dht apply                 # build .venv and tool environments, write env scripts and configs

      dht apply --dry-run       # show what would change

      dht apply --only config   # only the managed config files
    """
    _apply(check=check, dry_run=dry_run, only=only, as_json=as_json, no_probes=no_probes,
           probes=probes)  # fmt: skip


@app.command("verify")
def verify_command(
    only: OnlyOption = None,
    as_json: JsonOption = False,
    no_probes: NoProbes = False,
    probes: RerunProbes = False,
) -> None:
    """Check every entry of dht.lock against this machine, probes included; exit 3 on drift.

    Each entry that is not ok is shown with its class (missing, changed-in-lock,
    drifted, broken) and the command that repairs it. A tool whose probe passed and
    whose files, interpreter and probe are unchanged since is trusted without running it
    (`--probes` runs them all).
    """
    _apply(check=True, dry_run=False, only=only, as_json=as_json, no_probes=no_probes,
           probes=probes)  # fmt: skip


def _apply(
    *,
    check: bool,
    dry_run: bool,
    only: list[str] | None,
    as_json: bool,
    no_probes: bool,
    probes: bool = False,
) -> None:
    from dht.apply.executor import Options
    from dht.commands.apply import exit_code as apply_exit_code
    from dht.commands.apply import lines, parse_only, run_apply, to_json

    options = Options(
        check=check,
        dry_run=dry_run,
        only=_run(lambda: parse_only(only)),
        probes=not no_probes,
        rerun_probes=probes,
    )
    report = _run(lambda: run_apply(Path.cwd(), options))
    if as_json:
        _emit_json(to_json(report))
    else:
        for line in lines(report, options):
            _say(line)
    code = apply_exit_code(report, options)
    if code:
        raise typer.Exit(code)


@app.command("diff")
def diff_command(
    old: Annotated[
        str | None, typer.Argument(help="A lock file or a git revision (default: HEAD).")
    ] = None,
    new: Annotated[
        str | None, typer.Argument(help="A lock file or a git revision (default: ./dht.lock).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, markdown or json.")] = "text",
) -> None:
    """What changes between two locks, grouped by kind, with the intent entry behind each change.

    Exit 0 when equal, 3 when different.

    Examples:

      dht diff                              # HEAD vs the working dht.lock

      dht diff origin/main --format markdown   # for a pull-request comment
    """
    from dht.commands.diff import run_diff
    from dht.review.diff import render_markdown, render_text

    renderers = {"text": render_text, "markdown": render_markdown}
    if fmt not in (*renderers, "json"):
        _fail(UsageError(f"--format: unknown format {fmt!r}", hint="use text, markdown or json"))
    result = _run(lambda: run_diff(Path.cwd(), old, new))
    for note in result.notes:
        _say(f"note: {note}")
    if fmt == "json":
        _emit_json(result.to_json())
    else:
        sys.stdout.write(renderers[fmt](result))
    if not result.equal:
        raise typer.Exit(EXIT_DIFF)


@app.command("explain")
def explain_command(
    name: Annotated[str, typer.Argument(help="A package name, or a system dependency id.")],
) -> None:
    """Why is NAME in dht.lock: the chains from the intent entries down to it.

    Example: dht explain click
    """
    from dht.model.lock import LOCK_FILE, read_lock
    from dht.review.explain import explain

    for line in _run(lambda: explain(read_lock(Path.cwd() / LOCK_FILE)[0], name)):
        sys.stdout.write(line + "\n")


@app.command("merge-driver", hidden=False)
def merge_driver_command(
    base: Annotated[Path, typer.Argument(help="%O: the common ancestor's lock.")],
    ours: Annotated[Path, typer.Argument(help="%A: our lock; the result is written here.")],
    theirs: Annotated[Path, typer.Argument(help="%B: their lock.")],
) -> None:
    """Git merge driver for dht.lock: merge entry by entry, re-lock when both sides changed one entry.

    Set up: git config merge.dht.driver "dht merge-driver %O %A %B" and add
    "dht.lock merge=dht" to .gitattributes.
    """
    from dht.commands.merge import merge_driver

    _run(lambda: merge_driver(Path.cwd(), base, ours, theirs))


@app.command("compare-builds")
def compare_builds_command(
    a: Annotated[Path, typer.Argument(help="A wheel, an sdist, or a folder of them.")],
    b: Annotated[Path, typer.Argument(help="The other build (same kind as A).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON record per pair on stdout.")
    ] = False,
    diffoscope: Annotated[
        bool,
        typer.Option("--diffoscope", help="Hand binary members that differ to diffoscope."),
    ] = False,
) -> None:
    """Compare two builds layer by layer: identical, same content, metadata only, content.

    Exit 0 when byte-identical, 3 otherwise.

    Example: dht compare-builds dist-a/ dist-b/
    """
    import shutil

    from dht.sandbox.compare import compare, render_text

    command = shutil.which("diffoscope") if diffoscope else None
    if diffoscope and command is None:
        _fail(
            DhtError(
                "--diffoscope: diffoscope is not installed",
                hint="pip install diffoscope (or apt install diffoscope), or leave out --diffoscope",
            )
        )
    results = _run(lambda: compare(a, b, command))
    if as_json:
        _emit_json([r.to_json() for r in results])
    else:
        sys.stdout.write(render_text(results))
    if any(r.layer != "identical" for r in results):
        raise typer.Exit(EXIT_DIFF)


@app.command("export")
def export_command(
    fmt: Annotated[
        str, typer.Option("--format", help="requirements, pylock (PEP 751) or json.")
    ] = "requirements",
    environment: Annotated[
        str | None,
        typer.Option("--environment", "-e", help="Which environment (default: project)."),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option("--platform", help="Which target platform (default: this machine's)."),
    ] = None,
) -> None:
    """Write the lock's Python environments in standard formats, on stdout.

    Examples:

      dht export > requirements-dev.txt         # project environment, this platform, hash-pinned

      dht export --format json | jq .tools
    """
    from dht.export.formats import FORMATS, as_json, pylock, requirements
    from dht.model.lock import LOCK_FILE, read_lock
    from dht.model.names import PLATFORMS

    if fmt not in FORMATS:
        _fail(UsageError(f"--format: unknown format {fmt!r}", hint=f"use {' or '.join(FORMATS)}"))
    if platform is not None and platform not in PLATFORMS:
        close = did_you_mean(platform, PLATFORMS)
        _fail(
            UsageError(
                f"--platform: unknown platform {platform!r}",
                hint=close or f"use one of {', '.join(PLATFORMS)}",
            )
        )

    def render() -> str:
        lock, _ = read_lock(Path.cwd() / LOCK_FILE)
        if fmt == "json":
            return as_json(lock)
        render_one = pylock if fmt == "pylock" else requirements
        return render_one(lock, environment, platform)

    sys.stdout.write(_run(render))


@app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run_command(
    command: Annotated[list[str], typer.Argument(help="The command and its arguments, after --.")],
) -> None:
    """Run a command with the locked environment variables and tools on PATH.

    Example: dht run -- pytest -q
    """
    from dht.commands.run import run_in_env

    raise typer.Exit(_run(lambda: run_in_env(Path.cwd(), command)))


@app.command("env")
def env_command(
    shell: Annotated[str, typer.Option("--shell", help="bash, zsh, fish or powershell.")] = "bash",
) -> None:
    """Print shell code that sets the locked environment: eval "$(dht env)"."""
    from dht.commands.run import env_script

    sys.stdout.write(_run(lambda: env_script(Path.cwd(), shell)))


ci_app = typer.Typer(
    help="Write CI configuration for the lock: `dht ci github`.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(ci_app, name="ci")


@ci_app.command("github")
def ci_github_command(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Change nothing; print a diff and exit 3 when the workflow is missing or not what the lock gives.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write (default: .github/workflows/dht.yml at the repository root).",
        ),
    ] = None,
    dht_spec: Annotated[
        str | None,
        typer.Option(
            "--dht-spec",
            metavar="SPEC",
            help="How the workflow installs dht: `dht-lock==VERSION` or `dht-lock @ URL` (default: as this dht was installed: a release of the index, or the git commit or URL it came from).",
        ),
    ] = None,
) -> None:
    """Write a GitHub Actions workflow: check the lock, apply, verify and test it on a runner
    for each of the lock's platforms, build reproducibly and compare the builds.

    Examples:

      dht ci github                 # write .github/workflows/dht.yml

      dht ci github --check         # in CI: exit 3 when the workflow is not what the lock gives

      dht ci github --dht-spec 'dht-lock @ git+https://github.com/ORG/dht@COMMIT'
    """
    from dht.commands.ci import github

    outcome = _run(lambda: github(Path.cwd(), spec=dht_spec, output=output, check=check))
    if check and not outcome.current:
        sys.stdout.write(outcome.diff)
        for line in outcome.lines(check):
            _say(line)
        _say("  hint: run `dht ci github` and commit the result")
        raise typer.Exit(EXIT_DIFF)
    for line in outcome.lines(check):
        _say(line)


@app.command("build")
def build_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="With --normalize: wheels/sdists to rewrite in place (no build)."),
    ] = None,
    reproducible: Annotated[
        bool,
        typer.Option(
            "--reproducible",
            help="Build twice under varied conditions and compare; exit 3 unless identical.",
        ),
    ] = False,
    normalize: Annotated[
        bool,
        typer.Option("--normalize", help="Rewrite wheels/sdists into their canonical form."),
    ] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            "-o",
            help="Where to keep the (first) build's files (plain `dht build`: dist/; --reproducible keeps none unless given).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON on stdout.")] = False,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify/--no-verify",
            help="Verify the kept build (as `dht verify-build`); exit 3 when a check fails.",
        ),
    ] = True,
) -> None:
    """Build the project's sdist and wheel with its own build backend (via uv build).

    --reproducible builds twice, the second time with another umask, time zone,
    locale, hash seed, HOME, build path and file times, both with SOURCE_DATE_EPOCH
    from the last commit, and says per file: identical, identical after
    normalizing, or different. Exit 0 when all are byte-identical (with
    --normalize: identical after normalizing), 3 otherwise.

    The build kept (dist/, or --reproducible's first build) is then verified as
    `dht verify-build` does; a failed check exits 3 and leaves the files in place.

    Examples:

      dht build                          # dist/*.whl, dist/*.tar.gz

      dht build --reproducible --json

      dht build --reproducible --normalize --out-dir dist/

      dht build --normalize dist/*.whl dist/*.tar.gz
    """
    from dht.commands import build as builds

    root = Path.cwd()
    if paths:
        if not normalize or reproducible:
            _fail(UsageError("files are taken by --normalize alone", hint="dht build --normalize dist/*"))  # fmt: skip
        from dht.gitrepo import source_date

        done = _run(lambda: builds.normalize_files(paths, source_date(root)))
        if as_json:
            _emit_json(builds.normalized_json(done))
        else:
            sys.stdout.write(builds.render_normalized(done))
        return
    target = out_dir or root / "dist"
    if reproducible:
        report = _run(lambda: builds.reproducible(root, normalize_builds=normalize, out_dir=out_dir, verify=verify))  # fmt: skip
    else:
        report = _run(lambda: builds.build(root, target, normalize_builds=normalize, verify=verify))  # fmt: skip
    if as_json:
        _emit_json(report.to_json())
    else:
        sys.stdout.write(builds.render_build(report, reproducible_check=reproducible))
    if report.verification is not None and not report.verification.ok:
        kept = (
            f"the files stay in {target}" if not reproducible or out_dir else "no files were kept"
        )
        _fail(CheckFailed(f"the build failed verification: {kept}",
                          hint="the reasons are listed above, per artifact and check"))  # fmt: skip
    if not report.ok:
        raise typer.Exit(EXIT_DIFF)


@app.command("verify-build")
def verify_build_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Wheels and sdists to verify (e.g. dist/*).",
            show_default=False,
            metavar="FILES...",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON on stdout.")] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="No network: installs and the index from caches only.")
    ] = False,
) -> None:
    """Verify built wheels and sdists: a verdict per check (well-formed, contents,
    metadata, platform, loadable, installable) with its reasons. Exit 3 when a check fails.

    Uses the dht.lock of the current folder, when there is one, for the index, the
    target platforms and the Python; without one, PyPI and this machine.

    Examples:

      dht verify-build dist/*

      dht verify-build --json downloaded/*.whl
    """
    from dht.buildcheck.run import render
    from dht.commands.verify_build import verify_files

    report = _run(lambda: verify_files(paths, root=None, lock_root=Path.cwd(), offline=offline))
    if as_json:
        _emit_json(report.to_json())
    else:
        sys.stdout.write(render(report))
    if not report.ok:
        _fail(CheckFailed("verification failed", hint="the reasons are listed above, per artifact and check"))  # fmt: skip


@app.command("init")
def init_command(
    force: Annotated[bool, typer.Option("--force", help="Replace an existing dht.toml.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the file on stdout instead of writing it."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="What was found, as JSON on stdout.")
    ] = False,
) -> None:
    """Write a starter dht.toml from what the project already declares.

    Reads the Python version (.python-version, requires-python), pinned hooks in
    .pre-commit-config.yaml, dev dependency groups and extras, requirements-dev
    files, and [tool.*] tables (adopted as config entries, as they are), and says
    what it found where and what it left out. Never replaces dht.toml without --force.

    Examples:

      dht init && dht lock && dht apply

      dht init --dry-run            # print the file, write nothing
    """
    from dht.commands.init import report_lines, run_init

    result = _run(lambda: run_init(Path.cwd(), force=force, dry_run=dry_run))
    if dry_run and not as_json:
        sys.stdout.write(result.text)
    if as_json:
        _emit_json(
            {**result.plan.to_json(), "written": result.written is not None, "text": result.text}
        )
    else:
        for line in report_lines(result):
            _say(line)


@app.command("doctor")
def doctor_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="The findings as JSON on stdout.")
    ] = False,
) -> None:
    """What dht sees on this machine: platform and target, distribution and package
    manager, Python interpreters, uv, the cache, and whether the lock is current
    and the machine in sync. Exit 0 when nothing needs attention, 1 otherwise.

    Example: dht doctor --json
    """
    from dht.commands.doctor import run_doctor

    report = _run(lambda: run_doctor(Path.cwd()))
    if as_json:
        _emit_json(report.to_json())
    else:
        sys.stdout.write("".join(line + "\n" for line in report.lines()))
    if report.problems:
        raise typer.Exit(EXIT_FAIL)


@app.command("test", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def test_command(
    pytest_args: Annotated[
        list[str] | None, typer.Argument(help="Arguments for pytest, after --.")
    ] = None,
    repeat: Annotated[
        int,
        typer.Option(
            "--repeat",
            help="Run N times (0: once; with --vary, once per condition plus the baseline).",
        ),
    ] = 0,
    vary: Annotated[
        str, typer.Option("--vary", help="Conditions the repeated runs vary: seed,tz,locale,order.")
    ] = "",
    isolation: Annotated[
        str, typer.Option("--isolation", help="auto, namespace, socket or off (network allowed).")
    ] = "auto",
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per pytest run.")] = 3600.0,
    keep: Annotated[
        bool, typer.Option("--keep", help="Leave the sandbox folders in place.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not show pytest's output.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON on stdout.")] = False,
) -> None:
    """Run the project's tests from the locked environment (.venv) in a sandbox: a copy of the
    project, private HOME and TMPDIR, an environment built from nothing, the network cut off.
    Prints pass/fail counts, a checksum of the normalized results and a fingerprint of the
    environment. Exit 0 when the tests pass, 1 when they fail, 3 when outcomes vary between runs.

    Examples:

      dht test

      dht test -- -k parser tests/unit

      dht test --vary seed,tz,locale,order
    """
    from dht.commands.test import execute
    from dht.sandbox.isolation import LEVELS
    from dht.sandbox.testrun import DIMENSIONS

    dims = [v.strip() for v in vary.split(",") if v.strip()]
    # Bad values are usage errors (exit 2), found before anything runs.
    if repeat < 0:
        _fail(UsageError(f"--repeat: {repeat} is below 0", hint="0 runs once"))
    unknown = [v for v in dims if v not in DIMENSIONS]
    if unknown:
        _fail(
            UsageError(
                f"--vary: unknown condition {unknown[0]!r}", hint=f"use {','.join(DIMENSIONS)}"
            )
        )
    if isolation not in LEVELS:
        _fail(
            UsageError(f"--isolation: unknown level {isolation!r}", hint=f"use {', '.join(LEVELS)}")
        )
    if not timeout > 0:  # also refuses nan
        _fail(
            UsageError(
                f"--timeout: {timeout:g} is not a positive number of seconds", hint="e.g. 600"
            )
        )
    count = repeat or (1 + len(dims) if dims else 1)
    code = _run(
        lambda: execute(
            Path.cwd(),
            pytest_args or [],
            repeat=count,
            vary=dims,
            isolation=isolation,
            timeout=timeout,
            keep=keep,
            quiet=quiet,
            as_json=as_json,
        )
    )
    if code:
        raise typer.Exit(code)


def _run(call: Callable[[], T]) -> T:
    try:
        return call()
    except DhtError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(from_os_error(exc))
    except KeyboardInterrupt:
        _say("interrupted")
        raise typer.Exit(130) from None


def _fail(exc: DhtError) -> NoReturn:
    for line in error_lines(exc):
        _say(line)
    raise typer.Exit(exit_code(exc))


def _emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main() -> None:
    # Typer 0.28 vendors click; its UsageError is the base of typer.BadParameter.

    from typer._click.exceptions import UsageError as ClickUsageError

    try:
        code = app(standalone_mode=False)
    except ClickUsageError as exc:
        # click's own errors (unknown option, missing value) in dht's format, exit 2.
        hint = f"`{exc.ctx.command_path} --help` lists the options" if exc.ctx else None
        try:
            _fail(UsageError(exc.format_message(), hint=hint))
        except typer.Exit as done:
            sys.exit(done.exit_code)
    except typer.Abort:
        _say("interrupted")
        sys.exit(130)
    finish(code if isinstance(code, int) else 0)
