#!/usr/bin/env bash
# Proves the pre-commit hook: builds a throw-away git repository with a commit holding an SES
# policy with findings, a Markdown runbook and a shell script with policies, a CDK stack in
# TypeScript with findings, and an unrelated JSON file, and runs `pre-commit try-repo` against this
# repository (pre-commit builds seslint with cargo, as it would for a user). Expects the hook to
# fail on the policy, then the `seslint-fix` hook to fix its safe findings in place (and fail:
# files changed, unsafe findings left). Installs pre-commit into a virtualenv under target/ when it is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/target/pre-commit-venv"
if ! command -v pre-commit >/dev/null; then
  [ -x "$venv/bin/pre-commit" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet pre-commit; }
  export PATH="$venv/bin:$PATH"
fi
sample="$(mktemp -d)"
trap 'rm -rf "$sample"' EXIT
cd "$sample"
git init --quiet
git config user.email ci@example.com
git config user.name ci
mkdir -p infra
cp "$here/fixtures/examples/typical-public-repo.json" infra/cognito-policy.json
cp "$here/fixtures/unrelated/package.json" package.json
cp -r "$here/fixtures/terraform/typed-references" infra/terraform
mkdir -p docs scripts
cp "$here/fixtures/markdown/runbook/mail-runbook.md" docs/mail-runbook.md
cp "$here/fixtures/shell/quoting/setup-mail.sh" scripts/setup-mail.sh
mkdir -p cdk/lib
cp "$here/fixtures/cdk/firing/mail-policy-stack.ts" cdk/lib/mail-policy-stack.ts
git add .
git commit --quiet -m "sample"
set +e
output=$(pre-commit try-repo "$here" seslint --all-files --verbose 2>&1)
status=$?
set -e
printf '%s\n' "$output"
# The hook must have run (not pre-commit failing to install it) and failed on the findings.
if [ "$status" -eq 0 ] || ! grep -q -- "- hook id: seslint" <<<"$output" || ! grep -q "COG003" <<<"$output" \
   || ! grep -q "docs/mail-runbook.md" <<<"$output" || ! grep -q "scripts/setup-mail.sh" <<<"$output" \
   || ! grep -q "cdk/lib/mail-policy-stack.ts:20:33" <<<"$output"; then
  echo "expected the seslint hook to run and fail on infra/cognito-policy.json, docs/mail-runbook.md, scripts/setup-mail.sh and cdk/lib/mail-policy-stack.ts" >&2
  exit 1
fi
echo "pre-commit try-repo: the hook ran and failed on the sample's findings, as expected"

# The fix hook: the legacy Version is fixed in the working tree; the hook fails (files changed).
set +e
output=$(pre-commit try-repo "$here" seslint-fix --all-files --verbose 2>&1)
status=$?
set -e
printf '%s\n' "$output"
if [ "$status" -eq 0 ] || ! grep -q -- "- hook id: seslint-fix" <<<"$output" \
  || ! grep -q '"Version": "2012-10-17"' infra/cognito-policy.json; then
  echo "expected the seslint-fix hook to fix infra/cognito-policy.json" >&2
  exit 1
fi
echo "pre-commit try-repo: the fix hook fixed the sample's safe findings, as expected"
