# The identity policy pasted from the console into a quoted string, escapes and all.
# Broken: it grants Cognito ses:* and pins nothing (no aws:SourceAccount, no aws:SourceArn).

variable "domain" {
  type    = string
  default = "example.com"
}

resource "aws_ses_domain_identity" "mail" {
  domain = var.domain
}

resource "aws_ses_identity_policy" "cognito" {
  identity = aws_ses_domain_identity.mail.arn
  name     = "cognito-send"
  policy   = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"AllowCognito\", \"Effect\": \"Allow\", \"Principal\": {\"Service\": \"email.cognito-idp.amazonaws.com\"}, \"Action\": \"ses:*\", \"Resource\": \"arn:aws:ses:eu-west-1:111111111111:identity/example.com\"}]}"
}

# The same mistake on a second identity, written with \n escapes so that it reads in `terraform
# show`: the JSON is one line of HCL, the findings must still land on its characters.
resource "aws_ses_email_identity" "support" {
  email = "support@example.com"
}

resource "aws_ses_identity_policy" "support" {
  identity = aws_ses_email_identity.support.arn
  name     = "cognito-send-support"
  policy   = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Sid\": \"CognitoSupport\",\n    \"Effect\": \"Allow\",\n    \"Principal\": {\"Service\": \"email.cognito-idp.amazonaws.com\"},\n    \"Action\": [\"ses:SendEmail\", \"ses:SendRawEmail\"],\n    \"Resource\": \"${aws_ses_email_identity.support.arn}\",\n    \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"111111111111\"}}\n  }\n}\n"
}
