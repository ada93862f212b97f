#!/usr/bin/env bash
# Times whole seslint runs side by side with peers, and their peak memory. Usage:
#   scripts/bench.sh [--files N] [--runs N] [--skip-peers]
#
# Generates, under target/bench/:
#   repo/      N files (default 10,000) in the shape of an infrastructure repository: a third SES
#              identity policies with findings, a third correct ones, a third unrelated JSON
#              (S3 policies, package manifests), one file in ten TypeScript (CDK stacks with and
#              without findings, application code without policies), Terraform modules, a 5 MB package-lock.json,
#              and a quarter of the files under a .gitignore'd build/ directory (not linted);
#   policies/  2,000 policy files (the same mix) for the peers that read policies one by one;
#   one.json   one small policy file (the pre-commit case);
#   large.json one policy of 250,000 Cognito statements on one line (85 MB).
# Then runs hyperfine (Debian package `hyperfine`) on:
#   - the repository: seslint, seslint reading only (every rule ignored: the walk, reading and
#     parsing every format, which no rule engine can make cheaper), ripgrep (`rg -c Statement`,
#     the floor of reading the same files);
#   - 2,000 policies: seslint, seslint reading only, ripgrep, cfn-guard with the same Cognito checks (benches/peers/cognito.guard;
#     installed with `cargo install cfn-guard --locked` when missing), parliament (PyPI, in a
#     venv under target/bench/tools), for scale;
#   - one small file: seslint, `seslint --version`, cfn-guard;
#   - the large policy;
# and prints each command's peak RSS (`/usr/bin/time -v`).
set -euo pipefail
cd "$(dirname "$0")/.."

files=10000
runs=10
peers=1
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --skip-peers) peers=0; shift ;;
    *) echo "usage: scripts/bench.sh [--files N] [--runs N] [--skip-peers]" >&2; exit 2 ;;
  esac
done

out=target/bench
tools=$out/tools
mkdir -p "$tools"
cargo build --release --quiet
seslint=$PWD/target/release/seslint

need() { command -v "$1" >/dev/null || { echo "scripts/bench.sh needs $1 (apt-get install $2)" >&2; exit 2; }; }
need hyperfine hyperfine
need rg ripgrep
[ -x /usr/bin/time ] || { echo "scripts/bench.sh needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

guard=""
parliament=""
if [ "$peers" = 1 ]; then
  guard=$(command -v cfn-guard || true)
  if [ -z "$guard" ]; then
    [ -x "$tools/cfn-guard/bin/cfn-guard" ] || cargo install cfn-guard --locked --quiet --root "$tools/cfn-guard"
    guard=$PWD/$tools/cfn-guard/bin/cfn-guard
  fi
  if [ ! -x "$tools/venv/bin/parliament" ]; then
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install --quiet --disable-pip-version-check parliament
  fi
  parliament=$PWD/$tools/venv/bin/parliament
fi

python3 scripts/bench_data.py "$out" "$files"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "seslint $("$seslint" --version | cut -d' ' -f2), $(rg --version | sed -n 1p)${guard:+, $("$guard" --version 2>&1 | sed -n 1p)}"

# Each section's results are kept under target/bench/results/, and their medians printed after
# hyperfine's means (issue 9's targets are medians).
mkdir -p "$out/results"
medians() { python3 scripts/bench_medians.py "$out/results/$1.json"; }
bench() {
  local name=$1
  shift
  hyperfine --warmup 2 --runs "$runs" --ignore-failure --style basic --export-json "$out/results/$name.json" "$@"
  medians "$name"
}

echo; echo "== the repository ($files files) =="
# Every rule ignored (by prefix): files are still walked, read, parsed and their policies found.
reading="--quiet --ignore COG,SES,SRC"
bench repository -n seslint "$seslint check --quiet $out/repo" \
  -n "seslint, reading only" "$seslint check $reading $out/repo" \
  -n "rg -c Statement" "rg -c Statement $out/repo"

echo; echo "== 2,000 policy files =="
args=(-n seslint "$seslint check --quiet $out/policies" -n "seslint, reading only" "$seslint check $reading $out/policies"
  -n "rg -c Statement" "rg -c Statement $out/policies")
[ -n "$guard" ] && args+=(-n cfn-guard "$guard validate --data $out/policies --rules benches/peers/cognito.guard --show-summary none")
[ -n "$parliament" ] && args+=(-n parliament "$parliament --directory $out/policies")
bench policies "${args[@]}"

echo; echo "== one small file (300 runs: a run of a few milliseconds is at the mercy of the machine) =="
args=(-n seslint "$seslint check --quiet $out/one.json" -n "seslint --version" "$seslint --version")
[ -n "$guard" ] && args+=(-n cfn-guard "$guard validate --data $out/one.json --rules benches/peers/cognito.guard --show-summary none")
short() { hyperfine --warmup 20 --runs 300 --ignore-failure --style basic --export-json "$out/results/one-file.json" "$@"; }
short -N "${args[@]}" 2>/dev/null || short "${args[@]}"
medians one-file

echo; echo "== one policy of 250,000 statements =="
hyperfine --runs 3 --ignore-failure --style basic --export-json "$out/results/large.json" -n seslint "$seslint check --quiet --max-file-size 128M $out/large.json"
medians large

echo; echo "== peak RSS =="
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {printf "%6.1f MB", $2 / 1024}'; }
printf '%s  %s\n' "$(rss "$seslint" check --quiet "$out/repo")" "seslint, the repository"
printf '%s  %s\n' "$(rss rg -c Statement "$out/repo")" "rg, the repository"
printf '%s  %s\n' "$(rss "$seslint" check --quiet "$out/policies")" "seslint, 2,000 policies"
[ -n "$guard" ] && printf '%s  %s\n' "$(rss "$guard" validate --data "$out/policies" --rules benches/peers/cognito.guard --show-summary none)" "cfn-guard, 2,000 policies"
printf '%s  %s\n' "$(rss "$seslint" check --quiet --max-file-size 128M "$out/large.json")" "seslint, the 85 MB policy"
