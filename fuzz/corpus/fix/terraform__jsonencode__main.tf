data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  sender     = "no-reply@example.com"
}

resource "aws_ses_domain_identity" "mail" {
  domain = "example.com"
}

resource "aws_ses_email_identity" "sender" {
  email = local.sender
}

resource "aws_cognito_user_pool" "users" {
  name = "users"

  email_configuration {
    email_sending_account = "COGNITO_DEFAULT"
    source_arn            = aws_ses_email_identity.sender.arn
    from_email_address    = local.sender
  }
}

# Pins the account but not the pool: any user pool of the account may send as the domain.
resource "aws_ses_identity_policy" "domain" {
  identity = aws_ses_domain_identity.mail.arn
  name     = "cognito-send"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "AllowCognitoToSend"
        Effect = "Allow"
        Principal = {
          Service = "email.cognito-idp.amazonaws.com"
        }
        Action   = ["ses:SendEmail", "ses:SendRawEmail"]
        Resource = aws_ses_domain_identity.mail.arn
        Condition = {
          StringEquals = {
            "aws:SourceAccount" = local.account_id
          }
        }
      },
    ]
  })
}

# Quoted keys throughout, as people paste them from the JSON; aws:SourceArn names every user pool
# of the account.
resource "aws_sesv2_email_identity_policy" "sender" {
  email_identity = local.sender
  policy_name    = "cognito-send"

  policy = jsonencode({
    "Version" : "2012-10-17",
    "Statement" : [{
      "Sid" : "CognitoSender",
      "Effect" : "Allow",
      "Principal" : { "Service" : ["email.cognito-idp.amazonaws.com"] },
      "Action" : [
        "ses:SendEmail",
        "ses:SendRawEmail",
      ],
      "Resource" : aws_ses_email_identity.sender.arn,
      "Condition" : {
        "StringEquals" : { "aws:SourceAccount" : local.account_id },
        "ArnLike" : {
          "aws:SourceArn" : "arn:aws:cognito-idp:${data.aws_region.current.name}:${local.account_id}:userpool/*"
        }
      }
    }]
  })
}
