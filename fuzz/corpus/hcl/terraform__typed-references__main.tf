data "aws_caller_identity" "current" {}

resource "aws_ses_domain_identity" "app" {
  domain = "app.example.com"
}

resource "aws_ses_domain_identity" "admin" {
  domain = "admin.example.com"
}

resource "aws_ses_email_identity" "ops" {
  email = "ops@example.com"
}

resource "aws_cognito_user_pool" "app" {
  name = "app"

  email_configuration {
    email_sending_account = "COGNITO_DEFAULT"
    source_arn            = aws_ses_domain_identity.app.arn
    from_email_address    = "no-reply@app.example.com"
  }
}

resource "aws_cognito_user_pool_client" "web" {
  name         = "web"
  user_pool_id = aws_cognito_user_pool.app.id
}

resource "aws_cognito_identity_pool" "app" {
  identity_pool_name               = "app"
  allow_unauthenticated_identities = false

  cognito_identity_providers {
    client_id     = aws_cognito_user_pool_client.web.id
    provider_name = aws_cognito_user_pool.app.endpoint
  }
}

# The old guide said "<your identity pool ARN>": the identity pool was put in aws:SourceArn.
resource "aws_ses_identity_policy" "app" {
  identity = aws_ses_domain_identity.app.arn
  name     = "cognito-send"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowCognitoToSend"
      Effect    = "Allow"
      Principal = { Service = "email.cognito-idp.amazonaws.com" }
      Action    = ["ses:SendEmail", "ses:SendRawEmail"]
      Resource  = aws_ses_domain_identity.app.arn
      Condition = {
        StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
        ArnLike      = { "aws:SourceArn" = aws_cognito_identity_pool.app.arn }
      }
    }]
  })
}

# The same mistake in a heredoc, through an interpolation.
resource "aws_ses_identity_policy" "ops" {
  identity = aws_ses_email_identity.ops.arn
  name     = "cognito-send"
  policy   = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Sid": "AllowCognitoToSend",
        "Effect": "Allow",
        "Principal": {"Service": "email.cognito-idp.amazonaws.com"},
        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": "${aws_ses_email_identity.ops.arn}",
        "Condition": {
          "StringEquals": {"aws:SourceAccount": "${data.aws_caller_identity.current.account_id}"},
          "ArnLike": {"aws:SourceArn": "${aws_cognito_identity_pool.app.arn}"}
        }
      }]
    }
  EOF
}

# Right: the user pool's ARN.
resource "aws_ses_identity_policy" "admin" {
  identity = aws_ses_domain_identity.admin.arn
  name     = "cognito-send"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowCognitoToSend"
      Effect    = "Allow"
      Principal = { Service = "email.cognito-idp.amazonaws.com" }
      Action    = ["ses:SendEmail", "ses:SendRawEmail"]
      Resource  = aws_ses_domain_identity.admin.arn
      Condition = {
        StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
        ArnLike      = { "aws:SourceArn" = aws_cognito_user_pool.app.arn }
      }
    }]
  })
}

# Right as well: the user pool ARN spelled out from its parts, and the ARN of a pool that another
# stack manages, read with a data source.
data "aws_region" "current" {}

data "aws_cognito_user_pool" "partner_portal" {
  user_pool_id = "eu-west-1_Prt123456"
}

resource "aws_ses_email_identity" "billing" {
  email = "billing@example.com"
}

resource "aws_sesv2_email_identity_policy" "billing" {
  email_identity = aws_ses_email_identity.billing.email
  policy_name    = "cognito-send"
  policy         = data.aws_iam_policy_document.billing.json
}

data "aws_iam_policy_document" "billing" {
  statement {
    sid       = "AllowAppPool"
    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [aws_ses_email_identity.billing.arn]

    principals {
      type        = "Service"
      identifiers = ["email.cognito-idp.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:aws:cognito-idp:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:userpool/${aws_cognito_user_pool.app.id}"]
    }
  }

  statement {
    sid       = "AllowPartnerPortalPool"
    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [aws_ses_email_identity.billing.arn]

    principals {
      type        = "Service"
      identifiers = ["email.cognito-idp.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [data.aws_cognito_user_pool.partner_portal.arn]
    }
  }
}
