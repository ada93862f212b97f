"""Generates the inputs of scripts/bench.sh under OUT (see that script): repo/ (one file in ten
TypeScript), policies/, one.json and large.json. Deterministic, so that figures taken on two commits compare.

Usage: python3 scripts/bench_data.py OUT FILES
"""

import copy
import json
import os
import shutil
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def fixture(path):
    with open(os.path.join(ROOT, "fixtures", path), encoding="utf-8") as f:
        return json.load(f)


GOOD = fixture("aws-docs/cognito-current-guide.json")
BAD = copy.deepcopy(GOOD)
BAD["Statement"][0]["Principal"]["Service"] = "cognito-idp.amazonaws.com"
BAD["Statement"][0]["Action"] = ["ses:*"]
del BAD["Statement"][0]["Condition"]["StringEquals"]
UNRELATED = [fixture("unrelated/s3-bucket-policy.json"), fixture("unrelated/package.json")]
MODULES = ["heredoc", "jsonencode", "data-source", "typed-references", "unrelated"]


def source(path):
    with open(os.path.join(ROOT, "fixtures", path), encoding="utf-8") as f:
        return f.read()


# TypeScript: a CDK stack with findings, a correct one, and application code that names no
# policy (most of a repository's TypeScript: the byte sniff passes it over without parsing).
SCRIPTS = [
    source("cdk/firing/statement-stack.ts"),
    source("cdk/clean/mail-policy-stack.ts"),
    """import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async (event: { pathParameters: { id: string } }) => {
  const item = await client.send(new GetItemCommand({ TableName: process.env.TABLE!, Key: { id: { S: event.pathParameters.id } } }));
  return { statusCode: item.Item ? 200 : 404, body: JSON.stringify(item.Item ?? {}) };
};
""",
]


def write_json(path, document):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2)


def document(i):
    """A third policies with findings, a third correct policies, a third unrelated JSON."""
    return (GOOD, BAD, UNRELATED[i % 2])[i % 3]


def repository(root, total):
    """`total` files: three quarters linted, a quarter under an ignored build/ directory; one
    Terraform module in 40 files' worth of directories; one large lock file."""
    ignored = total // 4
    with open(os.path.join(root, ".gitignore"), "w", encoding="utf-8") as f:
        f.write("build/\n")
    written = 0
    i = 0
    while written < total - ignored - 1:
        directory = os.path.join(root, f"team{i % 50}", f"service{i % 400}")
        if i % 40 == 0:
            module = MODULES[(i // 40) % len(MODULES)]
            target = os.path.join(directory, "infra")
            if not os.path.exists(target):
                shutil.copytree(os.path.join(ROOT, "fixtures/terraform", module), target)
                written += len(os.listdir(target))
        if i % 10 == 5:
            # One file in ten is TypeScript.
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, f"file{i}.ts"), "w", encoding="utf-8") as f:
                f.write(SCRIPTS[(i // 10) % len(SCRIPTS)])
        else:
            write_json(os.path.join(directory, f"file{i}.json"), document(i))
        written += 1
        i += 1
    for j in range(ignored):
        write_json(os.path.join(root, "build", f"out{j % 20}", f"file{j}.json"), document(j))
    lock = {
        "packages": {
            f"node_modules/pkg{k}": {
                "version": "1.0.0",
                "resolved": "https://registry.example/pkg",
                "integrity": "sha512-" + "a" * 80,
            }
            for k in range(25000)
        }
    }
    write_json(os.path.join(root, "package-lock.json"), lock)


def large_policy(path, statements):
    """One policy of `statements` correct Cognito statements, each for another pool, on one line
    (about 340 bytes a statement)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"Version":"2012-10-17","Statement":[')
        for i in range(statements):
            statement = {
                "Sid": f"S{i}",
                "Effect": "Allow",
                "Principal": {"Service": "email.cognito-idp.amazonaws.com"},
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": "arn:aws:ses:us-east-1:111111111111:identity/example.com",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": "111111111111"},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_P{i}"},
                },
            }
            if i:
                f.write(",")
            f.write(json.dumps(statement, separators=(",", ":")))
        f.write("]}")


def main():
    out, total = sys.argv[1], int(sys.argv[2])
    marker = os.path.join(out, "generated")
    wanted = f"{total} 3\n"
    if os.path.exists(marker) and open(marker, encoding="utf-8").read() == wanted:
        return
    for name in ("repo", "policies"):
        shutil.rmtree(os.path.join(out, name), ignore_errors=True)
    os.makedirs(os.path.join(out, "repo"), exist_ok=True)
    repository(os.path.join(out, "repo"), total)
    for i in range(2000):
        write_json(os.path.join(out, "policies", f"team{i % 20}", f"policy{i}.json"), document(i))
    write_json(os.path.join(out, "one.json"), BAD)
    large_policy(os.path.join(out, "large.json"), 250_000)
    with open(marker, "w", encoding="utf-8") as f:
        f.write(wanted)
    count = sum(len(names) for _, _, names in os.walk(os.path.join(out, "repo")))
    print(f"generated {count} files under {out}/repo, 2,000 policies, one.json, large.json")


if __name__ == "__main__":
    main()
