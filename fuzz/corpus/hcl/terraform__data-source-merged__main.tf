# One SES domain for transactional mail, one for marketing; partners send invoices and support
# replies through the transactional domain.

variable "partner_accounts" {
  description = "Accounts allowed to send as news.example.com, by name"
  type        = map(string)
  default = {
    crm       = "444444444444"
    analytics = "555555555555"
  }
}

data "aws_caller_identity" "current" {}

resource "aws_ses_domain_identity" "mail" {
  domain = "example.com"
}

resource "aws_ses_domain_identity" "marketing" {
  domain = "marketing.example.com"
}

resource "aws_ses_domain_identity" "news" {
  domain = "news.example.com"
}

resource "aws_cognito_user_pool" "users" {
  name = "users"

  email_configuration {
    email_sending_account = "COGNITO_DEFAULT"
    source_arn            = aws_ses_domain_identity.mail.arn
    from_email_address    = "no-reply@example.com"
  }
}

resource "aws_cognito_user_pool" "marketing" {
  name = "marketing"

  email_configuration {
    email_sending_account = "COGNITO_DEFAULT"
    source_arn            = aws_ses_domain_identity.marketing.arn
    from_email_address    = "hello@marketing.example.com"
  }
}

resource "aws_ses_identity_policy" "transactional" {
  identity = aws_ses_domain_identity.mail.arn
  name     = "transactional"
  policy   = data.aws_iam_policy_document.transactional.json
}

resource "aws_sesv2_email_identity_policy" "marketing" {
  email_identity = aws_ses_domain_identity.marketing.domain
  policy_name    = "marketing"
  policy         = data.aws_iam_policy_document.marketing.json
}

resource "aws_ses_identity_policy" "news" {
  identity = aws_ses_domain_identity.news.arn
  name     = "partners"
  policy   = data.aws_iam_policy_document.news_partners.json
}
