//! `seslint generate`: the identity policy a Cognito user pool needs to send through an SES
//! identity, written in the container the user asks for. What it writes follows the region
//! table of the rules (`rules/data/cognito-ses-regions.toml`, read through the rule set's data
//! tables): the email principal or the regional one, and only identity regions the pool may
//! use; anything else is an error that says what to change.

/// A Cognito user pool ARN, `arn:PARTITION:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPoolArn {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub id: String,
}

impl UserPoolArn {
    /// Parses a user pool ARN; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<UserPoolArn, String> {
        let fields: Vec<&str> = text.splitn(6, ':').collect();
        let [arn, partition, service, region, account, resource] = fields[..] else {
            return Err(format!("{text:?} is not an ARN: expected arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID"));
        };
        if arn != "arn" || partition.is_empty() {
            return Err(format!("{text:?} is not an ARN: expected arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID"));
        }
        if service == "cognito-identity" {
            return Err(format!(
                "{text:?} is an identity pool ARN; Cognito sends email for a user pool: use arn:{partition}:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID"
            ));
        }
        let id = resource.strip_prefix("userpool/").unwrap_or_default();
        if service != "cognito-idp" || id.is_empty() {
            return Err(format!("{text:?} is not a user pool ARN: expected arn:{partition}:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID"));
        }
        check_account(account, text)?;
        check_region(region, text)?;
        if id.contains(['*', '?']) {
            return Err(format!("{text:?} names no single user pool: write the pool's ID, without wildcards"));
        }
        Ok(UserPoolArn {
            partition: partition.into(),
            region: region.into(),
            account: account.into(),
            id: id.into(),
        })
    }
}

fn check_account(account: &str, text: &str) -> Result<(), String> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("{text:?}: the account {account:?} is not a 12-digit account ID"))
    }
}

fn check_region(region: &str, text: &str) -> Result<(), String> {
    let ok = !region.is_empty() && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!("{text:?}: {region:?} is not a region (such as eu-west-1)"))
    }
}
