from __future__ import annotations

import csv
import io

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.hr.parse import ImportFileError, parse

COLUMNS = ["employee_id", "email", "name", "position", "department", "store", "skills"]

names = (
    st.text(alphabet=st.characters(categories=["L", "Zs"]), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzабвгдеж", min_size=1, max_size=12)


@st.composite
def hr_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    count = draw(st.integers(min_value=1, max_value=15))
    ids = draw(st.lists(st.integers(1, 10**6), min_size=count, max_size=count, unique=True))
    rows = []
    for n in ids:
        rows.append(
            {
                "employee_id": f"E{n}",
                "email": f"user{n}@example.com",
                "name": draw(names),
                "position": draw(st.one_of(st.just(""), names)),
                "department": draw(st.one_of(st.just(""), names)),
                "store": draw(st.one_of(st.just(""), names)),
                "skills": ";".join(draw(st.lists(words, max_size=4))),
            }
        )
    return rows


def to_csv(rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@given(hr_rows(), st.sampled_from([",", ";", "\t"]))
def test_any_csv_of_valid_rows_round_trips(rows: list[dict[str, str]], delimiter: str) -> None:
    parsed = parse(to_csv(rows, delimiter), "hr.csv")
    assert parsed.rejected == []
    assert [r.employee_id for _, r in parsed.rows] == [r["employee_id"] for r in rows]
    for (_, got), want in zip(parsed.rows, rows, strict=True):
        assert got.name == want["name"].strip()
        assert got.store == want["store"].strip()
        assert got.skills == sorted({s for s in want["skills"].split(";") if s})


@given(hr_rows())
def test_json_and_csv_give_the_same_rows(rows: list[dict[str, str]]) -> None:
    from_csv = parse(to_csv(rows), "hr.csv").rows
    from_json = parse(orjson.dumps(rows, option=orjson.OPT_INDENT_2), "hr.json").rows
    assert [r for _, r in from_csv] == [r for _, r in from_json]


def test_bad_rows_are_reported_with_their_line_numbers() -> None:
    data = (
        b"employee_id,email,name\n"
        b"E1,one@example.com,One\n"
        b"E2,not-an-email,Two\n"
        b",three@example.com,Three\n"
        b"E1,again@example.com,Dup\n"
        b"E5,five@example.com,Five\n"
    )
    parsed = parse(data, "hr.csv")
    assert [r.employee_id for _, r in parsed.rows] == ["E1", "E5"]
    assert [(r.line, r.employee_id) for r in parsed.rejected] == [(3, "E2"), (4, ""), (5, "E1")]
    assert parsed.rejected[0].reason.startswith("email:")
    assert "already on line 2" in parsed.rejected[2].reason
    assert parsed.mentioned_ids == {"E1", "E2", "E5"}


def test_json_rows_keep_their_line_numbers() -> None:
    data = b'[\n  {"employee_id": "E1", "email": "a@example.com", "name": "A"},\n  {"employee_id": "E2",\n   "email": "bad", "name": "B"}\n]'
    parsed = parse(data, "hr.json")
    assert [(r.line, r.employee_id) for r in parsed.rejected] == [(3, "E2")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"name,email\nA,a@example.com\n", "header naming employee_id"),
        (b'[{"employee_id": "E1"', "line 1"),
    ],
)
def test_unreadable_files_are_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        parse(data, "x.csv")
