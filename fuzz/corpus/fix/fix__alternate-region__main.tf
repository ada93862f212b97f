# A pool in me-central-1 (no SES there) sends through an identity in eu-central-1.
resource "aws_sesv2_email_identity_policy" "dunes" {
  email_identity = "dunes-travel.example"
  policy_name    = "cognito-dunes"
  policy         = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "DunesPoolMail",
          "Effect": "Allow",
          "Principal": {"Service": "cognito-idp.amazonaws.com"},
          "Action": ["ses:SendEmail", "ses:SendRawEmail"],
          "Resource": "arn:aws:ses:eu-central-1:555566667777:identity/dunes-travel.example",
          "Condition": {
            "StringEquals": {"aws:SourceAccount": "555566667777"},
            "ArnLike": {"aws:SourceArn": "arn:aws:cognito-idp:me-central-1:555566667777:userpool/me-central-1_Dun3s"}
          }
        }
      ]
    }
  POLICY
}
