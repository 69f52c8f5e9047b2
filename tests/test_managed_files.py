"""Managed regions on real files: only the region changes, drift is seen, paths are safe."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from dht.apply.managed import (
    Region,
    desired_text,
    read_region,
    region_changes,
    region_diff,
    remove_region,
    repair_region,
    write_region,
)
from dht.apply.paths import UnsafePath
from dht.errors import InputError
from dht.model.regions import Change, changes, summary

DATA = Path(__file__).parent / "data" / "managed"
RUFF = Region("pyproject.toml", "toml", "tool.ruff")
FLAKE8 = Region("setup.cfg", "ini", "flake8")
RUFF_VALUES: dict[str, Any] = {
    "line-length": 100,
    "target-version": "py311",
    "lint": {"select": ["E", "F", "I"], "per-file-ignores": {"tests/*.py": ["S101"]}},
}


def project(tmp_path: Path, *names: str) -> Path:
    for name in names:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def mtime(path: Path) -> int:
    return path.stat().st_mtime_ns


# TOML


def test_toml_write_changes_only_the_managed_table(tmp_path: Path) -> None:
    root = project(tmp_path, "pyproject.toml")
    before = (root / "pyproject.toml").read_bytes()
    head, _, rest = before.partition(b"# ruff: kept in sync by dht\n[tool.ruff]\n")
    head += b"# ruff: kept in sync by dht\n"
    _, _, tail = rest.partition(b"\n\n  # about black")

    assert write_region(root, RUFF, RUFF_VALUES) is True

    after = (root / "pyproject.toml").read_bytes()
    want = desired_text(RUFF, RUFF_VALUES).encode()
    assert after == head + want + b"\n  # about black" + tail
    assert read_region(root, RUFF) == desired_text(RUFF, RUFF_VALUES)
    assert region_diff(root, RUFF, RUFF_VALUES) == ""


def test_second_write_touches_nothing(tmp_path: Path) -> None:
    root = project(tmp_path, "pyproject.toml")
    path = root / "pyproject.toml"
    assert write_region(root, RUFF, RUFF_VALUES) is True
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    content = path.read_bytes()

    assert write_region(root, RUFF, RUFF_VALUES) is False
    assert mtime(path) == 1_000_000_000
    assert path.read_bytes() == content


def test_desired_text_renders_nested_tables_in_order() -> None:
    region = Region("pyproject.toml", "toml", 'tool."my.tool"')
    text = desired_text(region, {"lint": {"a": 1}, "b": "x", "rules": [{"id": 1}]})
    assert text == (
        '[tool."my.tool"]\nb = "x"\n\n[tool."my.tool".lint]\na = 1\n\n'
        '[[tool."my.tool".rules]]\nid = 1\n'
    )


def test_create_table_in_file_without_it(tmp_path: Path) -> None:
    original = '[project]\nname = "demo"  # hi\n\n[tool.black]\nline-length = 100\n'
    (tmp_path / "pyproject.toml").write_text(original)
    assert read_region(tmp_path, RUFF) is None

    assert write_region(tmp_path, RUFF, RUFF_VALUES) is True

    text = (tmp_path / "pyproject.toml").read_text()
    assert text == original + "\n" + desired_text(RUFF, RUFF_VALUES)
    assert read_region(tmp_path, RUFF) == desired_text(RUFF, RUFF_VALUES)
    assert write_region(tmp_path, RUFF, RUFF_VALUES) is False


def test_create_table_in_file_without_final_newline(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"')
    write_region(tmp_path, RUFF, {"line-length": 100})
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[project]\nname = "demo"\n\n[tool.ruff]\nline-length = 100\n'
    )


def test_create_file(tmp_path: Path) -> None:
    region = Region("sub/dir/ruff.toml", "toml", "lint")
    assert read_region(tmp_path, region) is None
    assert write_region(tmp_path, region, {"select": ["E"]}) is True
    assert (tmp_path / "sub/dir/ruff.toml").read_text() == '[lint]\nselect = ["E"]\n'
    assert write_region(tmp_path, region, {"select": ["E"]}) is False


def test_missing_final_newline_after_last_table_is_kept(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[a]\nx = 1\n\n[tool.ruff]\nline-length = 79")
    write_region(tmp_path, RUFF, {"line-length": 100})
    assert (tmp_path / "pyproject.toml").read_text() == (
        "[a]\nx = 1\n\n[tool.ruff]\nline-length = 100"
    )


def test_crlf_file_keeps_its_line_endings(tmp_path: Path) -> None:
    original = (
        b'[project]\r\nname = "demo"\r\n\r\n[tool.ruff]\r\nx = 1\r\n\r\n[tool.black]\r\ny = 2\r\n'
    )
    (tmp_path / "pyproject.toml").write_bytes(original)
    write_region(tmp_path, RUFF, {"line-length": 100})
    assert (tmp_path / "pyproject.toml").read_bytes() == original.replace(
        b"x = 1", b"line-length = 100"
    )
    assert write_region(tmp_path, RUFF, {"line-length": 100}) is False


def test_out_of_order_parts_are_edited_where_they_are(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ruff]\nx = 1\n\n[tool.black]\ny = 2\n\n[tool.ruff.lint]\nz = 3\n\n# end\n"
    )
    assert read_region(tmp_path, RUFF) == "[tool.ruff]\nx = 1\n\n[tool.ruff.lint]\nz = 3\n"
    write_region(tmp_path, RUFF, {"x": 5, "lint": {"z": 6}})
    assert (tmp_path / "pyproject.toml").read_text() == (
        "[tool.ruff]\nx = 5\n\n[tool.black]\ny = 2\n\n[tool.ruff.lint]\nz = 6\n\n# end\n"
    )


def test_hand_edit_is_drift(tmp_path: Path) -> None:
    root = project(tmp_path, "pyproject.toml")
    write_region(root, RUFF, RUFF_VALUES)
    path = root / "pyproject.toml"
    path.write_text(path.read_text().replace("line-length = 100", "line-length = 90"))

    assert read_region(root, RUFF) != desired_text(RUFF, RUFF_VALUES)
    diff = region_diff(root, RUFF, RUFF_VALUES)
    assert "-line-length = 100\n" in diff
    assert "+line-length = 90\n" in diff
    assert "(on disk)" in diff

    assert write_region(root, RUFF, RUFF_VALUES) is True
    assert region_diff(root, RUFF, RUFF_VALUES) == ""


def test_formatting_only_change_is_not_drift(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ruff]   # managed\n"
        "line-length=100\n"
        "target-version =   'py311'\n"
        "[tool.ruff.lint]\n"
        'select = [\n  "E",\n  "F",  # pyflakes\n  "I",\n]\n'
        "per-file-ignores = { 'tests/*.py' = [ 'S101' ] }\n"
    )
    os.utime(tmp_path / "pyproject.toml", ns=(1_000_000_000, 1_000_000_000))
    assert read_region(tmp_path, RUFF) == desired_text(RUFF, RUFF_VALUES)
    assert region_diff(tmp_path, RUFF, RUFF_VALUES) == ""
    assert write_region(tmp_path, RUFF, RUFF_VALUES) is False
    assert mtime(tmp_path / "pyproject.toml") == 1_000_000_000


def test_table_written_with_dotted_keys_or_inline_is_edited_in_place(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool]\nruff.line-length = 79  # why\n")
    assert read_region(tmp_path, RUFF) == "[tool.ruff]\nline-length = 79\n"
    assert write_region(tmp_path, RUFF, {"line-length": 100}) is True
    assert (tmp_path / "pyproject.toml").read_text() == "[tool]\nruff.line-length = 100  # why\n"

    (tmp_path / "pyproject.toml").write_text('[tool]\nruff = { line-length = 79, x = "a" }\n')
    assert write_region(tmp_path, RUFF, {"line-length": 100, "x": "a"}) is True
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[tool]\nruff = { line-length = 100, x = "a" }\n'
    )


def test_invalid_toml_is_refused(tmp_path: Path) -> None:
    original = '[project]\nname = "demo"\n\n[tool.ruff]\nline-length = = 3\n'
    (tmp_path / "pyproject.toml").write_text(original)
    with pytest.raises(InputError) as caught:
        write_region(tmp_path, RUFF, RUFF_VALUES)
    assert caught.value.where == "pyproject.toml:5"
    assert "pyproject.toml:5" in str(caught.value)
    with pytest.raises(InputError):
        read_region(tmp_path, RUFF)
    assert (tmp_path / "pyproject.toml").read_text() == original

    # Valid syntax, but a table defined twice: still refused, still named.
    (tmp_path / "pyproject.toml").write_text("[tool]\nruff.x = 1\n[tool.ruff]\ny = 2\n")
    with pytest.raises(InputError, match="not valid TOML") as caught:
        write_region(tmp_path, RUFF, RUFF_VALUES)
    assert caught.value.where is not None
    assert caught.value.where.startswith("pyproject.toml")


def test_bad_table_name_is_refused(tmp_path: Path) -> None:
    for table in ["", "tool.", "a]\nx = 1\n[b"]:
        with pytest.raises(InputError):
            write_region(tmp_path, Region("pyproject.toml", "toml", table), {"x": 1})
    assert not (tmp_path / "pyproject.toml").exists()


# INI


def test_ini_section_repaired_key_by_key_other_bytes_kept(tmp_path: Path) -> None:
    root = project(tmp_path, "setup.cfg")
    before = (root / "setup.cfg").read_text()
    values = {"max-line-length": 100, "extend-ignore": ["E203", "E501"], "statistics": True}

    repair = repair_region(root, FLAKE8, values)

    assert [str(c) for c in repair.changes] == [
        "max-line-length 79 -> 100",
        "extend-ignore [E203, W503] -> [E203, E501]",
        "statistics (absent) -> true",
    ]
    # The comment in the section stays; the new key follows the last one.
    assert (root / "setup.cfg").read_text() == before.replace(
        "max-line-length = 79", "max-line-length = 100"
    ).replace("    W503\n", "    E501\nstatistics = true\n")
    want = (
        "[flake8]\nmax-line-length = 100\nextend-ignore =\n    E203\n    E501\nstatistics = true\n"
    )
    assert desired_text(FLAKE8, values) == want
    assert read_region(root, FLAKE8) == want
    assert write_region(root, FLAKE8, values) is False


def test_ini_absent_section_appended(tmp_path: Path) -> None:
    root = project(tmp_path, "setup.cfg")
    before = (root / "setup.cfg").read_text()
    region = Region("setup.cfg", "ini", "tool:pytest")
    assert read_region(root, region) is None

    write_region(root, region, {"addopts": "-q", "testpaths": ["tests"]})

    assert (root / "setup.cfg").read_text() == (
        before + "\n[tool:pytest]\naddopts = -q\ntestpaths = tests\n"
    )
    assert write_region(root, region, {"addopts": "-q", "testpaths": ["tests"]}) is False


def test_ini_creates_file(tmp_path: Path) -> None:
    assert write_region(tmp_path, FLAKE8, {"max-line-length": 100}) is True
    assert (tmp_path / "setup.cfg").read_text() == "[flake8]\nmax-line-length = 100\n"


def test_ini_formatting_only_change_is_not_drift_but_a_value_is(tmp_path: Path) -> None:
    values = {"max-line-length": 100, "extend-ignore": ["E203", "W503"]}
    (tmp_path / "setup.cfg").write_text(
        "[flake8]\nmax-line-length:100\n# note\nextend-ignore = E203\n  W503\n"
    )
    assert region_diff(tmp_path, FLAKE8, values) == ""
    assert write_region(tmp_path, FLAKE8, values) is False

    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-line-length = 120\n")
    diff = region_diff(tmp_path, FLAKE8, values)
    assert "+max-line-length = 120\n" in diff
    assert "-    W503\n" in diff


def test_ini_section_at_end_without_final_newline(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n\n[flake8]\nmax-line-length = 79")
    write_region(tmp_path, FLAKE8, {"max-line-length": 100})
    assert (tmp_path / "setup.cfg").read_text() == (
        "[metadata]\nname = x\n\n[flake8]\nmax-line-length = 100"
    )


def test_ini_values_cannot_inject_lines(tmp_path: Path) -> None:
    bad: list[dict[str, Any]] = [
        {"a": "x\n[metadata]\nname = evil"},
        {"a\n[metadata]": "x"},
        {"a": ["ok", "x\ny"]},
        {"a": {"nested": 1}},
    ]
    for values in bad:
        with pytest.raises(InputError):
            write_region(tmp_path, FLAKE8, values)
    with pytest.raises(InputError):
        write_region(tmp_path, Region("setup.cfg", "ini", "x]\n[y"), {"a": 1})
    assert not (tmp_path / "setup.cfg").exists()


# Whole files


def test_whole_file(tmp_path: Path) -> None:
    region = Region(".editorconfig", "file", None)
    text = "root = true\n\n[*]\nend_of_line = lf\n"
    assert read_region(tmp_path, region) is None
    assert region_diff(tmp_path, region, text) != ""

    assert write_region(tmp_path, region, text) is True
    assert (tmp_path / ".editorconfig").read_bytes() == text.encode()
    assert read_region(tmp_path, region) == desired_text(region, text) == text
    os.utime(tmp_path / ".editorconfig", ns=(1_000_000_000, 1_000_000_000))
    assert write_region(tmp_path, region, text) is False
    assert mtime(tmp_path / ".editorconfig") == 1_000_000_000

    # Byte comparison: CRLF on disk is drift, and the fix writes LF.
    (tmp_path / ".editorconfig").write_bytes(text.replace("\n", "\r\n").encode())
    assert region_diff(tmp_path, region, text) != ""
    assert write_region(tmp_path, region, text) is True
    assert (tmp_path / ".editorconfig").read_bytes() == text.encode()


def test_whole_file_gets_a_final_newline(tmp_path: Path) -> None:
    region = Region(".gitattributes", "file", None)
    assert desired_text(region, "* text=auto") == "* text=auto\n"
    with pytest.raises(InputError):
        desired_text(region, {"a": 1})


# Hostile paths


@pytest.mark.parametrize("file", ["../x.toml", "/etc/passwd", "a/../../x.toml", "a\\..\\x"])
def test_paths_leaving_the_project_are_refused(tmp_path: Path, file: str) -> None:
    root = tmp_path / "project"
    root.mkdir()
    for region in [Region(file, "toml", "tool.ruff"), Region(file, "file", None)]:
        values: dict[str, Any] | str = {"x": 1} if region.format == "toml" else "x\n"
        with pytest.raises(UnsafePath):
            write_region(root, region, values)
        with pytest.raises(UnsafePath):
            read_region(root, region)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def test_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "project"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "pyproject.toml").write_text("[tool.ruff]\nx = 1\n")
    (root / "link").symlink_to(outside)
    (root / "pyproject.toml").symlink_to(outside / "pyproject.toml")

    for file in ["link/pyproject.toml", "link/new.toml", "pyproject.toml"]:
        with pytest.raises(UnsafePath):
            write_region(root, Region(file, "toml", "tool.ruff"), {"x": 2})
        with pytest.raises(UnsafePath):
            region_diff(root, Region(file, "toml", "tool.ruff"), {"x": 2})
    assert sorted(p.name for p in outside.iterdir()) == ["pyproject.toml"]
    assert (outside / "pyproject.toml").read_text() == "[tool.ruff]\nx = 1\n"


def test_symlink_into_git_or_dht_folders_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".git" / "hooks").mkdir(parents=True)
    (tmp_path / ".git" / "config").write_text("[core]\n\tbare = false\n")
    (tmp_path / ".dht").mkdir()
    (tmp_path / "gitlink.cfg").symlink_to(".git/config")
    (tmp_path / "hooksdir").symlink_to(".git")
    (tmp_path / "state").symlink_to(".dht")
    cases = [
        Region("gitlink.cfg", "ini", "alias"),
        Region("hooksdir/hooks/pre-commit", "file", None),
        Region("state/receipts.json", "file", None),
        Region("vendor/.git/config", "ini", "alias"),  # a nested repository's own folder
    ]
    for region in cases:
        with pytest.raises(UnsafePath):
            write_region(tmp_path, region, "x = 1\n" if region.format == "file" else {"st": "!sh"})
    assert (tmp_path / ".git" / "config").read_text() == "[core]\n\tbare = false\n"
    assert not (tmp_path / ".git" / "hooks" / "pre-commit").exists()
    assert list((tmp_path / ".dht").iterdir()) == []


def test_symlink_inside_the_project_writes_its_target(tmp_path: Path) -> None:
    (tmp_path / "real.toml").write_text("[a]\nb = 1\n")
    (tmp_path / "pyproject.toml").symlink_to("real.toml")
    write_region(tmp_path, RUFF, {"x": 1})
    assert (tmp_path / "pyproject.toml").is_symlink()
    assert (tmp_path / "real.toml").read_text() == "[a]\nb = 1\n\n[tool.ruff]\nx = 1\n"


# Removal (a config entry the lock no longer has)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_written_then_removed_table_restores_the_file(tmp_path: Path, newline: str) -> None:
    original = newline.join(
        [
            "# head",
            "[project]",
            'name = "x"  # keep',
            "",
            "# about other",
            "[tool.other]",
            "a = 1",
            "",
        ]
    )
    (tmp_path / "pyproject.toml").write_bytes(original.encode())
    write_region(tmp_path, RUFF, RUFF_VALUES)  # [tool.ruff] and [tool.ruff.lint…] appended
    assert read_region(tmp_path, RUFF) == desired_text(RUFF, RUFF_VALUES)
    assert remove_region(tmp_path, RUFF) is True
    assert (tmp_path / "pyproject.toml").read_bytes() == original.encode()
    assert remove_region(tmp_path, RUFF) is False  # already gone: nothing written


def test_removing_a_table_in_the_middle_keeps_the_neighbours(tmp_path: Path) -> None:
    text = '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 1\n\n[tool.ruff.lint]\nselect = ["E"]\n\n# why other\n[tool.other]\nb = 2\n'
    (tmp_path / "pyproject.toml").write_text(text)
    assert remove_region(tmp_path, RUFF)
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[project]\nname = "x"\n\n# why other\n[tool.other]\nb = 2\n'
    )


def test_ini_section_and_whole_file_removed(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n\n[flake8]\nmax-line-length = 1\n")
    assert remove_region(tmp_path, FLAKE8)
    assert (tmp_path / "setup.cfg").read_text() == "[metadata]\nname = x\n"
    whole = Region(".editorconfig", "file", None)
    write_region(tmp_path, whole, "root = true\n")
    assert remove_region(tmp_path, whole) and not (tmp_path / ".editorconfig").exists()


# Key-by-key repair: the rest of the file keeps its bytes


def test_crlf_file_repaired_key_by_key_keeps_its_line_endings(tmp_path: Path) -> None:
    original = (
        b"[tool.ruff]\r\n# why\r\nline-length = 100\r\nsrc = [\r\n  'a',  # one\r\n  'b',\r\n]\r\n"
    )
    values = {"line-length": 100, "src": ["a", "b"], "fix": True}
    path = tmp_path / "pyproject.toml"
    path.write_bytes(original.replace(b"  'b',\r\n", b"").replace(b"100", b"79"))
    repair = repair_region(tmp_path, RUFF, values)
    assert [str(c) for c in repair.changes] == [
        "line-length 79 -> 100",
        'src ["a"] -> ["a", "b"]',
        "fix (absent) -> true",
    ]
    assert path.read_bytes() == original + b"fix = true\r\n"

    ini = tmp_path / "setup.cfg"
    ini.write_bytes(b"[flake8]\r\n; why\r\nmax-line-length = 79\r\nselect =\r\n    E\r\n")
    repair_region(tmp_path, FLAKE8, {"max-line-length": 100, "select": ["E", "W"], "x": "1"})
    assert ini.read_bytes() == (
        b"[flake8]\r\n; why\r\nmax-line-length = 100\r\nselect =\r\n    E\r\n    W\r\nx = 1\r\n"
    )


def test_an_emptied_multi_line_array_gets_its_item_back_with_the_comma(tmp_path: Path) -> None:
    original = '[tool.ruff]\nsrc = [\n    "error",\n]\none = []\n'
    (tmp_path / "pyproject.toml").write_text(
        original.replace('    "error",\n', "").replace("[]", '["x"]')
    )
    assert write_region(tmp_path, RUFF, {"src": ["error"], "one": []})
    assert (tmp_path / "pyproject.toml").read_text() == original
    (tmp_path / "pyproject.toml").write_text(original)
    assert write_region(tmp_path, RUFF, {"src": ["error"], "one": ["y"]})
    assert (tmp_path / "pyproject.toml").read_text() == original.replace("[]", '["y"]')


@pytest.mark.parametrize(
    ("on_disk", "values", "after"),
    [
        # The item on the key's own line changes in place.
        (
            "[flake8]\nselect = E,\n    W\n",
            {"select": ["F,", "W"]},
            "[flake8]\nselect = F,\n    W\n",
        ),
        # It goes: the key keeps its line, the others stay continuation lines.
        ("[flake8]\nselect = E\n    W\n", {"select": ["W"]}, "[flake8]\nselect =\n    W\n"),
        # A new first item where the key line holds one: the value is written afresh.
        (
            "[flake8]\nselect = E\n    W\n",
            {"select": ["D", "E", "W"]},
            "[flake8]\nselect =\n    D\n    E\n    W\n",
        ),
        # `key:value` spacing is the section's own, for a new key too.
        (
            "[flake8]\nmax-line-length:79\n",
            {"max-line-length": 100, "x": 1},
            "[flake8]\nmax-line-length:100\nx:1\n",
        ),
        # A key deleted from the middle comes back where the lock has it.
        (
            "[flake8]\na = 1\n\nc = 3\n",
            {"a": 1, "b": 2, "c": 3},
            "[flake8]\na = 1\nb = 2\n\nc = 3\n",
        ),
        # An extra key goes with its continuation and comment lines; the rest stays.
        (
            "[flake8]\na = 1\nb =\n    x\n    # c\n    y\n; keep\nc = 3",
            {"a": 1, "c": 3},
            "[flake8]\na = 1\n; keep\nc = 3",
        ),
    ],
)
def test_ini_line_editor(tmp_path: Path, on_disk: str, values: dict[str, Any], after: str) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n\n" + on_disk)
    assert write_region(tmp_path, FLAKE8, values) is True
    assert (tmp_path / "setup.cfg").read_text() == "[metadata]\nname = x\n\n" + after
    assert write_region(tmp_path, FLAKE8, values) is False


def test_a_value_that_becomes_a_table_rewrites_the_table(tmp_path: Path) -> None:
    """What tomlkit cannot place key by key is written whole, still only the table."""
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nlint = 1\n\n[tool.black]\nx = 1\n")
    repair = repair_region(tmp_path, RUFF, {"lint": {"select": ["E"]}})
    assert [str(c) for c in repair.changes] == ['lint 1 -> {select = ["E"]}']
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[tool.ruff.lint]\nselect = ["E"]\n\n[tool.black]\nx = 1\n'
    )


def test_values_compare_as_toml_values(tmp_path: Path) -> None:
    """1, 1.0 and true differ in TOML (Python says they are equal); key order does not count."""
    region = Region("pyproject.toml", "toml", "tool.x")
    (tmp_path / "pyproject.toml").write_text("[tool.x]\nb = 1\na = 1.0\nc = true\n")
    assert region_changes(tmp_path, region, {"a": 1.0, "b": 1, "c": True}) == []
    found = region_changes(tmp_path, region, {"a": 1, "b": True, "c": 1})
    assert [str(c) for c in found or []] == ["a 1.0 -> 1", "b 1 -> true", "c true -> 1"]
    assert region_changes(tmp_path, Region("pyproject.toml", "toml", "tool.y"), {}) is None


def test_a_long_array_is_told_item_by_item() -> None:
    have = {"ignore": [f"RULE{i:03}" for i in range(20)]}
    want = {"ignore": [*have["ignore"][:5], "NEW", *have["ignore"][6:], "LAST"]}
    shown = [str(c) for c in changes(have, want, lambda v: json.dumps(v))]
    assert shown == ['ignore[5] "RULE005" -> "NEW"', 'ignore[20] (absent) -> "LAST"']
    assert summary([Change(f"k{i}", "1", "2") for i in range(7)]) == (
        "k0 1 -> 2, k1 1 -> 2, k2 1 -> 2, k3 1 -> 2, k4 1 -> 2, … 2 more"
    )


def test_a_long_ini_value_is_told_line_by_line(tmp_path: Path) -> None:
    lines = [f"pattern number {i}" for i in range(8)]
    (tmp_path / "setup.cfg").write_text(
        "[flake8]\nexclude =\n" + "".join(f"    {line}\n" for line in lines)
    )
    want = {"exclude": [*lines[:3], "other", *lines[4:]]}
    found = region_changes(tmp_path, FLAKE8, want)
    assert [str(c) for c in found or []] == ["exclude[3] pattern number 3 -> other"]
