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
        let fields = arn_fields(text).filter(|[partition, ..]| !partition.is_empty());
        let Some([partition, service, region, account, resource]) = fields else {
            return Err(format!(
                "{text:?} is not an ARN: expected arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID"
            ));
        };
        if service == "cognito-identity" {
            return Err(format!(
                "{text:?} is an identity pool ARN; Cognito sends email for a user pool: use arn:{partition}:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID"
            ));
        }
        let id = resource.strip_prefix("userpool/").unwrap_or_default();
        if service != "cognito-idp" || id.is_empty() {
            return Err(format!(
                "{text:?} is not a user pool ARN: expected arn:{partition}:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID"
            ));
        }
        check_account(account, text)?;
        check_region(region, text)?;
        if id.contains(['*', '?']) {
            return Err(format!(
                "{text:?} names no single user pool: write the pool's ID, without wildcards"
            ));
        }
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(format!(
                "{text:?}: {id:?} is not a user pool ID (such as eu-west-1_Abc123)"
            ));
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
        Err(format!(
            "{text:?}: the account {account:?} is not a 12-digit account ID"
        ))
    }
}

fn check_region(region: &str, text: &str) -> Result<(), String> {
    let ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!("{text:?}: {region:?} is not a region (such as eu-west-1)"))
    }
}

/// An SES identity ARN, `arn:PARTITION:ses:REGION:ACCOUNT:identity/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityArn {
    pub partition: String,
    pub region: String,
    pub account: String,
    /// A domain or an email address.
    pub name: String,
}

impl IdentityArn {
    pub fn parse(text: &str) -> Result<IdentityArn, String> {
        let expected = "expected arn:aws:ses:REGION:ACCOUNT:identity/NAME (a domain or an email address)";
        let Some([partition, service, region, account, resource]) = arn_fields(text) else {
            return Err(format!("{text:?} is not an ARN: {expected}"));
        };
        let name = resource.strip_prefix("identity/").unwrap_or_default();
        if partition.is_empty() || service != "ses" || name.is_empty() {
            return Err(format!("{text:?} is not an SES identity ARN: {expected}"));
        }
        if region == "*" {
            return Err(format!(
                "{text:?} has `*` for its region: that form is the user pool's EmailConfiguration.SourceArn; the identity policy is attached to one identity in one region: name it"
            ));
        }
        check_account(account, text)?;
        check_region(region, text)?;
        if name.contains(['*', '?']) {
            return Err(format!(
                "{text:?} names no single identity: write the domain or the address"
            ));
        }
        Ok(IdentityArn {
            partition: partition.into(),
            region: region.into(),
            account: account.into(),
            name: name.into(),
        })
    }
}

/// What `generate` prints the policy as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The policy document.
    Json,
    /// An `aws_sesv2_email_identity_policy` with `jsonencode`.
    Terraform,
    /// A template with a CDK-style `Custom::AWS` resource that calls `CreateEmailIdentityPolicy`.
    CloudFormation,
    /// The `aws sesv2 create-email-identity-policy` command line.
    Cli,
}

/// The policy Cognito needs, checked against the region tables (`tables`: the rules' data
/// tables). The error says what to change.
pub fn policy(identity: &str, pool: &str, tables: &Definitions) -> Result<Generated, String> {
    let identity = IdentityArn::parse(identity)?;
    let pool_arn = pool;
    let pool = UserPoolArn::parse(pool)?;
    if identity.partition != pool.partition {
        return Err(format!(
            "the identity is in the {} partition and the user pool in {}: they must be in one partition",
            identity.partition, pool.partition
        ));
    }
    if identity.account != pool.account {
        return Err(format!(
            "the identity belongs to account {} and the user pool to {}: Cognito cannot send through another account's identity; use an identity of account {}",
            identity.account, pool.account, pool.account
        ));
    }
    let table = |name: &str| {
        tables
            .table(name)
            .ok_or_else(|| format!("the rules have no data table `{name}`"))
    };
    let set = |name: &str| {
        tables
            .set(name)
            .map(<[String]>::to_vec)
            .ok_or_else(|| format!("the rules have no set `{name}`"))
    };
    let principals = table("cognito-email-principal")?;
    let regions = table("cognito-ses-identity-regions")?;
    let mut notes = Vec::new();
    let principal = match (principals.get(&pool.region), regions.get(&pool.region)) {
        (Some([principal]), Some(allowed)) => {
            if !allowed.contains(&identity.region) {
                let list = allowed.join(", ");
                return Err(format!(
                    "a user pool in {} cannot send through an identity in {}: use an identity in {list} ({})",
                    pool.region, identity.region, TABLE_FILE
                ));
            }
            principal.clone()
        }
        _ => {
            notes.push(format!(
                "the region table ({TABLE_FILE}) does not list {}: the email principal is assumed; check the Cognito guide for that region",
                pool.region
            ));
            set("cognito-email-principal")?.first().cloned().unwrap_or_default()
        }
    };
    let arn = format!(
        "arn:{}:ses:{}:{}:identity/{}",
        identity.partition, identity.region, identity.account, identity.name
    );
    let document = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowCognitoToSendEmail",
            "Effect": "Allow",
            "Principal": {"Service": principal},
            "Action": set("cognito-send-actions")?,
            "Resource": arn,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": pool.account},
                "ArnLike": {"aws:SourceArn": pool_arn},
            },
        }],
    });
    Ok(Generated {
        document,
        identity,
        notes,
    })
}

/// Where the region facts come from, for messages.
const TABLE_FILE: &str = "rules/data/cognito-ses-regions.toml";

use crate::rules::definitions::Definitions;
use crate::rules::schema::arn_fields;

/// A generated policy, and what the user should know about it.
#[derive(Debug)]
pub struct Generated {
    pub document: serde_json::Value,
    pub identity: IdentityArn,
    /// Said on stderr: a region the table does not know.
    pub notes: Vec<String>,
}

impl Generated {
    /// The policy as `output` writes it, ending in a new line.
    pub fn render(&self, output: Output) -> String {
        let pretty = serde_json::to_string_pretty(&self.document).unwrap_or_default();
        let compact = self.document.to_string();
        let name = &self.identity.name;
        match output {
            Output::Json => format!("{pretty}\n"),
            Output::Terraform => {
                let policy = hcl(&self.document, "    ");
                format!(
                    "resource \"aws_sesv2_email_identity_policy\" \"cognito\" {{\n  # The identity is in {region}: apply with a provider for that region.\n  email_identity = {name}\n  policy_name    = \"cognito-send\"\n  policy = jsonencode({policy})\n}}\n",
                    region = self.identity.region,
                    name = serde_json::Value::String(name.clone()),
                )
            }
            Output::CloudFormation => {
                let call = |action: &str| {
                    serde_json::json!({
                        "service": "SESV2",
                        "action": action,
                        "parameters": {"EmailIdentity": name, "PolicyName": "cognito-send", "Policy": compact},
                        "region": self.identity.region,
                        "physicalResourceId": {"id": format!("{name}/cognito-send")},
                    })
                    .to_string()
                };
                let delete = serde_json::json!({
                    "service": "SESV2",
                    "action": "deleteEmailIdentityPolicy",
                    "parameters": {"EmailIdentity": name, "PolicyName": "cognito-send"},
                    "region": self.identity.region,
                })
                .to_string();
                let template = serde_json::json!({
                    "Parameters": {
                        "AwsCustomResourceProvider": {
                            "Type": "String",
                            "Description": "The ARN of the CDK AwsCustomResource provider function",
                        }
                    },
                    "Resources": {
                        "CognitoSesIdentityPolicy": {
                            "Type": "Custom::AWS",
                            "Properties": {
                                "ServiceToken": {"Ref": "AwsCustomResourceProvider"},
                                "Create": call("createEmailIdentityPolicy"),
                                "Update": call("updateEmailIdentityPolicy"),
                                "Delete": delete,
                            },
                        }
                    },
                });
                format!("{}\n", serde_json::to_string_pretty(&template).unwrap_or_default())
            }
            Output::Cli => format!(
                "aws sesv2 create-email-identity-policy --region {} --email-identity '{}' --policy-name cognito-send --policy '{}'\n",
                self.identity.region,
                name.replace('\'', r"'\''"),
                compact.replace('\'', r"'\''")
            ),
        }
    }
}

/// `jsonencode` HCL for a JSON value, objects one member a line at `indent` (lists of strings
/// on one line).
pub fn hcl(value: &serde_json::Value, indent: &str) -> String {
    use serde_json::Value;
    match value {
        Value::Object(members) => {
            let inner = format!("{indent}  ");
            let lines: Vec<String> = members
                .iter()
                .map(|(k, v)| {
                    let bare = k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    let key = if bare {
                        k.clone()
                    } else {
                        Value::String(k.clone()).to_string()
                    };
                    format!("{indent}{key} = {}", hcl(v, &inner))
                })
                .collect();
            let close = &indent[..indent.len().saturating_sub(2)];
            format!("{{\n{}\n{close}}}", lines.join("\n"))
        }
        Value::Array(items) => {
            let all_strings = items.iter().all(Value::is_string);
            if all_strings {
                format!(
                    "[{}]",
                    items.iter().map(|i| hcl(i, indent)).collect::<Vec<_>>().join(", ")
                )
            } else {
                let close = &indent[..indent.len().saturating_sub(2)];
                let lines: Vec<String> = items
                    .iter()
                    .map(|i| format!("{indent}{},", hcl(i, &format!("{indent}  "))))
                    .collect();
                format!("[\n{}\n{close}]", lines.join("\n"))
            }
        }
        other => crate::fix::write::hcl(other).unwrap_or_default(),
    }
}
