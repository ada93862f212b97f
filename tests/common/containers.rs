//! One policy in each container form seslint fixes, for the fix tests: the policy JSON file
//! itself, an SES CLI export, Terraform (heredoc, quoted string, `jsonencode`,
//! `aws_iam_policy_document`), a CloudFormation YAML template and a CDK `Custom::AWS` call in a
//! JSON template. Each form is built from the policy's JSON (keys in their order), so that every
//! firing fixture of a rule is tried in every form.

use serde_json::{Map, Value};

/// A container form: its name, and the file name and text of the policy written in it.
pub struct Form {
    pub name: &'static str,
    pub file: &'static str,
    pub text: String,
}

/// Every form of `policy` (JSON text); forms that cannot write the policy are left out.
pub fn forms(policy: &str) -> Vec<Form> {
    let value: Value = serde_json::from_str(policy).expect("fixture policies are JSON");
    let mut forms = vec![
        Form {
            name: "json",
            file: "policy.json",
            text: policy.to_string(),
        },
        Form {
            name: "cli-export",
            file: "export.json",
            text: format!("{{\n  \"Policies\": {{\n    \"cognito\": {}\n  }}\n}}\n", Value::String(policy.to_string())),
        },
        Form {
            name: "terraform-heredoc",
            file: "main.tf",
            text: resource(&format!("<<EOF\n{}\nEOF", policy.trim_end())),
        },
        Form {
            name: "terraform-quoted",
            file: "main.tf",
            text: resource(&Value::String(compact(&value)).to_string()),
        },
        Form {
            name: "terraform-jsonencode",
            file: "main.tf",
            text: resource(&format!("jsonencode({})", seslint::generate::hcl(&value, "    "))),
        },
        Form {
            name: "cloudformation-yaml",
            file: "template.yaml",
            text: format!(
                "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  CognitoPolicy:\n    Type: Custom::SesIdentityPolicy\n    Properties:\n      Identity: example.com\n      PolicyDocument:\n{}\n",
                yaml(&value, 8)
            ),
        },
        Form {
            name: "cdk-custom-aws",
            file: "template.json",
            text: cdk(&value),
        },
    ];
    if let Some(text) = policy_document(&value) {
        forms.push(Form {
            name: "terraform-policy-document",
            file: "main.tf",
            text,
        });
    }
    forms
}

fn resource(policy: &str) -> String {
    format!("resource \"aws_ses_identity_policy\" \"cognito\" {{\n  identity = \"example.com\"\n  name     = \"cognito\"\n  policy   = {policy}\n}}\n")
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap()
}

/// Block YAML for a JSON value, at `column`.
fn yaml(value: &Value, column: usize) -> String {
    let pad = " ".repeat(column);
    let scalar = |v: &Value| match v {
        Value::String(s)
            if s.chars().all(|c| c.is_ascii_alphanumeric() || ":/._-*".contains(c))
                && s.starts_with(|c: char| c.is_ascii_alphabetic()) =>
        {
            s.clone()
        }
        other => other.to_string(),
    };
    match value {
        Value::Object(members) => members
            .iter()
            .map(|(k, v)| match v {
                Value::Object(_) | Value::Array(_) => {
                    format!("{pad}{}:\n{}", scalar(&Value::String(k.clone())), yaml(v, column + 2))
                }
                other => format!("{pad}{}: {}", scalar(&Value::String(k.clone())), scalar(other)),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Object(_) | Value::Array(_) => format!("{pad}- {}", yaml(item, column + 2).trim_start()),
                other => format!("{pad}- {}", scalar(other)),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => format!("{pad}{}", scalar(other)),
    }
}

/// A CDK `AwsCustomResource` whose `Create` call puts the policy: JSON in a JSON string in a
/// JSON template.
fn cdk(value: &Value) -> String {
    let call = serde_json::json!({
        "service": "SES",
        "action": "putIdentityPolicy",
        "parameters": {"Identity": "example.com", "PolicyName": "cognito", "Policy": compact(value)},
    });
    let template = serde_json::json!({
        "Resources": {
            "CognitoPolicy": {
                "Type": "Custom::AWS",
                "Properties": {"Create": compact(&call)},
            }
        }
    });
    serde_json::to_string_pretty(&template).unwrap() + "\n"
}

fn strings(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

fn list(value: &Value) -> String {
    seslint::generate::hcl(&Value::Array(strings(value)), "")
}

/// An `aws_iam_policy_document` for the policy, when blocks can say it (`None` for a statement
/// that is not an object, a principal that is not a map).
fn policy_document(value: &Value) -> Option<String> {
    let mut out = String::from("data \"aws_iam_policy_document\" \"cognito\" {\n");
    if let Some(version) = value.get("Version") {
        out.push_str(&format!("  version = {version}\n"));
    }
    let statements = strings(value.get("Statement")?);
    for statement in &statements {
        let statement: &Map<String, Value> = statement.as_object()?;
        out.push_str("\n  statement {\n");
        for (key, v) in statement {
            match key.as_str() {
                "Sid" => out.push_str(&format!("    sid    = {v}\n")),
                "Effect" => out.push_str(&format!("    effect = {v}\n")),
                "Principal" | "NotPrincipal" => {
                    let block = if key == "Principal" {
                        "principals"
                    } else {
                        "not_principals"
                    };
                    let map = match v {
                        Value::String(s) if s == "*" => serde_json::json!({"*": ["*"]}),
                        Value::Object(_) => v.clone(),
                        _ => return None,
                    };
                    for (kind, identifiers) in map.as_object()? {
                        out.push_str(&format!(
                            "\n    {block} {{\n      type        = {}\n      identifiers = {}\n    }}\n",
                            Value::String(kind.clone()),
                            list(identifiers)
                        ));
                    }
                }
                "Action" => out.push_str(&format!("    actions = {}\n", list(v))),
                "NotAction" => out.push_str(&format!("    not_actions = {}\n", list(v))),
                "Resource" => out.push_str(&format!("    resources = {}\n", list(v))),
                "NotResource" => out.push_str(&format!("    not_resources = {}\n", list(v))),
                "Condition" => {
                    for (test, keys) in v.as_object()? {
                        for (variable, values) in keys.as_object()? {
                            out.push_str(&format!(
                                "\n    condition {{\n      test     = {}\n      variable = {}\n      values   = {}\n    }}\n",
                                Value::String(test.clone()),
                                Value::String(variable.clone()),
                                list(values)
                            ));
                        }
                    }
                }
                _ => return None,
            }
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n\n");
    out.push_str(&resource("data.aws_iam_policy_document.cognito.json"));
    Some(out)
}
