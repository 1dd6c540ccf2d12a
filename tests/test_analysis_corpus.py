"""Corpus reading and document validation: every input yields a document or an explained error."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from stanceclf.analysis.corpus import Document, DocumentError, read_documents, validate_text
from stanceclf.errors import DataError

ENGLISH = "The minister said on Monday that the talks would continue, and that she was hopeful about them."


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("  \n ", "empty"),
    ("abc\x00def", "NUL bytes"),
    (b"bytes", "bytes, not text"),
    (None, "not a string"),
    ("x" * 51, "over the limit"),
    ("Министр заявил в понедельник, что переговоры продолжатся и что она надеется на них.", "non-Latin"),
    ("El ministro dijo el lunes que las conversaciones continuarían y que ella tenía esperanza "
     "sobre las negociaciones con los vecinos del norte durante toda la semana próxima en Madrid", "English"),
])
def test_validate_refuses_bad_documents(text, message):
    with pytest.raises(DataError, match=message):
        validate_text(text, max_chars=50 if message == "over the limit" else 200_000)


def test_validate_accepts_english():
    assert validate_text(ENGLISH) == ENGLISH


def test_read_txt_jsonl_csv_and_folders(tmp_path: Path):
    (tmp_path / "a.txt").write_text(ENGLISH)
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "b.jsonl").write_text(
        json.dumps({"id": "b1", "text": ENGLISH, "date": "2025-03-01", "outlet": "X"}) + "\n\n"
        + "{broken\n" + json.dumps({"id": "b3", "body": "no text field"}) + "\n" + json.dumps([1]) + "\n")
    (sub / "c.csv").write_text(f'id,text,date\nc1,"{ENGLISH}",2025-04-02\n')
    (sub / "ignored.bin").write_bytes(b"\x00\x01")
    items = list(read_documents([tmp_path]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, DocumentError)]
    assert [d.id for d in docs] == ["a", "b1", "c1"]
    assert docs[1].date == "2025-03-01" and docs[1].metadata == {"outlet": "X"}
    assert docs[2].date == "2025-04-02"
    assert [e.id for e in errors] == ["b:3", "b3", "b:5"]
    assert "not valid JSON" in errors[0].error and "no 'text' field" in errors[1].error and "not an object" in errors[2].error


def test_read_reports_missing_binary_and_non_utf8_files(tmp_path: Path):
    (tmp_path / "bin.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "t.csv").write_text("id,body\n1,hello\n")
    items = list(read_documents([tmp_path / "missing.txt", tmp_path / "bin.txt", tmp_path / "latin1.txt",
                                 tmp_path / "t.csv"]))
    assert all(isinstance(i, DocumentError) for i in items)
    messages = [i.error for i in items]
    assert "does not exist" in messages[0] and "binary" in messages[1] and "UTF-8" in messages[2]
    assert "--text-column" in messages[3]
    assert [d.id for d in read_documents([tmp_path / "t.csv"], text_column="body")] == ["1"]


def test_read_stdin_plain_and_jsonl():
    (doc,) = read_documents(["-"], stdin=io.StringIO(ENGLISH))
    assert doc.id == "stdin" and doc.text == ENGLISH
    lines = "\n" + json.dumps({"text": ENGLISH}) + "\nnot json\n"
    items = list(read_documents(["-"], stdin=io.StringIO(lines)))
    assert isinstance(items[0], Document) and isinstance(items[1], DocumentError)
    assert [i.id for i in items] == ["stdin:2", "stdin:3"] and "stdin, line 3" in items[1].error  # real line numbers


def test_a_bad_table_row_is_an_error_record_and_the_rows_after_are_read(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_bytes(f'id,text\na,"{ENGLISH}"\nb,caf\xe9\nc,too,many\nd,"{ENGLISH}"\n'.encode("latin-1"))
    items = list(read_documents([path]))
    assert [(type(i).__name__, i.id) for i in items] == [
        ("Document", "a"), ("DocumentError", "t:3"), ("DocumentError", "t:4"), ("Document", "d")]
    assert "line 3" in items[1].error and "not valid UTF-8" in items[1].error
    assert "3 fields but the header has 2" in items[2].error
    (empty := tmp_path / "e.csv").write_text("")
    (error,) = read_documents([empty])
    assert isinstance(error, DocumentError) and "is empty" in error.error
