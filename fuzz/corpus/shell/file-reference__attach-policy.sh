#!/usr/bin/env bash
set -euo pipefail
aws sesv2 create-email-identity-policy \
  --email-identity example.org \
  --policy-name cognito \
  --policy file://policy.json
