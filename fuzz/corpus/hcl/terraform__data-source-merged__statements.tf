# Statements shared by the documents of policies.tf. Each one is correct on its own.

data "aws_iam_policy_document" "cognito_base" {
  statement {
    sid = "AllowCognitoToSend"

    principals {
      type        = "Service"
      identifiers = ["email.cognito-idp.amazonaws.com"]
    }

    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [aws_ses_domain_identity.mail.arn]

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_cognito_user_pool.users.arn]
    }
  }
}

data "aws_iam_policy_document" "billing_partner" {
  statement {
    sid = "AllowPartnerSend"

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::222222222222:root"]
    }

    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [aws_ses_domain_identity.mail.arn]

    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = ["billing@example.com"]
    }
  }
}

# Copied from billing_partner: the Sid was not changed.
data "aws_iam_policy_document" "support_partner" {
  statement {
    sid = "AllowPartnerSend"

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::333333333333:root"]
    }

    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [aws_ses_domain_identity.mail.arn]

    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = ["support@example.com"]
    }
  }
}

# Replaces the base statement (same Sid) for the marketing domain and pool.
data "aws_iam_policy_document" "marketing_cognito" {
  statement {
    sid = "AllowCognitoToSend"

    principals {
      type        = "Service"
      identifiers = ["email.cognito-idp.amazonaws.com"]
    }

    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [aws_ses_domain_identity.marketing.arn]

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_cognito_user_pool.marketing.arn]
    }
  }
}
