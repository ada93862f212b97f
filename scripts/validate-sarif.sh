#!/usr/bin/env bash
# Validates SARIF files against the official SARIF 2.1.0 JSON schema, formats included
# (`uri`, `uri-reference`). Usage:
#   scripts/validate-sarif.sh FILE...
# e.g. `cargo run -- check --format sarif fixtures > target/out.sarif; scripts/validate-sarif.sh target/out.sarif`.
#
# Uses what .ci/setup installs (target/ci-tools/venv and target/ci-tools/sarif-schema-2.1.0.json);
# SARIF_SCHEMA and SARIF_PYTHON name others.
# Exit status: 0 all valid, 1 a file is not valid (each error is printed), 3 the schema or the
# validator is missing (run .ci/setup).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
schema=${SARIF_SCHEMA:-$root/target/ci-tools/sarif-schema-2.1.0.json}
python=${SARIF_PYTHON:-$root/target/ci-tools/venv/bin/python}

if [ "$#" -eq 0 ]; then
  echo "usage: $0 FILE..." >&2
  exit 2
fi
if [ ! -f "$schema" ]; then
  echo "validate-sarif: no schema at $schema (run .ci/setup)" >&2
  exit 3
fi
if ! [ -x "$python" ] && ! command -v "$python" >/dev/null 2>&1; then
  echo "validate-sarif: no Python at $python (run .ci/setup)" >&2
  exit 3
fi

exec "$python" - "$schema" "$@" <<'PY'
import json, sys
try:
    from jsonschema import Draft7Validator
except ImportError:
    print("validate-sarif: the jsonschema module is not installed (run .ci/setup)", file=sys.stderr)
    sys.exit(3)
checker = Draft7Validator.FORMAT_CHECKER
missing = {"uri", "uri-reference"} - set(checker.checkers)
if missing:
    # Without its optional dependencies jsonschema skips these formats silently.
    print(f"validate-sarif: jsonschema cannot check {sorted(missing)} (install jsonschema[format-nongpl])", file=sys.stderr)
    sys.exit(3)
schema = json.load(open(sys.argv[1], encoding="utf-8"))
Draft7Validator.check_schema(schema)
validator = Draft7Validator(schema, format_checker=checker)
invalid = 0
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        log = json.load(f)
    errors = sorted(validator.iter_errors(log), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        print(f"{path}: {where}: {error.message}")
    invalid += bool(errors)
sys.exit(1 if invalid else 0)
PY
