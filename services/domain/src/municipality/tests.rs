use super::*;
use crate::testing::fixtures::{d, decision, m as code};
use crate::testing::*;
use crate::DomainEvent;

fn council(date: &str) -> Decision {
    decision(DecisionBody::Council, d(date), "§ 40", "KS 2011/12")
}
fn arvika() -> MunicipalityEvent {
    MunicipalityRegistered {
        code: code("SE-1784"),
        name: "Arvika".into(),
        code_valid_from: None,
    }
    .into()
}
fn skive() -> TwinTownPartner {
    TwinTownPartner {
        name: "Skive".into(),
        country: CountryCode::parse("DK").unwrap(),
        code: None,
    }
}

#[test]
fn register_happy_path() {
    given_no_history::<Municipality>()
        .when(MunicipalityCommand::Register {
            code: code("SE-1784"),
            name: " Arvika ".into(),
            code_valid_from: None,
        })
        .then([arvika()]);
}

#[test]
fn register_twice_is_rejected() {
    given::<Municipality>([arvika()])
        .when(MunicipalityCommand::Register {
            code: code("SE-1784"),
            name: "Arvika".into(),
            code_valid_from: None,
        })
        .then_error("already_exists");
}

#[test]
fn register_needs_a_name() {
    given_no_history::<Municipality>()
        .when(MunicipalityCommand::Register {
            code: code("SE-1784"),
            name: "  ".into(),
            code_valid_from: None,
        })
        .then_error("blank_field");
}

#[test]
fn sign_twin_town_happy_path_and_twice_rejected() {
    let signed: MunicipalityEvent = TwinTownAgreementSigned {
        municipality: code("SE-1784"),
        partner: skive(),
        since: d("1947-01-01"),
        decision: council("1947-01-01"),
    }
    .into();
    given::<Municipality>([arvika()])
        .when(MunicipalityCommand::SignTwinTownAgreement {
            partner: skive(),
            since: d("1947-01-01"),
            decision: council("1947-01-01"),
        })
        .then([signed.clone()]);
    given::<Municipality>([arvika(), signed])
        .when(MunicipalityCommand::SignTwinTownAgreement {
            partner: skive(),
            since: d("1950-01-01"),
            decision: council("1950-01-01"),
        })
        .then_error("already_twin_town");
}

#[test]
fn twin_town_needs_council_decision() {
    let mut decision = council("2011-05-01");
    decision.body = DecisionBody::ExecutiveBoard;
    given::<Municipality>([arvika()])
        .when(MunicipalityCommand::SignTwinTownAgreement {
            partner: skive(),
            since: d("2011-05-01"),
            decision,
        })
        .then_error("twin_town_needs_council_decision");
}

#[test]
fn twin_town_is_not_self() {
    let me = TwinTownPartner {
        name: "Arvika".into(),
        country: CountryCode::parse("SE").unwrap(),
        code: Some(code("SE-1784")),
    };
    given::<Municipality>([arvika()])
        .when(MunicipalityCommand::SignTwinTownAgreement {
            partner: me,
            since: d("2011-05-01"),
            decision: council("2011-05-01"),
        })
        .then_error("twin_town_is_self");
}

#[test]
fn sign_on_unregistered_municipality_is_not_found() {
    given_no_history::<Municipality>()
        .when(MunicipalityCommand::SignTwinTownAgreement {
            partner: skive(),
            since: d("2011-05-01"),
            decision: council("2011-05-01"),
        })
        .then_error("not_found");
}

#[test]
fn end_twin_town() {
    let signed: MunicipalityEvent = TwinTownAgreementSigned {
        municipality: code("SE-1784"),
        partner: skive(),
        since: d("1947-01-01"),
        decision: council("1947-01-01"),
    }
    .into();
    let state = given::<Municipality>([arvika(), signed.clone()])
        .when(MunicipalityCommand::EndTwinTownAgreement {
            partner_key: skive().key(),
            ended_on: d("2020-01-01"),
            decision: council("2019-12-01"),
        })
        .then([TwinTownAgreementEnded {
            municipality: code("SE-1784"),
            partner_key: skive().key(),
            ended_on: d("2020-01-01"),
            decision: council("2019-12-01"),
        }
        .into()]);
    assert!(state.twin_towns.is_empty());
    given::<Municipality>([arvika(), signed.clone()])
        .when(MunicipalityCommand::EndTwinTownAgreement {
            partner_key: skive().key(),
            ended_on: d("1940-01-01"),
            decision: council("1940-01-01"),
        })
        .then_error("ends_before_start");
    given::<Municipality>([arvika()])
        .when(MunicipalityCommand::EndTwinTownAgreement {
            partner_key: skive().key(),
            ended_on: d("2020-01-01"),
            decision: council("2019-12-01"),
        })
        .then_error("not_twin_town");
}

fn baerum() -> MunicipalityEvent {
    MunicipalityRegistered {
        code: code("NO-0219"),
        name: "Bærum".into(),
        code_valid_from: None,
    }
    .into()
}
fn change(new: &str, from: &str) -> MunicipalityCommand {
    MunicipalityCommand::ChangeCode {
        new_code: code(new),
        valid_from: d(from),
        decision: None,
        source: "ssb.no".into(),
        in_use: vec![],
    }
}
fn changed(new: &str, from: &str) -> MunicipalityEvent {
    MunicipalityCodeChanged {
        municipality: code("NO-0219"),
        new_code: code(new),
        valid_from: d(from),
        decision: None,
        source: "ssb.no".into(),
    }
    .into()
}

#[test]
fn code_changes_keep_the_identity_and_close_the_old_period() {
    given::<Municipality>([baerum()])
        .when(change("NO-3024", "2020-01-01"))
        .then([changed("NO-3024", "2020-01-01")]);
    let state = given::<Municipality>([baerum(), changed("NO-3024", "2020-01-01")])
        .when(change("NO-3201", "2024-01-01"))
        .then([changed("NO-3201", "2024-01-01")]);
    assert_eq!(state.registered.as_ref().map(|r| r.0), Some(code("NO-0219")));
    let periods: Vec<_> = state
        .codes
        .iter()
        .map(|p| (p.code.to_string(), p.valid_from, p.valid_until))
        .collect();
    assert_eq!(
        periods,
        vec![
            ("NO-0219".to_string(), None, Some(d("2019-12-31"))),
            ("NO-3024".to_string(), Some(d("2020-01-01")), Some(d("2023-12-31"))),
            ("NO-3201".to_string(), Some(d("2024-01-01")), None),
        ]
    );
}

#[test]
fn code_change_refusals() {
    given::<Municipality>([baerum()])
        .when(change("SE-3024", "2020-01-01"))
        .then_error("code_of_another_country");
    given::<Municipality>([baerum()])
        .when(change("NO-0219", "2020-01-01"))
        .then_error("code_unchanged");
    given::<Municipality>([baerum(), changed("NO-3024", "2020-01-01")])
        .when(change("NO-3201", "2019-06-01"))
        .then_error("code_change_before_current");
    given_no_history::<Municipality>()
        .when(change("NO-3024", "2020-01-01"))
        .then_error("not_found");
    let taken = CodePeriod {
        code: code("NO-3024"),
        valid_from: Some(d("2020-01-01")),
        valid_until: Some(d("2023-12-31")),
    };
    given::<Municipality>([baerum()])
        .when(MunicipalityCommand::ChangeCode {
            new_code: code("NO-3024"),
            valid_from: d("2021-01-01"),
            decision: None,
            source: "ssb.no".into(),
            in_use: vec![(code("NO-0301"), taken.clone())],
        })
        .then_error("code_in_use");
    // After the other municipality gave the code up, it may be reused.
    given::<Municipality>([baerum()])
        .when(MunicipalityCommand::ChangeCode {
            new_code: code("NO-3024"),
            valid_from: d("2024-01-01"),
            decision: None,
            source: "ssb.no".into(),
            in_use: vec![(code("NO-0301"), taken)],
        })
        .then([changed("NO-3024", "2024-01-01")]);
}

#[test]
fn v1_registration_is_upcast() {
    let v1 = serde_json::json!({"code": "NO-0402", "name": "Kongsvinger"});
    let e = MunicipalityEvent::from_json("MunicipalityRegistered", 1, v1.to_string().as_bytes()).unwrap();
    assert_eq!(
        e,
        MunicipalityRegistered {
            code: code("NO-0402"),
            name: "Kongsvinger".into(),
            code_valid_from: None
        }
        .into()
    );
    assert_eq!(e.schema_version(), 2);
}

#[test]
fn future_versions_are_refused() {
    let err = MunicipalityEvent::from_json("MunicipalityRegistered", 3, b"{}").unwrap_err();
    assert!(matches!(err, EventDecodeError::FutureVersion { .. }));
}
