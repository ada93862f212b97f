#!/usr/bin/env bash
# Puts the identity policies of the three mail identities. Each call quotes its policy in
# another way; all of them are what public deploy scripts do.
set -euo pipefail

ACCOUNT_ID="$(aws sts get-caller-identity --query Account --output text)"
POOL_ARN="arn:aws:cognito-idp:us-east-1:${ACCOUNT_ID}:userpool/${POOL_ID}"

# 1. Single quotes, over continued lines: the legacy principal and no conditions.
aws ses put-identity-policy \
  --identity alerts.example.com \
  --policy-name cognito-alerts \
  --policy '{
    "Version": "2012-10-17",
    "Statement": [{
      "Sid": "AlertsPool",
      "Effect": "Allow",
      "Principal": {"Service": "cognito-idp.amazonaws.com"},
      "Action": ["ses:SendEmail", "ses:SendRawEmail"],
      "Resource": "arn:aws:ses:us-east-1:519283746650:identity/alerts.example.com"
    }]
  }'

# 2. Double quotes with escapes and variables (unknown values): the upper-case key.
aws sesv2 create-email-identity-policy --email-identity billing.example.com \
  --policy-name cognito-billing \
  --policy "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"BillingPool\", \"Effect\": \"Allow\", \"Principal\": {\"Service\": \"email.cognito-idp.amazonaws.com\"}, \"Action\": [\"ses:SendEmail\", \"ses:SendRawEmail\"], \"Resource\": \"arn:aws:ses:us-east-1:${ACCOUNT_ID}:identity/billing.example.com\", \"Condition\": {\"StringEquals\": {\"AWS:SourceAccount\": \"$ACCOUNT_ID\"}, \"ArnLike\": {\"aws:SourceArn\": \"$POOL_ARN\"}}}]}"

# 3. A heredoc in a command substitution: the pool's wildcard.
aws sesv2 update-email-identity-policy --email-identity news.example.com --policy-name cognito-news \
  --policy "$(cat <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "NewsPool",
    "Effect": "Allow",
    "Principal": {"Service": "email.cognito-idp.amazonaws.com"},
    "Action": ["ses:SendEmail", "ses:SendRawEmail"],
    "Resource": "arn:aws:ses:us-east-1:519283746650:identity/news.example.com",
    "Condition": {
      "StringEquals": {"aws:SourceAccount": "519283746650"},
      "ArnLike": {"aws:SourceArn": "arn:aws:cognito-idp:us-east-1:519283746650:userpool/*"}
    }
  }]
}
JSON
)"

# 4. A file the script writes, then names: only one of the two send actions.
cat > /tmp/support-policy.json <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "SupportPool",
    "Effect": "Allow",
    "Principal": {"Service": "email.cognito-idp.amazonaws.com"},
    "Action": "ses:SendRawEmail",
    "Resource": "arn:aws:ses:us-east-1:${ACCOUNT_ID}:identity/support.example.com",
    "Condition": {
      "StringEquals": {"aws:SourceAccount": "${ACCOUNT_ID}"},
      "ArnLike": {"aws:SourceArn": "${POOL_ARN}"}
    }
  }]
}
EOF
aws ses put-identity-policy --identity support.example.com --policy-name cognito-support \
  --policy file:///tmp/support-policy.json

# 5. ANSI-C quoting: a send action with a stray space.
aws ses put-identity-policy --identity ops.example.com --policy-name cognito-ops --policy $'{"Version": "2012-10-17", "Statement": [{"Sid": "OpsPool", "Effect": "Allow", "Principal": {"Service": "email.cognito-idp.amazonaws.com"}, "Action": ["ses:SendEmail ", "ses:SendRawEmail"], "Resource": "arn:aws:ses:us-east-1:519283746650:identity/ops.example.com", "Condition": {"StringEquals": {"aws:SourceAccount": "519283746650"}, "ArnLike": {"aws:SourceArn": "arn:aws:cognito-idp:us-east-1:519283746650:userpool/us-east-1_Ab12Cd34E"}}}]}'
