"""Every error in dht.lock names its line, inside `[[packages]]` too (the n-th table is counted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dht.errors import InputError
from dht.model.lock import read_lock
from dht.model.toml import find_line

EXAMPLE = Path(__file__).resolve().parent.parent / "dht.lock.example"


def test_bad_version_in_the_third_package_names_its_line(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("[[packages]]")]
    third = starts[2]
    version = next(i for i in range(third, starts[3]) if lines[i].startswith("version = "))
    lines[version] = 'version = "not a version!"\n'
    (tmp_path / "dht.lock").write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_lock(tmp_path / "dht.lock")
    assert str(caught.value.where).endswith(f"dht.lock:{version + 1}"), str(caught.value)
    assert "packages[2].version" in caught.value.message


def test_find_line_counts_arrays_of_tables_and_their_subtables() -> None:
    text = (
        "version = 1\n"  # 1
        "[[packages]]\n"  # 2
        'name = "a"\n'  # 3
        "[[packages]]\n"  # 4
        'name = "b"\n'  # 5
        "[packages.meta]\n"  # 6
        "x = 1\n"  # 7
        "[[packages.artifacts]]\n"  # 8
        'url = "u"\n'  # 9
        "[[packages.artifacts]]\n"  # 10
        'url = "v"\n'  # 11
    )
    assert find_line(text, ["packages[1]", "name"]) == 5
    assert find_line(text, ["packages", "0", "name"]) == 3
    assert find_line(text, ["packages[1]", "meta", "x"]) == 7
    assert find_line(text, ["packages[1]", "artifacts[1]", "url"]) == 11
    assert find_line(text, ["packages[0]"]) == 2
    assert find_line(text, ["version"]) == 1
