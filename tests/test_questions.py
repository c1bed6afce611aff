"""Question banks: the shipped ones load and read well aloud; broken files fail clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.errors import UserError
from simulator.interview import questions as qmod
from simulator.interview.questions import (
    CLOSING,
    WARM_UP,
    Bank,
    BankError,
    Question,
    bank_dir,
    list_banks,
    load_all,
    load_bank,
)
from speech_lint import speech_problems

REPO_PROMPTS = Path(__file__).resolve().parents[1] / "prompts"

REQUIRED_BANKS = {
    "general", "composure", "self-awareness", "motivation", "proving-value", "closing",
    "software-engineering", "product-management", "sales", "data-analysis",
}
NON_TECHNICAL_ROLE_BANKS = {"customer-service", "teaching", "operations"}


@pytest.fixture(autouse=True)
def _shipped_prompts(monkeypatch):
    monkeypatch.delenv(qmod.PROMPTS_ENV, raising=False)


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    return load_all()


@pytest.fixture(scope="module")
def all_qs(banks) -> list[Question]:
    return [q for b in banks for q in b.questions]


# --- the shipped banks ------------------------------------------------------------


def test_bank_dir_is_repo_prompts():
    assert bank_dir() == REPO_PROMPTS


def test_every_shipped_bank_loads(banks):
    assert [b.name for b in banks] == list_banks()
    for b in banks:
        assert b.path.parent == REPO_PROMPTS
        assert b.name == b.path.stem
        assert b.title.strip() and b.description.strip()
        assert len(b.questions) >= 8, f"{b.name} is thin"


def test_required_banks_are_shipped():
    names = set(list_banks())
    assert REQUIRED_BANKS <= names, REQUIRED_BANKS - names
    assert names & NON_TECHNICAL_ROLE_BANKS, "need at least one non-technical role bank"


def test_enough_questions_and_banks(banks, all_qs):
    assert len(banks) >= 11
    assert len(all_qs) >= 130


def test_every_question_has_the_required_fields(all_qs):
    for q in all_qs:
        where = q.key
        assert isinstance(q.id, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", q.id), where
        assert isinstance(q.text, str) and q.text.strip(), where
        assert isinstance(q.category, str) and q.category.strip(), where
        assert isinstance(q.difficulty, int) and 1 <= q.difficulty <= 3, where
        assert isinstance(q.time_budget_s, (int, float)) and 30 <= q.time_budget_s <= 180, where
        assert isinstance(q.strong_answer, str) and len(q.strong_answer) >= 20, where
        assert isinstance(q.follow_ups, tuple) and all(isinstance(f, str) and f for f in q.follow_ups), where
        assert isinstance(q.curveball, bool), where
        assert q.text[-1] in ".?!", f"{where}: spoken text should end like a sentence"


def test_ids_are_unique_across_banks(all_qs):
    ids = [q.id for q in all_qs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes


def test_texts_are_speakable(all_qs):
    """The interviewer reads these through text-to-speech: no symbols, written-only
    abbreviations, acronyms or digits, and short sentences."""
    bad = []
    for q in all_qs:
        for t in (q.text, *q.follow_ups, q.strong_answer):
            for marker in ("(", ")", "/", "&", "e.g.", "i.e.", "etc."):
                if marker in t:
                    bad.append(f"{q.key}: {marker!r} in {t!r}")
            bad += [f"{q.key}: {p} in {t!r}" for p in speech_problems(t)]
    assert not bad, "\n".join(bad)


def test_session_plan_building_blocks(banks, all_qs):
    """An interviewer needs a warm-up, a closing, and a pool of curveballs for pressure mode."""
    general = next(b for b in banks if b.name == "general")
    assert len(general.by_category(WARM_UP)) >= 2
    closing = next(b for b in banks if b.name == "closing")
    assert len(closing.by_category(CLOSING)) >= 5
    assert any("questions for me" in q.text for q in closing.by_category(CLOSING))
    assert any(q.category == "networking" for q in closing.questions)
    assert sum(q.curveball for q in all_qs) >= 10
    assert {q.difficulty for q in all_qs} == {1, 2, 3}


def test_classic_questions_are_covered(all_qs):
    texts = " ".join(q.text.lower() for q in all_qs)
    for phrase in ("tell me about yourself", "strength", "weakness", "disagreed", "failed",
                   "why should we hire you over the others", "five years",
                   "what do you know about our company", "industry"):
        assert phrase in texts, phrase


def test_load_by_name_and_by_path_agree():
    by_name = load_bank("sales")
    by_path = load_bank(str(REPO_PROMPTS / "sales.toml"))
    assert by_name.questions == by_path.questions
    assert all(q.bank == "sales" for q in by_name.questions)
    assert by_name.get(by_name.questions[0].id) == by_name.questions[0]


def test_question_to_dict_has_bank_category_text():
    q = load_bank("general").questions[0]
    d = q.to_dict()
    assert {"bank", "category", "text", "id", "difficulty", "time_budget_s"} <= d.keys()
    assert d["follow_ups"] == list(q.follow_ups)


def test_unknown_bank_lists_the_available_ones():
    with pytest.raises(BankError) as ei:
        load_bank("astronaut")
    msg = str(ei.value)
    assert '"astronaut"' in msg
    assert "general" in msg and "sales" in msg
    assert isinstance(ei.value, UserError) and ei.value.exit_code == 2


def test_missing_path_is_a_bank_error(tmp_path):
    with pytest.raises(BankError, match="no such bank file"):
        load_bank(str(tmp_path / "nothing.toml"))


# --- a person's own file ---------------------------------------------------------

GOOD = '''\
[bank]
name = "mine"
title = "My questions"

[[questions]]
id = "first"
text = "Why this job?"
category = "motivation"
difficulty = 1
time_budget_s = 60
strong_answer = "A reason that fits."

[[questions]]
id = "second"
text = "Why now?"
category = "motivation"
difficulty = 2
time_budget_s = 90.5
strong_answer = "Good timing, well explained."
follow_ups = ["And why not last year?"]
curveball = true
'''


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_own_file_loads(tmp_path):
    bank = load_bank(str(write(tmp_path, GOOD)))
    assert bank.name == "mine" and bank.description == ""
    assert [q.id for q in bank.questions] == ["first", "second"]
    second = bank.questions[1]
    assert second.follow_ups == ("And why not last year?",) and second.curveball
    assert second.time_budget_s == 90.5
    assert bank.questions[0].follow_ups == () and not bank.questions[0].curveball


def test_prompts_dir_can_be_overridden(tmp_path, monkeypatch):
    write(tmp_path, GOOD)
    monkeypatch.setenv(qmod.PROMPTS_ENV, str(tmp_path))
    assert bank_dir() == tmp_path
    assert list_banks() == ["mine"]
    assert [b.name for b in load_all()] == ["mine"]


def line_of(text: str, needle: str) -> int:
    for i, ln in enumerate(text.splitlines(), 1):
        if needle in ln:
            return i
    raise AssertionError(needle)


def assert_error_at(path: Path, line: int, *fragments: str) -> BankError:
    with pytest.raises(BankError) as ei:
        load_bank(str(path))
    msg = str(ei.value)
    assert re.search(rf"{re.escape(path.name)}:{line}(:\d+)?: ", msg), msg
    for f in fragments:
        assert f in msg, msg
    assert ei.value.line == line
    return ei.value


def test_syntax_error_names_file_and_line(tmp_path):
    text = GOOD.replace('text = "Why now?"', 'text = "Why now?')
    p = write(tmp_path, text)
    err = assert_error_at(p, line_of(text, 'text = "Why now?'), "invalid TOML")
    assert str(err).count("\n") == 0


def test_missing_field_names_the_question_header(tmp_path):
    text = GOOD.replace('strong_answer = "Good timing, well explained."\n', "")
    p = write(tmp_path, text)
    second_header = [i for i, ln in enumerate(text.splitlines(), 1) if ln == "[[questions]]"][1]
    assert_error_at(p, second_header, 'question "second"', "missing field strong_answer")


def test_wrong_type(tmp_path):
    text = GOOD.replace("difficulty = 2", 'difficulty = "hard"')
    p = write(tmp_path, text)
    assert_error_at(p, line_of(text, 'difficulty = "hard"'), 'question "second"', "difficulty", "whole number")


def test_bool_is_not_a_number(tmp_path):
    text = GOOD.replace("time_budget_s = 60", "time_budget_s = true")
    p = write(tmp_path, text)
    assert_error_at(p, line_of(text, "time_budget_s = true"), 'question "first"', "time_budget_s")


def test_duplicate_id(tmp_path):
    text = GOOD.replace('id = "second"', 'id = "first"')
    p = write(tmp_path, text)
    dup_line = [i for i, ln in enumerate(text.splitlines(), 1) if ln == 'id = "first"'][1]
    assert_error_at(p, dup_line, 'question "first"', "duplicate id", f"line {line_of(text, 'id = ')}")


def test_unknown_field_suggests_a_fix(tmp_path):
    text = GOOD.replace("curveball = true", "curve_ball = true")
    p = write(tmp_path, text)
    assert_error_at(p, line_of(text, "curve_ball"), 'unknown field "curve_ball"', 'did you mean "curveball"')


def test_empty_text(tmp_path):
    text = GOOD.replace('text = "Why this job?"', 'text = "   "')
    p = write(tmp_path, text)
    assert_error_at(p, line_of(text, 'text = "   "'), 'question "first"', "text is empty")


def test_difficulty_out_of_range(tmp_path):
    text = GOOD.replace("difficulty = 1", "difficulty = 5")
    p = write(tmp_path, text)
    assert_error_at(p, line_of(text, "difficulty = 5"), "difficulty must be from 1 to 3, not 5")


def test_negative_budget(tmp_path):
    text = GOOD.replace("time_budget_s = 90.5", "time_budget_s = -10")
    p = write(tmp_path, text)
    assert_error_at(p, line_of(text, "time_budget_s = -10"),
                    'question "second": time_budget_s must be a positive number')


def test_follow_ups_must_be_a_list_of_text(tmp_path):
    text = GOOD.replace('follow_ups = ["And why not last year?"]', "follow_ups = [1, 2]")
    p = write(tmp_path, text)
    assert_error_at(p, line_of(text, "follow_ups"), "follow_ups item 1 must be text")


def test_missing_bank_table_and_no_questions(tmp_path):
    p = write(tmp_path, 'title = "oops"\n')
    err = assert_error_at(p, 1, 'unknown top-level key "title"')
    assert any("missing [bank]" in m for m in err.problems)
    assert any("no questions" in m for m in err.problems)
    assert all(re.match(rf".*{re.escape(p.name)}:\d+: ", m) for m in err.problems)


def test_every_problem_is_reported(tmp_path):
    text = GOOD.replace("difficulty = 1", "difficulty = 0").replace("time_budget_s = 90.5", "time_budget_s = 0")
    p = write(tmp_path, text)
    with pytest.raises(BankError) as ei:
        load_bank(str(p))
    assert len(ei.value.problems) == 2
    assert "and 1 more problem" in str(ei.value)


def test_shipped_name_must_match_file(tmp_path, monkeypatch):
    write(tmp_path, GOOD, name="other.toml")
    monkeypatch.setenv(qmod.PROMPTS_ENV, str(tmp_path))
    with pytest.raises(BankError, match=r"other\.toml:2: .*must match the file name"):
        load_bank("other")


def test_duplicate_id_across_shipped_banks(tmp_path, monkeypatch):
    write(tmp_path, GOOD, name="mine.toml")
    write(tmp_path, GOOD.replace('name = "mine"', 'name = "yours"'), name="yours.toml")
    monkeypatch.setenv(qmod.PROMPTS_ENV, str(tmp_path))
    with pytest.raises(BankError, match=r'yours\.toml:6: question "first": id is already used in'):
        load_all()


def test_speech_problems_flags_what_tts_mangles():
    assert speech_problems("Tell me about yourself.") == []
    assert speech_problems("Use a tool, e.g. a hammer (or not) & more / less.")
    assert any("acronym" in p for p in speech_problems("Explain REST."))
    assert any("digits" in p for p in speech_problems("In 5 years?"))
