"""JUnit normalization and the run plan of `dht test`: pure functions, no processes."""

from __future__ import annotations

import pytest

from dht.errors import DhtError
from dht.sandbox import junit
from dht.sandbox.testrun import DIMENSIONS, Condition, RunResult, conditions, unstable_tests

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1"
 tests="4" time="{t}" timestamp="{stamp}" hostname="{host}">
{cases}
</testsuite></testsuites>
"""
CASES = [
    '<testcase classname="tests.test_a" name="test_ok" time="{t}" />',
    '<testcase classname="tests.test_a" name="test_bad" time="{t}"><failure message="assert &lt;Obj at 0x7f3a2b&gt; in {root}/project/x">long traceback {root}</failure></testcase>',
    '<testcase classname="tests.test_b.TestC" name="test_skip[1]" time="{t}"><skipped type="pytest.skip" message="not here" /></testcase>',
    '<testcase classname="tests.test_b.TestC" name="test_teardown" time="{t}"><failure message="boom" /><error message="teardown {root}/tmp/x" /><system-out>noise {t}</system-out></testcase>',
]


def report(
    *,
    t: str = "0.1",
    stamp: str = "2026-01-01T00:00:00",
    host: str = "a",
    root: str = "/tmp/dht-test-1",
    order: tuple[int, ...] = (0, 1, 2, 3),
) -> str:
    cases = "\n".join(CASES[i].format(t=t, root=root) for i in order)
    return REPORT.format(t=t, stamp=stamp, host=host, cases=cases)


def masks(root: str) -> list[tuple[str, str]]:
    return [(f"{root}/project", "<project>"), (f"{root}/tmp", "<tmp>"), (root, "<sandbox>")]


def test_parse_outcomes_messages_and_order() -> None:
    results = junit.parse(report(), masks("/tmp/dht-test-1"))
    assert [(r.id, r.outcome) for r in results] == [
        ("tests.test_a::test_bad", "failed"),
        ("tests.test_a::test_ok", "passed"),
        ("tests.test_b.TestC::test_skip[1]", "skipped"),
        ("tests.test_b.TestC::test_teardown", "error"),
    ]
    assert results[0].message == "failed: assert <Obj at 0x?> in <project>/x"
    assert results[3].message == "failed: boom\nerror: teardown <tmp>/x"
    assert junit.counts(results) == junit.Counts(total=4, passed=1, failed=1, error=1, skipped=1)


def test_checksum_ignores_time_host_order_and_sandbox_path() -> None:
    one = junit.parse(report(), masks("/tmp/dht-test-1"))
    other_root = "/var/tmp/dht-test-zz9"
    two = junit.parse(
        report(t="9.9", stamp="2030-05-05T05:05:05", host="b", root=other_root, order=(3, 1, 0, 2)),
        masks(other_root),
    )
    assert junit.checksum(one) == junit.checksum(two)
    assert junit.canonical(one) == junit.canonical(two)


def test_checksum_changes_with_outcome_or_message() -> None:
    base = junit.checksum(junit.parse(report()))
    assert (
        junit.checksum(
            junit.parse(
                report().replace(
                    'name="test_ok" time="0.1" />',
                    'name="test_ok"><skipped message="x"/></testcase>',
                )
            )
        )
        != base
    )
    assert junit.checksum(junit.parse(report().replace("boom", "bang"))) != base


def test_mask_longest_path_first() -> None:
    text = junit.mask(
        "/r/project/a /r/b 0xDEADbeef", [("/r", "<sandbox>"), ("/r/project", "<project>")]
    )
    assert text == "<project>/a <sandbox>/b 0x?"


def test_unreadable_report_is_a_dht_error() -> None:
    with pytest.raises(DhtError, match="unreadable JUnit report"):
        junit.parse("<testsuite><testcase")


def test_conditions_vary_one_dimension_per_run() -> None:
    plan = conditions(9, list(DIMENSIONS), ["C.UTF-8", "C"])
    assert plan[0] == Condition()
    assert [c.describe() for c in plan[1:]] == [
        ["PYTHONHASHSEED=1"],
        ["TZ=TST+3:30"],
        ["LC_ALL=C"],
        ["order=reverse"],
        ["PYTHONHASHSEED=2"],
        ["TZ=TST-5:45"],
        ["LC_ALL=C"],
        ["order=shuffle:2"],
    ]
    assert conditions(3, [], ["C.UTF-8"]) == [Condition()] * 3
    assert plan[4].env()["DHT_TEST_ORDER"] == "reverse"
    assert "DHT_TEST_ORDER" not in plan[0].env()


def test_conditions_reject_unknown_dimension_and_bad_repeat() -> None:
    with pytest.raises(DhtError, match="unknown condition 'moon'"):
        conditions(2, ["moon"], [])
    with pytest.raises(DhtError, match="at least 1"):
        conditions(0, [], [])


def _run(number: int, condition: Condition, outcomes: dict[str, str]) -> RunResult:
    results = tuple(junit.TestResult(k, v, "") for k, v in sorted(outcomes.items()))
    return RunResult(number, condition, 0, results, "")


def test_unstable_tests_name_the_changed_dimension() -> None:
    runs = [
        _run(1, Condition(), {"a": "passed", "b": "passed", "c": "failed"}),
        _run(2, Condition(seed="1"), {"a": "failed", "b": "passed", "c": "failed"}),
        _run(3, Condition(tz="TST+3:30"), {"a": "passed", "b": "passed", "c": "failed"}),
        _run(4, Condition(), {"a": "passed", "c": "failed"}),
    ]
    found = unstable_tests(runs)
    assert [(u.id, u.outcomes, u.varies_with) for u in found] == [
        ("a", ("passed", "failed", "passed", "passed"), ("seed",)),
        ("b", ("passed", "passed", "passed", "absent"), ()),
    ]


def test_mask_catches_a_shortened_sandbox_path() -> None:
    """pytest shortens long reprs; the random part of the sandbox name must not survive."""
    one = junit.mask("assert '/tmp/dht-tes...igaun/project' == 'nope'", [])
    two = junit.mask("assert '/tmp/dht-tes...x7q2z/project' == 'nope'", [])
    assert one == two == "assert '<sandbox>.../project' == 'nope'"
    cut_late = junit.mask("'/tmp/dht-test-ab12...ject/tests/x.py'", [])
    assert cut_late == "'<sandbox>...ject/tests/x.py'"
    assert junit.mask("'/srv/data/lo...ng/file' x...y", []) == "'/srv/data/lo...ng/file' x...y"


XFAIL_CASES = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="t" name="test_xfail"><skipped type="pytest.xfail" message="known bug" /></testcase>
<testcase classname="t" name="test_skip"><skipped type="pytest.skip" message="not here" /></testcase>
<testcase classname="t" name="test_xpass"><properties><property name="dht_xpassed" value="fixed since" /></properties></testcase>
<testcase classname="t" name="test_xpass_teardown"><properties><property name="dht_xpassed" value="" /></properties><error message="teardown boom" /></testcase>
<testcase classname="t" name="test_strict"><failure message="[XPASS(strict)] must fail" /></testcase>
<testcase classname="t" name="test_pass"><properties><property name="other" value="x" /></properties></testcase>
<testcase classname="" name="tests.test_c"><error message="collection failure">ImportError while importing test module '/r/project/tests/test_c.py'.
E   ImportError: cannot import name 'x' from 'json' (/r/python/json/__init__.py)</error></testcase>
</testsuite></testsuites>"""


def test_xfail_xpass_and_collection_errors() -> None:
    results = {r.id: r for r in junit.parse(XFAIL_CASES, [("/r/project", "<project>")])}
    assert {k: r.outcome for k, r in results.items()} == {
        "t::test_xfail": "xfailed",
        "t::test_skip": "skipped",
        "t::test_xpass": "xpassed",
        "t::test_xpass_teardown": "error",
        "t::test_strict": "failed",
        "t::test_pass": "passed",
        "tests.test_c": "error",
    }
    assert results["t::test_xfail"].message == "xfailed: known bug"
    assert results["t::test_xpass"].message == "xpassed: fixed since"
    assert results["t::test_xpass_teardown"].message == "xpassed: \nerror: teardown boom"
    assert results["tests.test_c"].message == (
        "error: collection failure: ImportError: cannot import name 'x' from 'json'"
        " (/r/python/json/__init__.py)"
    )
    assert junit.counts(results.values()) == junit.Counts(
        total=7, passed=1, failed=1, error=2, skipped=1, xfailed=1, xpassed=1
    )


def test_checksum_tells_xfailed_from_skipped_and_xpassed_from_passed() -> None:
    xfail = junit.checksum(junit.parse(XFAIL_CASES))
    as_skip = XFAIL_CASES.replace('type="pytest.xfail"', 'type="pytest.skip"')
    as_pass = XFAIL_CASES.replace('name="dht_xpassed" value="fixed since"', 'name="o" value=""')
    assert (
        len({xfail, junit.checksum(junit.parse(as_skip)), junit.checksum(junit.parse(as_pass))})
        == 3
    )


def test_proxy_variables_per_isolation_level() -> None:
    from dht.sandbox.isolation import DEAD_PROXY, proxy_env

    host = {"http_proxy": "http://proxy:3128", "NO_PROXY": "corp", "Ftp_Proxy": "x", "KEEP": "1"}
    assert proxy_env(host, "namespace") == {"KEEP": "1"}
    socket_level = proxy_env(host, "socket")
    assert socket_level["http_proxy"] == socket_level["HTTPS_PROXY"] == DEAD_PROXY
    assert (
        socket_level["no_proxy"]
        == socket_level["NO_PROXY"]
        == "localhost,127.0.0.1,127.0.0.0/8,::1"
    )
    assert "Ftp_Proxy" not in socket_level and socket_level["KEEP"] == "1"
    # httpoxy: a WSGI test server would turn HTTP_PROXY into a `Proxy:` request header.
    assert "HTTP_PROXY" not in socket_level


def test_canonical_is_the_sorted_indented_json_it_always_was() -> None:
    # The checksum's definition: canonical() builds it by hand for speed, so hold it to
    # json.dumps of the sorted results, on strings that need escaping.
    import json
    from dataclasses import asdict

    odd = ['a"b', "back\\slash", "tab\tnew\nline", "\x00\x1f\x7f", "é ü ✓ 😀", "", "</x>&"]
    results = [
        junit.TestResult(f"tests.m::{text}[{i}]", junit.OUTCOMES[i % 6], text)
        for i, text in enumerate(odd * 3)
    ]
    expected = json.dumps(
        [asdict(r) for r in sorted(results)], sort_keys=True, ensure_ascii=False, indent=1
    )
    assert junit.canonical(results) == (expected + "\n").encode("utf-8")
    assert junit.canonical(results[:1]) == (
        json.dumps([asdict(results[0])], sort_keys=True, ensure_ascii=False, indent=1) + "\n"
    ).encode("utf-8")
    assert junit.canonical([]) == b"[]\n"


def test_masker_matches_mask_on_every_kind_of_text() -> None:
    paths = [("/r", "<sandbox>"), ("/r/project", "<project>"), ("", "<never>")]
    texts = [
        "",
        "plain",
        "/r/project/a /r/b 0xDEADbeef",
        "assert '/tmp/dht-tes...igaun/project' == 'nope'",
        "0X12 is not an address",
    ]
    masked = junit.Masker(paths)
    assert [masked(t) for t in texts] == [
        "",
        "plain",
        "<project>/a <sandbox>/b 0x?",
        "assert '<sandbox>.../project' == 'nope'",
        "0X12 is not an address",
    ]
