//! CDK constructs and CloudFormation written as objects, read into the CloudFormation resources
//! they stand for, so that the template reader (`cloudformation.rs`) lints them as it lints a
//! synthesized template, with spans at the TypeScript:
//!
//! - `new cr.AwsCustomResource(this, 'Id', { onCreate, onUpdate })` whose call puts an SES
//!   identity policy (`SES putIdentityPolicy`, `SESV2 createEmailIdentityPolicy`, ...): a
//!   `Custom::AWS` resource whose call is the object written, its `Policy` the object given to
//!   `JSON.stringify`;
//! - `new iam.Role(this, 'Id', { assumedBy, inlinePolicies })`: an `AWS::IAM::Role` whose trust
//!   policy allows its principals `sts:AssumeRole`, with the grants made to it in the file
//!   (`role.addToPolicy`, `addToPrincipalPolicy`, `attachInlinePolicy`, `identity.grantSendEmail(role)`,
//!   the AWS managed policy `AmazonSESFullAccess`) as its `Policies`;
//! - `new cognito.UserPool(this, 'Id', { email })`: an `AWS::Cognito::UserPool` whose email
//!   configuration is what `UserPoolEmail.withSES({...})` (DEVELOPER, with the identity's ARN)
//!   or `withCognito()` (COGNITO_DEFAULT) sets;
//! - `new ses.EmailIdentity(this, 'Id', { identity: Identity.domain('...') })`: an
//!   `AWS::SES::EmailIdentity`;
//! - an object literal with `Type: 'AWS::...'` and `Properties` (the Serverless Framework's
//!   `resources` in `serverless.ts`, CloudFormation in a JavaScript module): that resource.
//!
//! A construct is named by the variable or field it is stored in (`userPool`, from
//! `this.userPool = new UserPool(...)`), so that a reference to it (`userPool.userPoolArn`) is
//! matched as a template's `!GetAtt UserPool.Arn` is; its construct ID is the label's path.

use oxc_ast::ast::{Expression, NewExpression, ObjectExpression};
use oxc_span::GetSpan;

use super::shapes::{document_node, Statement};
use super::values::list;
use super::values::{arguments, last_name, member, span, string, Reader};
use super::walk::name_of;
use crate::json::{Member, Node, Value};
use crate::source::Span;
use crate::unknown::UNKNOWN;

/// The AWS managed policies whose grants matter here, and the actions they allow.
const MANAGED_POLICIES: [(&str, &str); 1] = [("AmazonSESFullAccess", "ses:*")];

impl<'p, 'a> Reader<'p, 'a> {
    /// The CloudFormation resources the file's constructs and resource objects stand for.
    pub fn resources(&self) -> Vec<Member> {
        let mut resources = Vec::new();
        for new in &self.found.news {
            let (resource, ok) = self.knowable(|| match last_name(&new.callee) {
                Some("AwsCustomResource") => self.custom_resource(new),
                Some("Role") => self.role(new),
                Some("UserPool") => self.user_pool(new),
                Some("EmailIdentity") => self.email_identity(new),
                _ => None,
            });
            resources.extend(resource.filter(|_| ok));
        }
        for (object, key) in &self.found.objects {
            if self.is_consumed(object.span.start) || !is_resource_object(object) {
                continue;
            }
            let (node, ok) = self.knowable(|| self.object_literal(object));
            if ok {
                let (id, id_span) = key.as_ref().map_or_else(
                    || (String::from("Resource"), span(object.span)),
                    |(k, s)| (k.clone(), span(*s)),
                );
                resources.push(member(id.trim_start_matches("this."), id_span, node));
            }
        }
        resources
    }

    /// A construct as a resource: `{ "Type": kind, "Properties": {...} }`, keyed by the name it
    /// is bound to (else its construct ID), labelled with its construct ID.
    fn construct(&self, new: &'p NewExpression<'a>, kind: &str, properties: Vec<Member>) -> Member {
        let head = span(new.callee.span());
        let construct_id = arguments(&new.arguments)
            .nth(1)
            .and_then(|id| match id.get_inner_expression() {
                Expression::StringLiteral(s) => Some((s.value.to_string(), span(s.span))),
                _ => None,
            });
        let name = self.found.names.get(&new.span.start).cloned();
        let (key, key_span) = match (&name, &construct_id) {
            (Some(name), _) => (name.trim_start_matches("this.").to_string(), head),
            (None, Some((id, at))) => (id.clone(), *at),
            (None, None) => (kind.to_string(), head),
        };
        let mut members = vec![
            member("Type", head, string(kind, head)),
            member(
                "Properties",
                head,
                Node {
                    value: Value::Object(properties),
                    span: span(new.span),
                },
            ),
        ];
        if let (Some(_), Some((id, at))) = (&name, construct_id) {
            let path = Node {
                value: Value::Object(vec![member("aws:cdk:path", at, string(id, at))]),
                span: at,
            };
            members.push(member("Metadata", at, path));
        }
        member(
            &key,
            key_span,
            Node {
                value: Value::Object(members),
                span: span(new.span),
            },
        )
    }

    /// The props object of a construct (`new X(scope, id, props)`).
    fn props(&self, new: &'p NewExpression<'a>) -> Option<&'p ObjectExpression<'a>> {
        arguments(&new.arguments).nth(2).and_then(|p| self.object(p))
    }

    fn custom_resource(&self, new: &'p NewExpression<'a>) -> Option<Member> {
        let props = self.props(new)?;
        let mut calls = Vec::new();
        let mut seen: Option<oxc_span::Span> = None;
        for key in ["onCreate", "onUpdate"] {
            let Some((value, key_span)) = self.property(props, key) else {
                continue;
            };
            // The same call object for both: linted once.
            let resolved = self.resolve(value).span();
            if seen == Some(resolved) {
                continue;
            }
            seen = Some(resolved);
            calls.push(member(key, span(key_span), self.value(value, 0)));
        }
        (!calls.is_empty()).then(|| self.construct(new, "Custom::AWS", calls))
    }

    fn role(&self, new: &'p NewExpression<'a>) -> Option<Member> {
        let props = self.props(new)?;
        let (assumed_by, key) = self.property(props, "assumedBy")?;
        let key = span(key);
        let mut trust = Statement::default();
        trust.set("Effect", key, string("Allow", key));
        trust.principals("Principal", key, self.principal_list(assumed_by, 0));
        trust.set("Action", key, string("sts:AssumeRole", key));
        let trust = trust.into_node(key);
        let mut properties = vec![member(
            "AssumeRolePolicyDocument",
            key,
            document_node(key, key, vec![trust], span(assumed_by.span())),
        )];
        let policies = self.role_policies(new, props);
        if !policies.is_empty() {
            let at = policies[0].span;
            properties.push(member("Policies", at, list(policies, at)));
        }
        Some(self.construct(new, "AWS::IAM::Role", properties))
    }

    /// A role's permission policies: `inlinePolicies`, AWS managed policies that matter, and the
    /// statements the file grants it (`{ "PolicyName", "PolicyDocument" }` each).
    fn role_policies(&self, new: &'p NewExpression<'a>, props: &'p ObjectExpression<'a>) -> Vec<Node> {
        let mut policies = Vec::new();
        let policy = |name: &str, at: Span, document: Node| Node {
            value: Value::Object(vec![
                member("PolicyName", at, string(name, at)),
                member("PolicyDocument", at, document),
            ]),
            span: at,
        };
        if let Some(Value::Object(inline)) = self
            .property(props, "inlinePolicies")
            .map(|(value, _)| self.value(value, 0).value)
        {
            for document in inline {
                policies.push(policy(&document.key, document.key_span, document.value));
            }
        }
        let mut grants: Vec<Node> = Vec::new();
        if let Some((managed, _)) = self.property(props, "managedPolicies") {
            if let Expression::ArrayExpression(list) = self.resolve(managed) {
                for item in list.elements.iter().filter_map(|e| e.as_expression()) {
                    grants.extend(self.managed_policy(item));
                }
            }
        }
        let name = self.found.names.get(&new.span.start);
        for call in name.and_then(|n| self.found.calls.get(n)).into_iter().flatten() {
            let args = || arguments(&call.arguments);
            match last_name(&call.callee) {
                Some("addToPolicy" | "addToPrincipalPolicy") => {
                    for argument in args() {
                        grants.extend(self.statements(argument, 0));
                    }
                }
                Some("attachInlinePolicy") => {
                    for argument in args() {
                        if let Expression::NewExpression(inline) = self.resolve(argument) {
                            if let Some((statements, _)) =
                                self.props(inline).and_then(|p| self.property(p, "statements"))
                            {
                                grants.extend(self.statements(statements, 0));
                            }
                        }
                    }
                }
                Some("addManagedPolicy") => {
                    for argument in args() {
                        grants.extend(self.managed_policy(argument));
                    }
                }
                _ => {}
            }
        }
        // `identity.grantSendEmail(role)`, `identity.grant(role, 'ses:SendEmail')`.
        for call in &self.found.all_calls {
            let method = last_name(&call.callee);
            let mut args = arguments(&call.arguments);
            let grantee = args.next().and_then(name_of);
            if grantee.is_none() || grantee.as_ref() != name {
                continue;
            }
            let at = span(call.span);
            let actions: Vec<Node> = match method {
                Some("grantSendEmail") => vec![string("ses:SendEmail", at), string("ses:SendRawEmail", at)],
                Some("grant") => args.map(|a| self.value(a, 0)).collect(),
                _ => continue,
            };
            grants.push(allow(actions, at));
        }
        if let Some(at) = grants.first().map(|g| g.span) {
            policies.push(policy("grants", at, document_node(at, at, grants, at)));
        }
        policies
    }

    /// The grants of an AWS managed policy this module knows (`ManagedPolicy.fromAwsManagedPolicyName('AmazonSESFullAccess')`).
    fn managed_policy(&self, expression: &'p Expression<'a>) -> Option<Node> {
        let Expression::CallExpression(call) = self.resolve(expression) else {
            return None;
        };
        if last_name(&call.callee) != Some("fromAwsManagedPolicyName") {
            return None;
        }
        let name = self.text_of(arguments(&call.arguments).next()?, 0)?;
        let at = span(call.span);
        MANAGED_POLICIES
            .iter()
            .find(|(managed, _)| *managed == name)
            .map(|(_, action)| allow(vec![string(*action, at)], at))
    }

    fn user_pool(&self, new: &'p NewExpression<'a>) -> Option<Member> {
        let mut properties = Vec::new();
        if let Some((email, key)) = self.props(new).and_then(|p| self.property(p, "email")) {
            properties.extend(self.email_configuration(email, span(key)));
        }
        Some(self.construct(new, "AWS::Cognito::UserPool", properties))
    }

    /// `UserPoolEmail.withSES({ fromEmail, sesRegion, sesVerifiedDomain })`: DEVELOPER, sending
    /// as `arn:PARTITION:ses:REGION:ACCOUNT:identity/DOMAIN-OR-ADDRESS`; `withCognito()`:
    /// COGNITO_DEFAULT.
    fn email_configuration(&self, email: &'p Expression<'a>, key: Span) -> Option<Member> {
        let Expression::CallExpression(call) = self.resolve(email) else {
            return None;
        };
        let head = match call.callee.get_inner_expression() {
            Expression::StaticMemberExpression(m) => span(m.property.span),
            other => span(other.span()),
        };
        let mut configuration = Vec::new();
        match last_name(&call.callee) {
            Some("withSES") => {
                configuration.push(member("EmailSendingAccount", head, string("DEVELOPER", head)));
                let options = arguments(&call.arguments).next().and_then(|o| self.object(o));
                let option = |name: &str| options.and_then(|o| self.property(o, name)).map(|(v, _)| v);
                let region = option("sesRegion").and_then(|r| self.text_of(r, 0));
                let identity = option("sesVerifiedDomain").or_else(|| option("fromEmail"));
                let (name, at) = match identity {
                    Some(value) => (
                        self.text_of(value, 0).unwrap_or_else(|| UNKNOWN.to_string()),
                        span(value.span()),
                    ),
                    None => (UNKNOWN.to_string(), span(call.span)),
                };
                let u = UNKNOWN;
                let region = region.unwrap_or_else(|| u.to_string());
                let arn = format!("arn:{u}:ses:{region}:{u}:identity/{name}");
                configuration.push(member("SourceArn", at, string(arn, at)));
            }
            Some("withCognito") => {
                configuration.push(member("EmailSendingAccount", head, string("COGNITO_DEFAULT", head)));
            }
            _ => return None,
        }
        Some(member(
            "EmailConfiguration",
            key,
            Node {
                value: Value::Object(configuration),
                span: span(call.span),
            },
        ))
    }

    fn email_identity(&self, new: &'p NewExpression<'a>) -> Option<Member> {
        let (identity, key) = self.props(new).and_then(|p| self.property(p, "identity"))?;
        let value = match self.resolve(identity) {
            Expression::CallExpression(call) if matches!(last_name(&call.callee), Some("domain" | "email")) => {
                arguments(&call.arguments).next().map(|name| self.value(name, 0))
            }
            _ => None,
        };
        let value = value.unwrap_or_else(|| super::values::unknown(span(identity.span())));
        Some(self.construct(
            new,
            "AWS::SES::EmailIdentity",
            vec![member("EmailIdentity", span(key), value)],
        ))
    }
}

/// An `Allow` statement of `actions`, at `at`.
fn allow(actions: Vec<Node>, at: Span) -> Node {
    Node {
        value: Value::Object(vec![
            member("Effect", at, string("Allow", at)),
            member("Action", at, list(actions, at)),
        ]),
        span: at,
    }
}

/// Whether an object literal is a CloudFormation resource: `Type: 'AWS::...'` (or `Custom::`)
/// and `Properties`.
fn is_resource_object(object: &ObjectExpression) -> bool {
    let mut kind = false;
    let mut properties = false;
    for property in &object.properties {
        let oxc_ast::ast::ObjectPropertyKind::ObjectProperty(p) = property else {
            continue;
        };
        match p.key.static_name().as_deref() {
            Some("Type") => {
                kind = matches!(p.value.get_inner_expression(), Expression::StringLiteral(s)
                    if s.value.starts_with("AWS::") || s.value.starts_with("Custom::"));
            }
            Some("Properties") => properties = true,
            _ => {}
        }
    }
    kind && properties
}
