#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine (run as root) or a developer's checkout:
# system packages, a virtual environment in .venv, the locked Python packages, the project.
#   bash scripts/bootstrap.sh            # runtime only (demo, practice, analyze): requirements/runtime.txt
#   bash scripts/bootstrap.sh --test     # plus the test tools, openai-whisper, Chromium: requirements/test.txt
# The locks pin every package with its hashes; scripts/lock.sh refreshes them from pyproject.toml.
# One line per step; what the steps print goes to logs/bootstrap.log, whose tail is shown when a
# step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

APT_RUNTIME="libportaudio2 libsndfile1 espeak-ng libespeak-ng1 alsa-utils libasound2-plugins pulseaudio pulseaudio-utils"
APT_TEST="chromium"  # Playwright drives Debian's Chromium (no browser download)
LOCK=requirements/runtime.txt STAMP=.venv/.installed
if [ $WITH_TEST = 1 ]; then LOCK=requirements/test.txt STAMP=.venv/.installed-test; fi
PY=${PYTHON:-python3}

mkdir -p logs
LOG=logs/bootstrap.log
: > "$LOG"
exec 3>&2  # the user's terminal, for the one line per step; the steps' own output goes to $LOG

say() { echo "[bootstrap] $*" >&3; }

# step NAME COMMAND...: one line "NAME ... outcome (time)" for the user, COMMAND's output in the
# log. COMMAND runs under `set -e` and tells its outcome on fd 4 ("done" when it says nothing).
# A failure shows the log's tail and the step's name, and ends the set-up with exit 1.
step() {
  local name=$1 start=$SECONDS rc outcome
  shift
  printf '[bootstrap] %s ... ' "$name" >&3
  echo "=== $name: $*" >> "$LOG"
  set +e
  # The log names no server: apt and pip print their archives' and indexes' addresses.
  outcome=$( (set -e; "$@" 2>&1 | sed -E 's#([a-z]+://)[^/ ]+#\1<server>#g' >> "$LOG") 4>&1 )
  rc=$?
  set -e
  if [ $rc != 0 ]; then
    echo "FAILED (exit $rc). The end of $LOG:" >&3
    # pip's notes on packages already there and this machine's pip locations only hide the error.
    grep -v -e "^Requirement already satisfied" -e "^WARNING: Location" "$LOG" | tail -n 25 \
      | sed 's/^/    /' >&3
    say "step '$name' failed (exit $rc); its whole output is in $LOG"
    exit 1
  fi
  echo "${outcome:-done} ($((SECONDS - start)) s)" >&3
}

apt_install() {
  local missing="" p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -z "$missing" ]; then echo "already installed" >&4; return 0; fi
  if ! command -v apt-get >/dev/null; then
    echo "not a Debian system: install these yourself:$missing" >&4; return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "need root to install:$missing (run: sudo apt-get install$missing)"; return 1
  fi
  apt-get -o DPkg::Lock::Timeout=300 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y \
    --no-install-recommends $missing
  echo "installed$missing" >&4
}

system_packages() {
  local pkgs="$APT_RUNTIME"
  [ $WITH_TEST = 1 ] && pkgs="$pkgs $APT_TEST"
  command -v "$PY" >/dev/null || pkgs="$pkgs python3"
  "$PY" -c "import ensurepip" 2>/dev/null || pkgs="$pkgs python3-venv"  # Debian splits venv out
  apt_install $pkgs
}

make_venv() {
  if [ -x .venv/bin/python ]; then echo "present" >&4; return 0; fi
  "$PY" -m venv .venv
  echo "created with $("$PY" --version)" >&4
}

venv_pip() { .venv/bin/python -m pip "$@"; }

# --no-deps: the lock already holds every package, and it leaves triton out on purpose (see
# scripts/lock.sh); pip would otherwise go looking for it.
locked_packages() {
  venv_pip install --progress-bar off --require-hashes --no-deps -r "$LOCK"
  echo "installed" >&4
}

# The project alone, built by the locked setuptools rather than one fetched for the build.
project() {
  venv_pip install --progress-bar off --no-deps --no-build-isolation -e .
  echo "installed (editable)" >&4
}

step "system packages" system_packages
step "virtual environment .venv" make_venv
# Re-install only when the dependencies changed: the stamp holds the hash of pyproject.toml and
# the lock.
want="$(cat pyproject.toml "$LOCK" | sha256sum | cut -c1-16)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  step "Python packages from $LOCK" locked_packages
  step "interview-sim" project
  echo "$want" > "$STAMP"
else
  say "Python packages: up to date with $LOCK"
fi
say "ready: .venv/bin/interview-sim (the full log: $LOG)"
