"""Plans for any job, measured (issue 20): `interview-sim bench --jobs`.

Job descriptions of many fields (data/jobs/*.txt, with data/jobs/heldout/*.txt kept aside while
the planner was built) and what each names, marked by hand (data/jobs/truth.toml). For each, a
7-question plan is made for several seeds and scored:

- duties covered: a hand-marked duty is covered when a question was built from the line that
  holds it (the question's quoted line contains the marked words). The fewest over the seeds.
- questions from another field: a question of a bank or skill whose fields are not the job's
  (a question built from the job's own lines, or from banks for any job, has no field). The most
  over the seeds; it must be 0.
- seniority read, against the truth (from the title and stated years only).

The planner is passed in (`plan`): this layer sits below the interviewer, which the application
layer wires in.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

DATA = Path(__file__).parent / "data" / "jobs"
HELDOUT = "heldout"
PLAN_QUESTIONS = 7
SEEDS = (1, 2, 3, 4, 5)
MIN_DUTIES_COVERED = 3  # issue 20: "a 7-question plan covers at least three different duties"


@dataclass(frozen=True, slots=True)
class JobTruth:
    name: str
    text: str
    sector: str
    seniority: str
    fields: tuple[str, ...]
    duties: tuple[str, ...]
    heldout: bool


@dataclass(slots=True)
class JobScore:
    name: str
    sector: str
    heldout: bool
    duties: int
    covered: int  # the fewest over the seeds
    uncovered: list[str] = field(default_factory=list)  # with the seed that covered fewest
    foreign: int = 0  # the most over the seeds
    foreign_questions: list[str] = field(default_factory=list)
    seniority: str = ""
    seniority_truth: str = ""

    @property
    def seniority_right(self) -> bool:
        return self.seniority == self.seniority_truth

    @property
    def passed(self) -> bool:
        return self.covered >= min(MIN_DUTIES_COVERED, self.duties) and self.foreign == 0

    def to_dict(self) -> dict:
        return {**asdict(self), "seniority_right": self.seniority_right, "passed": self.passed}


def load_truth(folder: Path = DATA) -> list[JobTruth]:
    truth = tomllib.loads((folder / "truth.toml").read_text(encoding="utf-8"))
    jobs = []
    for group, heldout, where in ((truth, False, folder), (truth.get(HELDOUT, {}), True, folder / HELDOUT)):
        for name, t in group.items():
            if name == HELDOUT:
                continue
            jobs.append(JobTruth(name, (where / f"{name}.txt").read_text(encoding="utf-8"), t["sector"],
                                 t["seniority"], tuple(t["fields"]), tuple(t["duties"]), heldout))
    return jobs


def score_job(job: JobTruth, plan: Callable[[str, int, int], dict], seeds=SEEDS) -> JobScore:
    """`plan(text, questions, seed)` gives {"seniority": ..., "questions": [{"text", "words",
    "fields"}]} for the main questions: `words` the line it was built from, `fields` those of the
    bank or skill it came from ([] for the job's own lines and the banks for any job)."""
    score = JobScore(job.name, job.sector, job.heldout, len(job.duties), covered=len(job.duties) + 1,
                     seniority_truth=job.seniority)
    for seed in seeds:
        planned = plan(job.text, PLAN_QUESTIONS, seed)
        score.seniority = planned["seniority"]
        covered = [d for d in job.duties
                   if any(d.lower() in q["words"].lower() for q in planned["questions"] if q["words"])]
        if len(covered) < score.covered:
            score.covered = len(covered)
            score.uncovered = [d for d in job.duties if d not in covered]
        foreign = [q["text"] for q in planned["questions"]
                   if q["fields"] and not set(q["fields"]) & (set(job.fields) | {"general"})]
        if len(foreign) > score.foreign or (seed == seeds[0] and foreign):
            score.foreign, score.foreign_questions = len(foreign), foreign
    return score


def run_job_bench(plan: Callable[[str, int, int], dict], folder: Path = DATA) -> dict:
    scores = [score_job(job, plan) for job in load_truth(folder)]

    def summary(group: list[JobScore]) -> dict:
        return {"jobs": len(group), "sectors": len({s.sector for s in group}),
                "passed": sum(s.passed for s in group),
                "duties": sum(s.duties for s in group), "covered": sum(s.covered for s in group),
                "fewest_covered": min((s.covered for s in group), default=0),
                "foreign_questions": sum(s.foreign for s in group),
                "seniority_right": sum(s.seniority_right for s in group)}

    return {"plan_questions": PLAN_QUESTIONS, "seeds": list(SEEDS), "min_duties_covered": MIN_DUTIES_COVERED,
            "jobs": [s.to_dict() for s in scores],
            "summary": {"built-on": summary([s for s in scores if not s.heldout]),
                        "held-out": summary([s for s in scores if s.heldout]),
                        "all": summary(scores)}}
