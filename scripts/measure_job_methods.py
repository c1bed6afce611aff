"""Measure the keyphrase methods that rank a job's skills (README, "Preparing for a job").

For each job description in tests/data/jobs: which named skills were found (against `skills` in
expected.toml), and how many of the three hand-marked `core` skills are among the first three role
skills the method puts first (what a five-question plan asks about). TextRank needs summa, which is
not a dependency: `pip install summa` to run it.

    .venv/bin/python scripts/measure_job_methods.py
"""

import time
import tomllib
from pathlib import Path

from simulator.interview.job import GENERAL_FIELD, load_skills, read_job

JOBS = Path(__file__).resolve().parents[1] / "tests" / "data" / "jobs"


def main() -> None:
    expected = tomllib.loads((JOBS / "expected.toml").read_text())
    skills = load_skills()
    for method in ("yake", "textrank"):
        found = named = core = 0
        started = time.perf_counter()
        for name, want in expected.items():
            job = read_job((JOBS / f"{name}.txt").read_text(), skills, method)
            ids = [n.skill.id for n in job.skills]
            found += len(set(ids) & set(want["skills"]))
            named += len(want["skills"])
            role = [i for i, n in zip(ids, job.skills) if GENERAL_FIELD not in n.skill.fields] or ids
            core += len(set(role[:3]) & set(want["core"]))
        ms = 1000 * (time.perf_counter() - started) / len(expected)
        print(f"{method}: skills found {found}/{named}, core skills in the first three {core}/{3 * len(expected)}, "
              f"{ms:.0f} ms per job description")


if __name__ == "__main__":
    main()
