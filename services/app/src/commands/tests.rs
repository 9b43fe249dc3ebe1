use samverkan_domain::application::{Application, ApplicationCommand};
use samverkan_domain::municipality::{Municipality, MunicipalityCommand};
use samverkan_domain::{ApplicationId, MunicipalityCode};

use super::*;

fn register(code: &str, name: &str) -> (MunicipalityCode, MunicipalityCommand) {
    let code = MunicipalityCode::parse(code).expect("code");
    (
        code,
        MunicipalityCommand::Register {
            code,
            name: name.into(),
            code_valid_from: None,
        },
    )
}

#[test]
fn the_fingerprint_covers_type_target_and_input() {
    let (c, cmd) = register("SE-1487", "Vänersborg");
    let f = fingerprint::<Municipality>(&c, &cmd);
    assert!(f.starts_with("sha256:") && f.len() == 7 + 64, "{f}");
    assert_eq!(f, fingerprint::<Municipality>(&c, &cmd.clone()), "stable");
    let (_, renamed) = register("SE-1487", "Trollhättan");
    assert_ne!(f, fingerprint::<Municipality>(&c, &renamed), "input");
    let (other, _) = register("SE-1488", "Vänersborg");
    assert_ne!(f, fingerprint::<Municipality>(&other, &cmd), "target");
    let end = MunicipalityCommand::EndTwinTownAgreement {
        partner_key: String::new(),
        ended_on: chrono::NaiveDate::MIN,
        decision: serde_json::from_value(serde_json::json!({"body": "council", "date": "2020-01-01"}))
            .unwrap_or_else(|_| panic!("a decision")),
    };
    assert_ne!(f, fingerprint::<Municipality>(&c, &end), "type");
}

#[test]
fn what_the_server_fills_in_is_not_fingerprinted() {
    let id = ApplicationId::from_name("fingerprint-test");
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().expect("instant");
    let submit = |now| ApplicationCommand::Submit { now };
    assert_eq!(
        fingerprint::<Application>(&id, &submit(at("2025-01-01T00:00:00Z"))),
        fingerprint::<Application>(&id, &submit(at("2025-01-01T00:00:07Z"))),
        "a retry seconds later is the same command"
    );
    let invite = |members: &[&str]| ApplicationCommand::Invite {
        municipality: MunicipalityCode::parse("SE-1487").expect("code"),
        consortium_members: members
            .iter()
            .map(|m| MunicipalityCode::parse(m).expect("code"))
            .collect(),
    };
    assert_eq!(
        fingerprint::<Application>(&id, &invite(&[])),
        fingerprint::<Application>(&id, &invite(&["SE-1487", "SE-1488"])),
        "members come from the consortium's stream, not the caller"
    );
}
