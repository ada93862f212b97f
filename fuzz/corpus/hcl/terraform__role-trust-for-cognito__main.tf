data "aws_caller_identity" "current" {}

resource "aws_ses_domain_identity" "mail" {
  domain = "example.com"
}

# The mistake: a role for Cognito to "assume" to send email. Cognito never assumes a customer
# role for email; it sends as email.cognito-idp.amazonaws.com under an identity policy.
resource "aws_iam_role" "cognito_email" {
  name = "cognito-email-sender"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "email.cognito-idp.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      }
    ]
  })
}

resource "aws_iam_role_policy" "cognito_email" {
  name = "ses-send"
  role = aws_iam_role.cognito_email.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["ses:SendEmail", "ses:SendRawEmail"]
        Resource = aws_ses_domain_identity.mail.arn
      }
    ]
  })
}

# Legitimate: the role Cognito assumes to send SMS through SNS (sms_configuration.sns_caller_arn),
# pinned with the external ID the pool passes.
resource "aws_iam_role" "cognito_sms" {
  name               = "cognito-sms"
  assume_role_policy = data.aws_iam_policy_document.cognito_sms_trust.json
}

data "aws_iam_policy_document" "cognito_sms_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["cognito-idp.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [random_uuid.sms_external_id.result]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role_policy" "cognito_sms" {
  name = "sns-publish"
  role = aws_iam_role.cognito_sms.id

  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "sns:Publish",
          "Resource": "*"
        }
      ]
    }
  EOF
}

resource "random_uuid" "sms_external_id" {}

resource "aws_cognito_user_pool" "users" {
  name = "users"

  sms_configuration {
    external_id    = random_uuid.sms_external_id.result
    sns_caller_arn = aws_iam_role.cognito_sms.arn
  }

  email_configuration {
    email_sending_account = "COGNITO_DEFAULT"
    source_arn            = aws_ses_domain_identity.mail.arn
    from_email_address    = "no-reply@example.com"
  }
}

# A role for Cognito "to send email": trusts the legacy principal and may send through SES.
# Cognito never assumes it; the identity policy is what is missing.
resource "aws_iam_role" "cognito_mailer" {
  name = "cognito-mailer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cognito-idp.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "cognito_mailer_send" {
  name = "send"
  role = aws_iam_role.cognito_mailer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ses:SendEmail", "ses:SendRawEmail"]
      Resource = "*"
    }]
  })
}
