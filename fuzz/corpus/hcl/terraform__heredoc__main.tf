variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "domain" {
  type    = string
  default = "example.com"
}

data "aws_caller_identity" "current" {}

resource "aws_ses_domain_identity" "mail" {
  domain = var.domain
}

resource "aws_cognito_user_pool" "users" {
  name = "users"

  email_configuration {
    email_sending_account = "COGNITO_DEFAULT"
    source_arn            = aws_ses_domain_identity.mail.arn
    from_email_address    = "no-reply@${var.domain}"
  }
}

# Copied from the 2021 revision of the Cognito guide: legacy policy language, legacy principal.
resource "aws_ses_identity_policy" "legacy" {
  identity = aws_ses_domain_identity.mail.arn
  name     = "cognito-legacy"
  policy   = <<EOF
{
  "Version": "2008-10-17",
  "Statement": [
    {
      "Sid": "AllowCognitoLegacy",
      "Effect": "Allow",
      "Principal": {
        "Service": "cognito-idp.amazonaws.com"
      },
      "Action": [
        "ses:SendEmail",
        "ses:SendRawEmail"
      ],
      "Resource": "arn:aws:ses:eu-west-1:111111111111:identity/example.com",
      "Condition": {
        "StringEquals": {
          "aws:SourceAccount": "111111111111"
        },
        "ArnLike": {
          "aws:SourceArn": "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Abc123"
        }
      }
    }
  ]
}
EOF
}

# The current guide's policy, indented heredoc; every value that depends on the deployment is an
# interpolation inside a JSON string.
resource "aws_sesv2_email_identity_policy" "cognito" {
  email_identity = var.domain
  policy_name    = "cognito-send"
  policy         = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "AllowCognitoToSend",
          "Effect": "Allow",
          "Principal": {
            "Service": "email.cognito-idp.amazonaws.com"
          },
          "Action": [
            "ses:SendEmail",
            "ses:SendRawEmail"
          ],
          "Resource": "arn:aws:ses:${var.region}:${data.aws_caller_identity.current.account_id}:identity/${var.domain}",
          "Condition": {
            "StringEquals": {
              "aws:SourceAccount": "${data.aws_caller_identity.current.account_id}"
            },
            "ArnLike": {
              "aws:SourceArn": "${aws_cognito_user_pool.users.arn}"
            }
          }
        }
      ]
    }
  EOT
}

# A whole JSON value spliced in by an interpolation (outside any JSON string). The statement has
# no aws:SourceArn: the finding must land on "Condition" after the interpolation, same line.
resource "aws_ses_email_identity" "alerts" {
  email = "alerts@example.com"
}

resource "aws_ses_identity_policy" "alerts" {
  identity = aws_ses_email_identity.alerts.arn
  name     = "cognito-alerts"
  policy   = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Sid": "CognitoAlerts",
        "Effect": "Allow",
        "Principal": {"Service": "email.cognito-idp.amazonaws.com"},
        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": ${jsonencode(aws_ses_email_identity.alerts.arn)}, "Condition": {"StringEquals": {"aws:SourceAccount": "${data.aws_caller_identity.current.account_id}"}}
      }]
    }
    POLICY
}
