#!/bin/sh
# The identity policy the mail pool needs, put with the v2 CLI.
set -e
aws sesv2 create-email-identity-policy \
  --email-identity "$DOMAIN" \
  --policy-name cognito \
  --policy "{
    \"Version\": \"2012-10-17\",
    \"Statement\": [{
      \"Sid\": \"PoolMail\",
      \"Effect\": \"Allow\",
      \"Principal\": {\"Service\": \"email.cognito-idp.amazonaws.com\"},
      \"Action\": [\"ses:SendEmail\", \"ses:SendRawEmail\"],
      \"Resource\": \"arn:aws:ses:${REGION}:${ACCOUNT_ID}:identity/${DOMAIN}\",
      \"Condition\": {
        \"StringEquals\": {\"aws:SourceAccount\": \"${ACCOUNT_ID}\"},
        \"ArnLike\": {\"aws:SourceArn\": \"arn:aws:cognito-idp:${REGION}:${ACCOUNT_ID}:userpool/${POOL_ID}\"}
      }
    }]
  }"
