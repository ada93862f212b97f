# The transactional domain: Cognito plus both partners. Each source document is fine; merged,
# two statements carry the Sid "AllowPartnerSend".
data "aws_iam_policy_document" "transactional" {
  source_policy_documents = [
    data.aws_iam_policy_document.cognito_base.json,
    data.aws_iam_policy_document.billing_partner.json,
    data.aws_iam_policy_document.support_partner.json,
  ]
}

# The marketing domain: the base statement is replaced by the override with the same Sid, so
# the merged document holds one "AllowCognitoToSend" statement, for the marketing pool.
data "aws_iam_policy_document" "marketing" {
  source_policy_documents   = [data.aws_iam_policy_document.cognito_base.json]
  override_policy_documents = [data.aws_iam_policy_document.marketing_cognito.json]

  statement {
    sid       = "AllowMarketingPlatform"
    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [aws_ses_domain_identity.marketing.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::666666666666:role/campaigns"]
    }

    condition {
      test     = "StringLike"
      variable = "ses:FromAddress"
      values   = ["*@marketing.example.com"]
    }
  }
}

# One statement per partner account, generated: not knowable before plan. The generated
# statements pin nothing and grant ses:*, but no finding can be reported on what is not known.
data "aws_iam_policy_document" "news_partners" {
  dynamic "statement" {
    for_each = var.partner_accounts

    content {
      sid       = "Allow${title(statement.key)}"
      actions   = ["ses:*"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = ["arn:aws:iam::${statement.value}:root"]
      }
    }
  }
}
