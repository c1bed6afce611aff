"""Question banks: plain TOML files in the repository's `prompts/` folder.

One file is one bank, a theme (general, composure, closing...) or a role (sales,
software engineering...). A person can also point at their own file. The format:

    [bank]
    name = "general"                  # required, lowercase letters, digits and dashes
    title = "General and behavioural" # required
    description = "..."               # optional

    [[questions]]
    id = "tell-me-about-yourself"     # required, unique in the bank
    text = "Tell me about yourself."  # required, written to be spoken aloud
    category = "introduction"         # required; "warm-up" and "closing" are special
    difficulty = 1                    # required, 1 to 3
    time_budget_s = 90                # required, seconds, positive
    strong_answer = "..."             # required, what a strong answer shows
    follow_ups = ["..."]              # optional
    curveball = false                 # optional

Everything is checked on load. A broken file raises `BankError` whose message names
the file, the line and what is wrong, for example

    prompts/sales.toml:42: question "x": time_budget_s must be a positive number

Nothing here touches audio or speech; the interviewer builds on `load_bank`/`load_all`.
This module is the one import for banks; the work is split in three:

    bank.py          the model: Question, Bank, BankError
    bank_folder.py   where banks are found: by name in the prompts folder, or by path
    bank_file.py     reading and checking one file (the format above)
"""

from __future__ import annotations

from simulator.interview.bank import CLOSING, MAX_DIFFICULTY, MIN_DIFFICULTY, WARM_UP, Bank, BankError, Question
from simulator.interview.bank_folder import PROMPTS_ENV, all_questions, bank_dir, list_banks, load_all, load_bank

__all__ = [
    "WARM_UP",
    "CLOSING",
    "MIN_DIFFICULTY",
    "MAX_DIFFICULTY",
    "PROMPTS_ENV",
    "Question",
    "Bank",
    "BankError",
    "bank_dir",
    "list_banks",
    "load_bank",
    "load_all",
    "all_questions",
]
