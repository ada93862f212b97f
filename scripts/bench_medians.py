"""Prints the medians of a hyperfine `--export-json` file, each against the first command's:
issue 9's targets are medians, and hyperfine's own summary gives means, which one stalled run on a
busy machine moves.

Usage: python3 scripts/bench_medians.py RESULTS.json
"""

import json
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        results = json.load(f)["results"]
    first, name = results[0]["median"], results[0]["command"]
    print("medians:")
    for result in results:
        median = result["median"]
        if result is results[0]:
            against = ""
        elif median >= first:
            against = f" ({median / first:.2f}x {name}'s time)"
        else:
            against = f" ({name} takes {first / median:.2f}x its time)"
        print(f"  {median * 1000:9.1f} ms  {result['command']}{against}")


if __name__ == "__main__":
    main(sys.argv[1])
