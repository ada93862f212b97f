#!/usr/bin/env bash
# Times whole `seslint check` runs on generated repositories. Usage:
#   scripts/bench-repo.sh [FILES]   (default 20000)
# 1. target/bench-repo: FILES JSON files (a third SES policies with findings, a third correct
#    policies, a third unrelated JSON such as package manifests and S3 policies) and one 5 MB
#    lock file.
# 2. target/bench-terraform: seven of fixtures/terraform/'s modules copied 300 times (2,100
#    modules, 4,500 .tf files).
# Reports wall-clock times with hyperfine when it is installed, else `time`.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-20000}
repo=target/bench-repo
cargo build --release --quiet
rm -rf "$repo"
python3 - "$repo" "$files" <<'PY'
import json, os, sys
root, total = sys.argv[1], int(sys.argv[2])
good = json.load(open("fixtures/aws-docs/cognito-current-guide.json"))
bad = json.loads(json.dumps(good))
stmt = bad["Statement"][0]
stmt["Principal"]["Service"] = "cognito-idp.amazonaws.com"
stmt["Action"] = ["ses:*"]
del stmt["Condition"]["StringEquals"]
s3 = json.load(open("fixtures/unrelated/s3-bucket-policy.json"))
pkg = json.load(open("fixtures/unrelated/package.json"))
for i in range(total):
    d = os.path.join(root, f"team{i % 50}", f"service{i % 400}")
    os.makedirs(d, exist_ok=True)
    kind = i % 3
    doc = (good, bad, s3 if i % 2 else pkg)[kind]
    with open(os.path.join(d, f"file{i}.json"), "w") as f:
        json.dump(doc, f, indent=2)
lock = {"packages": {f"node_modules/pkg{i}": {"version": "1.0.0", "resolved": "https://registry.example/pkg", "integrity": "sha512-" + "a" * 80} for i in range(25000)}}
with open(os.path.join(root, "package-lock.json"), "w") as f:
    json.dump(lock, f, indent=2)
PY
echo "generated $(find "$repo" -type f | wc -l) files, $(du -sh "$repo" | cut -f1)"
terraform=target/bench-terraform
rm -rf "$terraform"
for i in $(seq 0 299); do
  for case in heredoc jsonencode data-source typed-references public-repo-patterns unrelated role-trust-for-cognito; do
    mkdir -p "$terraform/m$i"
    cp -r "fixtures/terraform/$case" "$terraform/m$i/$case"
  done
done
echo "generated $(find "$terraform" -name '*.tf' | wc -l) Terraform files"
bin=target/release/seslint
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --ignore-failure \
    "$bin check --format json $repo" \
    "$bin check --format json --jobs 1 $repo" \
    "$bin check --format json $terraform"
else
  for jobs in 0 1; do
    echo "--jobs $jobs"
    /usr/bin/time -f "%e s wall, %M KB max RSS" "$bin" check --format json --jobs "$jobs" "$repo" >/dev/null || true
  done
  echo "Terraform"
  /usr/bin/time -f "%e s wall, %M KB max RSS" "$bin" check --format json "$terraform" >/dev/null || true
fi
