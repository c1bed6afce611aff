#!/usr/bin/env bash
# The whole test suite on real components: installs what is missing (system packages, .venv,
# the Python packages locked in requirements/test.txt, Chromium), starts the virtual microphone
# and speaker, runs pytest.
#   bash scripts/test.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --test
eval "$(VA_SKIP_APT=1 bash scripts/virtual_audio.sh start)"
exec .venv/bin/python -m pytest "$@"
