#!/usr/bin/env python3
"""Writes one large SES identity policy on one line: N Cognito statements (default 250,000,
about 90 MB), each correct on its own, for measuring how seslint scales with a file's size.

usage: scripts/gen-large-policy.py [--statements N] OUT.json
"""
import argparse
import json


def statement(i: int) -> dict:
    """A correct Cognito statement (no finding of its own), about 370 bytes."""
    return {
        "Sid": f"S{i}",
        "Effect": "Allow",
        "Principal": {"Service": "email.cognito-idp.amazonaws.com"},
        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": "arn:aws:ses:eu-west-1:111111111111:identity/a.com",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": "111111111111"},
            "ArnLike": {"aws:SourceArn": f"arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_{i}"},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=250_000)
    parser.add_argument("out")
    args = parser.parse_args()
    with open(args.out, "w", encoding="utf-8") as out:
        out.write('{"Version":"2012-10-17","Statement":[')
        for i in range(args.statements):
            if i:
                out.write(",")
            out.write(json.dumps(statement(i), separators=(",", ":")))
        out.write("]}\n")


if __name__ == "__main__":
    main()
