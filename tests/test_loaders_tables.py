"""The one table reader (stanceclf.data.tables): rows with their place, bad rows reported, reading goes on."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from stanceclf.data.tables import BadRow, NonObjectRow, Row, open_table, read_lines, read_table
from stanceclf.errors import DataError


def _items(path: Path, **options) -> list[Row | BadRow]:
    with open_table(path, **options) as table:
        return list(table)


def test_csv_rows_carry_file_line_and_row_number(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('\ufefftext , label\n"two\nlines",FAVOR\n\n,\nplain,AGAINST\n', encoding="utf-8")
    with open_table(path) as table:
        assert table.columns == ["text", "label"]  # BOM and spaces around names dropped
        rows = list(table)
    assert [(r.line, r.number, r.values["text"]) for r in rows] == [(2, 1, "two\nlines"), (6, 2, "plain")]
    assert rows[1].where == f"{path}, line 6 (row 2)"


def test_csv_bad_rows_are_reported_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'text,label\n'
                     b'one,FAVOR\n'
                     b'"never closed,AGAINST\n'
                     b'"next" row,NONE\n'          # the quote of line 3 ends here, followed by text: broken
                     b'too,many,fields\n'
                     b'caf\xe9,FAVOR\n'            # latin-1, not UTF-8
                     b'last,NONE\n')
    items = _items(path)
    bad = [i for i in items if isinstance(i, BadRow)]
    assert [r.values["text"] for r in items if isinstance(r, Row)] == ["one", "last"]
    assert [b.line for b in bad] == [3, 5, 6]
    assert "unclosed quotation mark on line 3" in bad[0].message and "lines 3-4" in bad[0].message
    assert "3 fields but the header has 2" in bad[1].message and "line 5" in bad[1].message
    assert "not valid UTF-8" in bad[2].message and str(path) in bad[2].message
    with pytest.raises(DataError, match="unclosed quotation mark on line 3"):
        read_table(path)


def test_single_line_columns_reveal_a_quote_that_closes_late(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('text,label\n"opens here,FAVOR\nand closes",AGAINST\n', encoding="utf-8")
    assert isinstance(_items(path)[0], Row)  # the fields still fit: without single_line it is one row
    (bad,) = _items(path, single_line=["text"])
    assert isinstance(bad, BadRow) and "column 'text' runs over lines 2-3" in bad.message


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\n\na,b\n", r"header row \(line 1\) is blank"),
    (b'"te\nxt",label\n', "header row runs over several lines"),
    (b"caf\xe9,label\n", "header row .* not valid UTF-8"),
])
def test_broken_headers_refuse_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        open_table(path)


def test_unquoted_tsv_with_legacy_encodings(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(b'id\ttext\n1\t"quoted" caf\xe9\n2\tna\xc3\xafve\n')  # line 2 cp1252, line 3 UTF-8
    _, rows = read_table(path, quoted=False, legacy_encodings=True)
    assert [r.values["text"] for r in rows] == ['"quoted" caf\xe9', "na\u00efve"]
    with pytest.raises(DataError, match="line 2 .*not valid UTF-8"):
        read_table(path, quoted=False)


def test_json_lines_bad_rows_and_objects(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"a": 1}\n\n{broken\n[1, 2]\n"caf\xe9"\n' + b"[" * 100_000 + b"\n" + b'{"b": 2}\n')
    items = _items(path)
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Row", 1), ("BadRow", 3), ("NonObjectRow", 4), ("BadRow", 5), ("BadRow", 6), ("Row", 7)]
    assert "not valid JSON" in items[1].message and f"{path}, line 3" in items[1].message
    assert isinstance(items[2], NonObjectRow) and items[2].value == [1, 2] and "not an object" in items[2].message
    assert "not valid UTF-8" in items[3].message and "nested too deeply" in items[4].message
    with pytest.raises(DataError, match="line 3"):
        read_table(path)


def test_json_lines_from_a_stream_and_columns_in_file_order(tmp_path: Path) -> None:
    with open_table(io.StringIO('{"b": 1}\n{"a": 2, "b": 3}\n'), kind="jsonl", name="stdin") as table:
        rows = list(table)
    assert [r.where for r in rows] == ["stdin, line 1 (row 1)", "stdin, line 2 (row 2)"]
    path = tmp_path / "t.jsonl"
    path.write_text('{"b": 1}\n{"a": 2, "b": 3}\n', encoding="utf-8")
    assert read_table(path)[0] == ["b", "a"]
    with pytest.raises(DataError, match="needs kind="):
        open_table(io.StringIO(""))


def test_json_documents(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"text": ["a", "b"], "label": ["FAVOR", "NONE"]}), encoding="utf-8")
    columns, rows = read_table(path)
    assert columns == ["text", "label"] and rows[1].values == {"text": "b", "label": "NONE"}
    assert rows[1].where == f"{path}, row 2"
    path.write_text('{"text": "a"}\n{"text": "b"}\n', encoding="utf-8")  # JSON lines under .json
    assert [r.line for r in read_table(path)[1]] == [1, 2]
    path.write_text(json.dumps({"text": ["a"], "label": []}), encoding="utf-8")
    with pytest.raises(DataError, match="different lengths"):
        read_table(path)
    with pytest.raises(DataError, match="suffix"):
        read_table(tmp_path / "t.xlsx")


def test_read_lines_numbers_every_line(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(b"one\n\ncaf\xe9\n")
    assert list(read_lines(path, legacy_encodings=True)) == [(1, "one\n"), (2, "\n"), (3, "caf\xe9\n")]
    with pytest.raises(DataError, match="line 3 is not valid UTF-8"):
        list(read_lines(path))
