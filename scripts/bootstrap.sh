#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine (run as root) or a developer's checkout:
# system packages, a virtual environment in .venv, the project and its Python packages.
#   bash scripts/bootstrap.sh            # runtime only (demo, practice, analyze)
#   bash scripts/bootstrap.sh --test     # plus the test tools, openai-whisper, Chromium
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

APT_RUNTIME="libportaudio2 libsndfile1 espeak-ng libespeak-ng1 alsa-utils libasound2-plugins pulseaudio pulseaudio-utils"
APT_TEST="chromium"  # Playwright drives Debian's Chromium (no browser download)

log() { echo "[bootstrap] $*" >&2; }

apt_install() {
  local missing="" p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  if ! command -v apt-get >/dev/null; then
    log "not a Debian system: install these yourself:$missing"; return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    log "need root to install:$missing (run: sudo apt-get install$missing)"; return 1
  fi
  log "installing system packages:$missing"
  apt-get -o DPkg::Lock::Timeout=300 update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    --no-install-recommends $missing >&2
}

apt_install $APT_RUNTIME
if [ $WITH_TEST = 1 ]; then apt_install $APT_TEST; fi

PY=${PYTHON:-python3}
command -v "$PY" >/dev/null || apt_install python3
"$PY" -c "import ensurepip" 2>/dev/null || apt_install python3-venv  # Debian splits venv out
if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $($PY --version)"
  $PY -m venv .venv
fi

# pip's output goes to stderr, less the per-package notes some pip configurations print.
venv_pip() { .venv/bin/python -m pip "$@" >&2 2> >(grep -v "^WARNING: Location" >&2); }

# Re-install only when the dependency list changed (a stamp holds the hash of pyproject.toml).
extras="" stamp=".venv/.installed"
if [ $WITH_TEST = 1 ]; then extras="[test,openai]" stamp=".venv/.installed-test"; fi
want="$(sha256sum pyproject.toml | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing Python packages (first time: about a minute)"
  venv_pip install -q --upgrade pip
  if [ $WITH_TEST = 1 ]; then
    # The CPU build of torch first: anything else lets pip pick a multi-GB CUDA build.
    venv_pip install -q "torch==2.13.0"
  fi
  venv_pip install -q -e ".$extras"
  # triton comes with openai-whisper but is GPU-only (about 1 GB).
  .venv/bin/python -m pip uninstall -y -q triton >/dev/null 2>&1 || true
  echo "$want" > "$stamp"
fi
log "ready: .venv/bin/interview-sim"
