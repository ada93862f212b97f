# Inline suppressions: a finding on the comment's line, or on the line after a comment that
# stands alone, is not reported; a suppression that covers nothing is (SUP001, info).
resource "aws_ses_identity_policy" "legacy" {
  identity = "example.com"
  name     = "legacy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowCognito"
      Effect    = "Allow"
      # seslint:ignore COG001 -- the pool is migrated to the email principal in INFRA-2231
      Principal = { Service = "cognito-idp.amazonaws.com" }
      Action    = ["ses:SendEmail", "ses:SendRawEmail"] # seslint:ignore COG004 -- nothing to suppress here
      Resource  = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
      Condition = { # seslint:ignore COG006 -- SourceArn is added with the new pool
        StringEquals = { "aws:SourceAccount" = "111111111111" }
      }
    }]
  })
}
