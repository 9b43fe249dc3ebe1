//! Every line of the command table names the domain's command: an input
//! value of each line (made up from the served schema, so a new line needs
//! no sample here) becomes the domain command of the line's name.

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, Type, TypeDefinition, TypeKind, TypeSystemDefinition};
use async_graphql::{Name, Value};
use chrono::Utc;
use samverkan_app::Projections;
use uuid::Uuid;

use super::{commands, Filled};

/// A value of the named scalar that parses.
fn scalar(name: &str) -> Value {
    match name {
        "UUID" => Value::from(Uuid::nil().to_string()),
        "Date" => Value::from("2025-01-01"),
        "DateTime" => Value::from("2030-01-01T00:00:00Z"),
        "MunicipalityCode" => Value::from("SE-1487"),
        "ConsortiumCode" => Value::from("V6"),
        "CountryCode" => Value::from("SE"),
        "MinorUnits" | "Int" => Value::from(100),
        "Boolean" => Value::from(true),
        _ => Value::from("G1"),
    }
}

/// A value of `ty`: required fields only, the first field of a `@oneOf`,
/// the first value of an enum.
fn sample(types: &HashMap<&str, &TypeDefinition>, ty: &Type) -> Value {
    let name = match &ty.base {
        BaseType::List(_) => return Value::List(vec![]),
        BaseType::Named(n) => n.as_str(),
    };
    let Some(def) = types.get(name) else {
        return scalar(name);
    };
    match &def.kind {
        TypeKind::Enum(e) => Value::Enum(e.values[0].node.value.node.clone()),
        TypeKind::InputObject(input) => {
            let one_of = def.directives.iter().any(|d| d.node.name.node == "oneOf");
            let fields = input
                .fields
                .iter()
                .filter(|f| one_of || !f.node.ty.node.nullable)
                .take(if one_of { 1 } else { usize::MAX })
                .map(|f| (Name::new(f.node.name.node.as_str()), sample(types, &f.node.ty.node)));
            Value::Object(fields.collect())
        }
        _ => scalar(name),
    }
}

#[test]
fn every_line_becomes_the_domain_command_of_its_name() {
    let doc = async_graphql::parser::parse_schema(crate::sdl()).expect("the served schema parses");
    let types: HashMap<&str, &TypeDefinition> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            TypeSystemDefinition::Type(t) => Some((t.node.name.node.as_str(), &t.node)),
            _ => None,
        })
        .collect();
    let TypeKind::Object(mutation) = &types["Mutation"].kind else {
        panic!("Mutation is an object type");
    };
    let projections = Projections::new(None);
    let server = Filled {
        command_id: Uuid::nil(),
        now: Utc::now(),
        projections: &projections,
    };
    let rows = commands();
    assert_eq!(rows.len(), mutation.fields.len());
    for row in rows {
        let field = mutation
            .fields
            .iter()
            .find(|f| f.node.name.node == row.graphql_name())
            .unwrap_or_else(|| panic!("`{}` is served", row.graphql_name()));
        let input = field
            .node
            .arguments
            .iter()
            .find(|a| a.node.name.node == "input")
            .expect("an input argument");
        let value = sample(&types, &input.node.ty.node);
        assert_eq!(
            (row.domain_name)(value.clone(), &server).as_deref(),
            Ok(row.command_type().as_str()),
            "`{}` with {value}",
            row.field
        );
    }
}
