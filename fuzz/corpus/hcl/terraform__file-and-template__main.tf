data "aws_caller_identity" "current" {}

variable "region" {
  type    = string
  default = "eu-west-1"
}

resource "aws_ses_domain_identity" "mail" {
  domain = "example.com"
}

resource "aws_ses_email_identity" "support" {
  email = "support@example.com"
}

resource "aws_cognito_user_pool" "users" {
  name = "users"

  email_configuration {
    email_sending_account = "COGNITO_DEFAULT"
    source_arn            = aws_ses_domain_identity.mail.arn
    from_email_address    = "no-reply@example.com"
  }
}

# The policy file was copied from the documentation and its placeholders never filled in.
resource "aws_ses_identity_policy" "cognito" {
  identity = aws_ses_domain_identity.mail.arn
  name     = "cognito-send"
  policy   = file("${path.module}/policies/cognito.json")
}

# The same policy as a template: the account, region and pool come from the configuration.
resource "aws_ses_identity_policy" "support" {
  identity = aws_ses_email_identity.support.arn
  name     = "cognito-send-support"
  policy = templatefile("${path.module}/policies/cognito.json.tpl", {
    account_id   = data.aws_caller_identity.current.account_id
    region       = var.region
    identity     = "support@example.com"
    user_pool_id = aws_cognito_user_pool.users.id
  })
}
