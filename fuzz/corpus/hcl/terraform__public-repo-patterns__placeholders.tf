# 8 of 34: the documentation's placeholders, never filled in.
resource "aws_ses_identity_policy" "placeholders" {
  identity = aws_ses_domain_identity.mail.arn
  name     = "placeholders"
  policy   = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "AllowCognitoToSend",
          "Effect": "Allow",
          "Principal": {"Service": "email.cognito-idp.amazonaws.com"},
          "Action": ["ses:SendEmail", "ses:SendRawEmail"],
          "Resource": "${aws_ses_domain_identity.mail.arn}",
          "Condition": {
            "StringEquals": {"aws:SourceAccount": "<your account number>"},
            "ArnLike": {"aws:SourceArn": "<your user pool ARN>"}
          }
        }
      ]
    }
  EOF
}
