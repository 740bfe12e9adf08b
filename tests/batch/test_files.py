"""The input check, the output writer and resume: files in tmp_path, no network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infermux.batch import files
from infermux.batch.files import OutputWriter, check_input, prepare_output
from infermux.batch.rows import BatchInputError, parse_row
from tests.batch.conftest import chat_row


def write_lines(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def output_row(row: dict[str, Any], *, error: bool = False) -> dict[str, Any]:
    request = parse_row(row)
    return {
        "id": "x",
        "custom_id": request.custom_id,
        "response": None if error else {"status_code": 200, "body": {}},
        "error": {"code": "server_error", "message": "m"} if error else None,
        "infermux": {"request_hash": request.request_hash},
    }


def test_check_names_every_malformed_line_up_to_ten(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", [chat_row(0), "{oops", "", *["[]"] * 12])
    with pytest.raises(BatchInputError) as info:
        check_input(source, provider=None, model=None, dedupe=False)
    message = str(info.value)
    assert "13 malformed lines (and 3 more)" in message
    assert "line 2: not valid JSON" in message
    assert "nothing was sent" in message


def test_unreadable_input_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(BatchInputError, match="cannot read"):
        check_input(tmp_path / "missing.jsonl", provider=None, model=None, dedupe=False)


def test_duplicate_ids_are_refused_before_anything_is_sent(tmp_path: Path) -> None:
    source = write_lines(
        tmp_path / "in.jsonl", [chat_row(1), chat_row(2), {**chat_row(3), "custom_id": "row-1"}]
    )
    with pytest.raises(BatchInputError, match=r"'row-1' on lines 1, 3 \(different requests\)"):
        check_input(source, provider=None, model=None, dedupe=True)


def test_identical_rows_sharing_an_id_are_collapsed_only_with_dedupe(tmp_path: Path) -> None:
    row = chat_row(1)
    del row["custom_id"]  # derived from content: identical rows share it
    source = write_lines(tmp_path / "in.jsonl", [row, chat_row(2), row])
    with pytest.raises(BatchInputError, match=r"identical requests.*--dedupe"):
        check_input(source, provider=None, model=None, dedupe=False)
    check = check_input(source, provider=None, model=None, dedupe=True)
    assert check.rows == 3
    assert check.collapsed == {parse_row(row).custom_id}


def test_check_keeps_digests_not_rows(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", [chat_row(i) for i in range(1000)])
    check = check_input(source, provider="p", model=None, dedupe=False)
    assert check.rows == 1000
    assert check.keys.itemsize == 8
    assert len(check.keys) == 1000
    assert check.routes == {("p", "conversational")}


def test_resume_keeps_answers_drops_errors_changed_rows_and_a_torn_line(tmp_path: Path) -> None:
    rows = [chat_row(i) for i in range(5)]
    source = write_lines(tmp_path / "in.jsonl", rows)
    changed = output_row(chat_row(3, "old text"))
    foreign = output_row({**chat_row(9), "custom_id": "not-in-input"})
    target = write_lines(
        tmp_path / "out.jsonl",
        [
            output_row(rows[0]),
            output_row(rows[1], error=True),
            changed,
            foreign,
            output_row(rows[0]),  # answered twice: one line stays
        ],
    )
    with open(target, "a") as fh:
        fh.write(json.dumps(output_row(rows[2]))[:30])  # a torn last line
    check = check_input(source, provider=None, model=None, dedupe=False)
    state = prepare_output(target, check, resume=True)
    done = [state.is_done(parse_row(r)) for r in rows]
    assert done == [True, False, False, False, False]
    assert (state.dropped_errors, state.dropped_changed, state.dropped_unreadable) == (1, 1, 1)
    kept = [json.loads(line)["custom_id"] for line in target.read_text().splitlines()]
    assert kept == ["row-0", "not-in-input"]


def test_resume_off_starts_over(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", [chat_row(0)])
    target = write_lines(tmp_path / "out.jsonl", [output_row(chat_row(0))])
    check = check_input(source, provider=None, model=None, dedupe=False)
    state = prepare_output(target, check, resume=False)
    assert not state.is_done(parse_row(chat_row(0)))
    assert target.read_text() == ""


def test_writer_writes_whole_lines_and_syncs_at_most_once_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    syncs: list[int] = []
    monkeypatch.setattr(files.os, "fsync", lambda fd: syncs.append(fd))
    now = [0.0]
    target = tmp_path / "out.jsonl"
    with OutputWriter(target, clock=lambda: now[0]) as writer:
        for i in range(10):
            writer.write({"custom_id": f"r{i}", "text": "é"})
            now[0] += 0.25
    assert len(syncs) == 2 + 1  # at 1.0 s, 2.0 s (of 2.5), and on close
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["custom_id"] for line in lines] == [f"r{i}" for i in range(10)]
