"""Preparing for a job: the skills a job description names, and a plan that covers them (issue 14)."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from conftest import run
from speech_lint import speech_problems

from simulator.errors import UserError
from simulator.interview.interviewer import Interviewer
from simulator.interview.job import (GENERAL_FIELD, JOB_BANK, fits, load_skills, read_job, read_job_file,
                                     seniority_of)

JOBS = Path(__file__).parent / "data" / "jobs"
EXPECTED = tomllib.loads((JOBS / "expected.toml").read_text())


@pytest.fixture(scope="module")
def skills():
    return load_skills()


@pytest.fixture(scope="module")
def jobs(skills):
    return {name: read_job((JOBS / f"{name}.txt").read_text(), skills) for name in EXPECTED}


def test_eight_kinds_of_job_are_tested():
    assert len(EXPECTED) >= 8
    assert {"nurse", "data-analyst", "backend-engineer", "sales-representative", "teacher", "barista",
            "project-manager", "graduate-trainee"} <= set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_named_skill_is_found(jobs, name):
    found = {n.skill.id for n in jobs[name].skills}
    assert set(EXPECTED[name]["skills"]) <= found, set(EXPECTED[name]["skills"]) - found
    for n in jobs[name].skills:  # the words it came from are the job description's own
        assert n.words.lower() in (JOBS / f"{name}.txt").read_text().lower()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_plan_covers_the_skills_and_stays_in_the_field(jobs, skills, name):
    job = jobs[name]
    expected = EXPECTED[name]
    count = 2 + math.ceil(1.5 * len(expected["skills"]))
    interviewer = Interviewer(questions=count, seed=7, job=job)
    asked = [t.question for t in interviewer.turns if t.question is not None]
    by_id = {s.id: s for s in skills.skills}
    covered = {sid for sid in by_id if any(q["id"].startswith(f"job-{sid}-") for q in asked)}
    assert set(expected["skills"]) <= covered, set(expected["skills"]) - covered
    for q in asked:
        assert q["bank"] not in expected["never"], (q["bank"], q["text"])
        if q["role"] == "main":
            assert q["why"], q
        if q["bank"] == JOB_BANK:
            assert q.get("job_words") and q["job_words"].lower() in (JOBS / f"{name}.txt").read_text().lower()
    for sid in covered:  # never a skill of another field
        assert GENERAL_FIELD in by_id[sid].fields or set(by_id[sid].fields) & set(job.fields)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_short_plan_asks_about_the_first_duties_with_a_skills_depth(jobs, name):
    """Three main questions: the job's first three duties as it lists them, each said back; a duty
    naming a skill of the list that fits the job is asked with that skill's question."""
    job = jobs[name]
    interviewer = Interviewer(seed=1, job=job)
    asked = [t.question for t in interviewer.turns if t.question and t.question["role"] == "main"]
    assert len(asked) == 3 and {q["job_words"] for q in asked} == set(job.duties[:3])
    said = {line.words: line.said for line in job.lines}
    for q in asked:
        assert q["text"].startswith(said[q["job_words"]]), q["text"]
        fitting = [n for n in job.skills if fits(n.skill, job) and n.words.lower() in q["job_words"].lower()]
        assert q["id"].startswith("job-") == bool(fitting), (q["id"], fitting)


def test_fields_banks_and_seniority(jobs):
    assert jobs["data-analyst"].banks == ("data-analysis",)
    assert jobs["backend-engineer"].banks == ("software-engineering",)
    assert jobs["teacher"].banks == ("teaching",)
    assert jobs["nurse"].fields == ("healthcare",) and jobs["nurse"].banks == ()
    assert jobs["graduate-trainee"].fields == ()
    assert jobs["backend-engineer"].seniority == "senior"
    assert jobs["graduate-trainee"].seniority == "graduate"
    assert jobs["data-analyst"].seniority == "mid-level"
    assert seniority_of("Project Manager", "Lead stakeholder management. Four or more years.") == \
        ("mid-level", "Four or more years")  # "lead" in the body is a verb


def test_the_same_job_and_seed_give_the_same_plan(jobs):
    a = Interviewer(seed=5, job=jobs["barista"])
    b = Interviewer(seed=5, job=jobs["barista"])
    assert [t.text for t in a.turns] == [t.text for t in b.turns]


def test_templates_read_well_with_every_skill(skills):
    for s in skills.skills:
        for t in (t for t in skills.templates if t.kind == s.kind):
            text = t.text.replace("{skill}", s.name)
            assert "{" not in text and "  " not in text and text[-1] in "?."
        # The text-to-speech lint (a check on shipped text, so it lives with the tests): acronyms
        # are allowed here, since skill names such as SQL are said letter by letter on purpose.
        for t in skills.templates:
            spoken = [p for p in speech_problems(t.text.replace("{skill}", "it")) if not p.startswith("acronym")]
            assert not spoken, f"{t.id}: {spoken}"


def test_a_broken_skills_file_names_its_line(tmp_path, skills):
    bad = tmp_path / "skills.toml"
    text = skills.path.read_text().replace('kind = "tool"', 'kind = "gadget"', 1)
    bad.write_text(text)
    with pytest.raises(UserError) as e:
        load_skills(bad)
    line = int(str(e.value).split(":")[1])
    assert "[[skills]]" in bad.read_text().splitlines()[line - 1] and "gadget" in str(e.value)


def test_job_file_errors_are_one_line(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        read_job_file(str(tmp_path / "missing.txt"))
    (tmp_path / "empty.txt").write_text("Nurse\n")
    with pytest.raises(UserError, match="fewer than five words"):
        read_job_file(str(tmp_path / "empty.txt"))


def test_plan_command_reads_a_job_from_standard_input():
    text = (JOBS / "data-analyst.txt").read_text()
    ran = run("plan", "--job", "-", "--seed", "4", stdin=text)
    assert ran.returncode == 0, ran.stderr
    assert "Job: Data Analyst (mid-level)" in ran.stdout
    assert 'the job names SQL: "SQL"' in ran.stdout
    assert ran.stdout.count("why:") == 5
    bad = run("plan", "--job", "/nonexistent.txt")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
