//! One pass over a parsed TypeScript/JavaScript program that gathers what the readers need:
//! the names bound to a value (`const policy = {...}`, `this.role = new iam.Role(...)`), the
//! method calls made on each name (`role.addToPolicy(...)`, `statement.addActions(...)`), and
//! every `new` expression, call and object literal, in source order, with the name or key it is
//! stored under.
//!
//! oxc's visitor hands out references that do not outlive each call, and the readers need to go
//! back to a binding's value at any time; so this walk keeps references into the program itself.
//! It covers the statements and expressions infrastructure code is written with (classes,
//! functions, blocks, exports, calls, objects, arrays, templates) and is bounded in depth.

use std::collections::HashMap;

use oxc_ast::ast::{
    Argument, ArrayExpressionElement, ArrowFunctionBody, AssignmentTarget, BindingPattern, CallExpression,
    ChainElement, Class, ClassElement, Declaration, ExportDefaultDeclarationKind, Expression, ForStatementInit,
    ForStatementLeft, Function, ModuleDeclaration, NewExpression, ObjectExpression, ObjectPropertyKind, PropertyKey,
    Statement, TSNamespaceDeclarationBody, VariableDeclaration,
};
use oxc_span::GetSpan;

/// How deep the walk goes (real stacks nest a few dozen levels; parsing is bounded first).
const MAX_DEPTH: usize = 400;

/// A name a value may be stored under: `NAME` for a variable, `this.NAME` for a field.
pub type Name = String;

/// What the walk found.
#[derive(Default)]
pub struct Found<'p, 'a> {
    /// Each name and its value; `None` when the name is bound more than once (or without a
    /// value), so that it is never guessed.
    pub bindings: HashMap<Name, Option<&'p Expression<'a>>>,
    /// The name a value is bound to, by the value's start offset.
    pub names: HashMap<u32, Name>,
    /// Method calls on each name (`NAME.method(...)`), in source order.
    pub calls: HashMap<Name, Vec<&'p CallExpression<'a>>>,
    /// Every `new` expression, with the name its value is bound to (if any).
    pub news: Vec<&'p NewExpression<'a>>,
    /// Every call expression.
    pub all_calls: Vec<&'p CallExpression<'a>>,
    /// Every object literal, with the key or name it is stored under (if any) and that key's
    /// span.
    pub objects: Vec<(&'p ObjectExpression<'a>, Option<(String, oxc_span::Span)>)>,
}

struct Walker<'p, 'a> {
    found: Found<'p, 'a>,
}

/// Walks a program's statements.
pub fn walk<'p, 'a>(body: &'p [Statement<'a>]) -> Found<'p, 'a> {
    let mut walker = Walker {
        found: Found::default(),
    };
    walker.statements(body, 0);
    walker.found
}

/// The name an expression refers to: `NAME`, or `this.NAME`.
pub fn name_of(expression: &Expression) -> Option<Name> {
    match expression.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.to_string()),
        Expression::StaticMemberExpression(member) => match member.object.get_inner_expression() {
            Expression::ThisExpression(_) => Some(format!("this.{}", member.property.name)),
            _ => None,
        },
        _ => None,
    }
}

impl<'p, 'a> Walker<'p, 'a> {
    fn bind(&mut self, name: Name, value: Option<&'p Expression<'a>>) {
        if let Some(value) = value {
            self.found
                .names
                .insert(value.get_inner_expression().span().start, name.clone());
        }
        self.found
            .bindings
            .entry(name)
            .and_modify(|v| *v = None)
            .or_insert(value);
    }

    /// A value stored under a name (a variable, a field, an assignment), at `key_span`.
    fn binding(
        &mut self,
        name: Option<Name>,
        key_span: oxc_span::Span,
        value: Option<&'p Expression<'a>>,
        depth: usize,
    ) {
        if let Some(name) = &name {
            self.bind(name.clone(), value);
        }
        if let Some(value) = value {
            self.expression(value, depth, name.map(|n| (n, key_span)));
        }
    }

    fn statements(&mut self, statements: &'p [Statement<'a>], depth: usize) {
        for statement in statements {
            self.statement(statement, depth);
        }
    }

    fn statement(&mut self, statement: &'p Statement<'a>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let d = depth + 1;
        match statement {
            Statement::BlockStatement(block) => self.statements(&block.body, d),
            Statement::ExpressionStatement(e) => self.expression(&e.expression, d, None),
            Statement::IfStatement(s) => {
                self.expression(&s.test, d, None);
                self.statement(&s.consequent, d);
                if let Some(alternate) = &s.alternate {
                    self.statement(alternate, d);
                }
            }
            Statement::ForStatement(s) => {
                match &s.init {
                    Some(ForStatementInit::VariableDeclaration(v)) => self.variables(v, d),
                    Some(init) => {
                        if let Some(e) = init.as_expression() {
                            self.expression(e, d, None);
                        }
                    }
                    None => {}
                }
                self.statement(&s.body, d);
            }
            Statement::ForOfStatement(s) => {
                if let ForStatementLeft::VariableDeclaration(v) = &s.left {
                    self.variables(v, d);
                }
                self.expression(&s.right, d, None);
                self.statement(&s.body, d);
            }
            Statement::ForInStatement(s) => self.statement(&s.body, d),
            Statement::WhileStatement(s) => self.statement(&s.body, d),
            Statement::DoWhileStatement(s) => self.statement(&s.body, d),
            Statement::LabeledStatement(s) => self.statement(&s.body, d),
            Statement::ReturnStatement(s) => {
                if let Some(e) = &s.argument {
                    self.expression(e, d, None);
                }
            }
            Statement::SwitchStatement(s) => {
                for case in &s.cases {
                    self.statements(&case.consequent, d);
                }
            }
            Statement::TryStatement(s) => {
                self.statements(&s.block.body, d);
                if let Some(handler) = &s.handler {
                    self.statements(&handler.body.body, d);
                }
                if let Some(finalizer) = &s.finalizer {
                    self.statements(&finalizer.body, d);
                }
            }
            Statement::VariableDeclaration(v) => self.variables(v, d),
            Statement::FunctionDeclaration(f) => self.function(f, d),
            Statement::ClassDeclaration(c) => self.class(c, d),
            Statement::TSNamespaceDeclaration(n) => self.namespace(&n.body, d),
            _ => {
                if let Some(module) = statement.as_module_declaration() {
                    self.module_declaration(module, d);
                }
            }
        }
    }

    fn namespace(&mut self, body: &'p TSNamespaceDeclarationBody<'a>, depth: usize) {
        match body {
            TSNamespaceDeclarationBody::TSModuleBlock(block) => self.statements(&block.body, depth + 1),
            TSNamespaceDeclarationBody::TSNamespaceDeclaration(inner) => self.namespace(&inner.body, depth + 1),
        }
    }

    fn module_declaration(&mut self, module: &'p ModuleDeclaration<'a>, depth: usize) {
        match module {
            ModuleDeclaration::ExportDeclaration(export) => match &export.declaration {
                Declaration::VariableDeclaration(v) => self.variables(v, depth),
                Declaration::FunctionDeclaration(f) => self.function(f, depth),
                Declaration::ClassDeclaration(c) => self.class(c, depth),
                _ => {}
            },
            ModuleDeclaration::ExportDefaultDeclaration(export) => match &export.declaration {
                ExportDefaultDeclarationKind::FunctionDeclaration(f) => self.function(f, depth),
                ExportDefaultDeclarationKind::ClassDeclaration(c) => self.class(c, depth),
                kind => {
                    if let Some(e) = kind.as_expression() {
                        self.expression(e, depth, None);
                    }
                }
            },
            ModuleDeclaration::TSExportAssignment(export) => self.expression(&export.expression, depth, None),
            _ => {}
        }
    }

    fn variables(&mut self, declaration: &'p VariableDeclaration<'a>, depth: usize) {
        for declarator in &declaration.declarations {
            let name = match &declarator.id {
                BindingPattern::BindingIdentifier(id) => Some(id.name.to_string()),
                _ => None,
            };
            self.binding(name, declarator.id.span(), declarator.init.as_ref(), depth + 1);
        }
    }

    fn function(&mut self, function: &'p Function<'a>, depth: usize) {
        if let Some(body) = &function.body {
            self.statements(&body.statements, depth + 1);
        }
    }

    fn class(&mut self, class: &'p Class<'a>, depth: usize) {
        for element in &class.body.body {
            match element {
                ClassElement::MethodDefinition(method) => self.function(&method.value, depth + 1),
                ClassElement::PropertyDefinition(property) => {
                    let name = match &property.key {
                        PropertyKey::StaticIdentifier(id) => Some(format!("this.{}", id.name)),
                        _ => None,
                    };
                    self.binding(name, property.key.span(), property.value.as_ref(), depth + 1);
                }
                ClassElement::StaticBlock(block) => self.statements(&block.body, depth + 1),
                _ => {}
            }
        }
    }

    fn arguments(&mut self, arguments: &'p [Argument<'a>], depth: usize) {
        for argument in arguments {
            match argument {
                Argument::SpreadElement(spread) => self.expression(&spread.argument, depth, None),
                other => {
                    if let Some(e) = other.as_expression() {
                        self.expression(e, depth, None);
                    }
                }
            }
        }
    }

    /// `key`: the name or object key the expression's value is stored under, and its span.
    fn expression(&mut self, expression: &'p Expression<'a>, depth: usize, key: Option<(String, oxc_span::Span)>) {
        if depth > MAX_DEPTH {
            return;
        }
        let d = depth + 1;
        match expression {
            Expression::ObjectExpression(object) => {
                self.found.objects.push((object, key));
                for property in &object.properties {
                    match property {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            let key = p.key.static_name().map(|name| (name.to_string(), p.key.span()));
                            self.expression(&p.value, d, key);
                        }
                        ObjectPropertyKind::SpreadProperty(spread) => self.expression(&spread.argument, d, None),
                    }
                }
            }
            Expression::ArrayExpression(array) => {
                for element in &array.elements {
                    match element {
                        ArrayExpressionElement::SpreadElement(spread) => self.expression(&spread.argument, d, None),
                        other => {
                            if let Some(e) = other.as_expression() {
                                self.expression(e, d, None);
                            }
                        }
                    }
                }
            }
            Expression::NewExpression(new) => {
                self.found.news.push(new);
                self.expression(&new.callee, d, None);
                self.arguments(&new.arguments, d);
            }
            Expression::CallExpression(call) => self.call(call, d),
            Expression::ChainExpression(chain) => {
                if let ChainElement::CallExpression(call) = &chain.expression {
                    self.call(call, d);
                }
            }
            Expression::AssignmentExpression(assignment) => {
                let name = match &assignment.left {
                    AssignmentTarget::AssignmentTargetIdentifier(id) => Some(id.name.to_string()),
                    AssignmentTarget::StaticMemberExpression(member) => {
                        matches!(member.object.get_inner_expression(), Expression::ThisExpression(_))
                            .then(|| format!("this.{}", member.property.name))
                    }
                    _ => None,
                };
                self.binding(name, assignment.left.span(), Some(&assignment.right), d);
            }
            Expression::ArrowFunctionExpression(arrow) => match &arrow.body {
                ArrowFunctionBody::FunctionBody(body) => self.statements(&body.statements, d),
                other => {
                    if let Some(e) = other.as_expression() {
                        self.expression(e, d, None);
                    }
                }
            },
            Expression::FunctionExpression(function) => self.function(function, d),
            Expression::ClassExpression(class) => self.class(class, d),
            Expression::AwaitExpression(e) => self.expression(&e.argument, d, None),
            Expression::ConditionalExpression(e) => {
                self.expression(&e.consequent, d, None);
                self.expression(&e.alternate, d, None);
            }
            Expression::LogicalExpression(e) => {
                self.expression(&e.left, d, None);
                self.expression(&e.right, d, None);
            }
            Expression::BinaryExpression(e) => {
                self.expression(&e.left, d, None);
                self.expression(&e.right, d, None);
            }
            Expression::SequenceExpression(e) => {
                for inner in &e.expressions {
                    self.expression(inner, d, None);
                }
            }
            Expression::TemplateLiteral(t) => {
                for inner in &t.expressions {
                    self.expression(inner, d, None);
                }
            }
            Expression::StaticMemberExpression(member) => self.expression(&member.object, d, None),
            Expression::ParenthesizedExpression(_)
            | Expression::TSAsExpression(_)
            | Expression::TSSatisfiesExpression(_)
            | Expression::TSNonNullExpression(_)
            | Expression::TSTypeAssertion(_) => self.expression(expression.get_inner_expression(), d, key),
            _ => {}
        }
    }

    fn call(&mut self, call: &'p CallExpression<'a>, depth: usize) {
        self.found.all_calls.push(call);
        if let Expression::StaticMemberExpression(member) = call.callee.get_inner_expression() {
            if let Some(name) = name_of(&member.object) {
                self.found.calls.entry(name).or_default().push(call);
            }
        }
        self.expression(&call.callee, depth, None);
        self.arguments(&call.arguments, depth);
    }
}
