use super::*;
use crate::testing::fixtures::{d, m};
use crate::testing::*;

fn arko() -> ConsortiumCode {
    ConsortiumCode::parse("ARKO").unwrap()
}
fn formed() -> ConsortiumEvent {
    ConsortiumFormed {
        code: arko(),
        name: "Arvika-Kongsvinger-regionen".into(),
        kind: ConsortiumKind::CrossBorder,
        purpose: "Border cooperation".into(),
        formed_on: d("1967-01-01"),
    }
    .into()
}
fn joined(code: &str, on: &str) -> ConsortiumEvent {
    MemberJoined {
        consortium: arko(),
        municipality: m(code),
        joined_on: d(on),
    }
    .into()
}

#[test]
fn form_happy_and_twice() {
    given_no_history::<Consortium>()
        .when(ConsortiumCommand::Form {
            code: arko(),
            name: "Arvika-Kongsvinger-regionen".into(),
            kind: ConsortiumKind::CrossBorder,
            purpose: "Border cooperation".into(),
            formed_on: d("1967-01-01"),
        })
        .then([formed()]);
    given::<Consortium>([formed()])
        .when(ConsortiumCommand::Form {
            code: arko(),
            name: "x".into(),
            kind: ConsortiumKind::CrossBorder,
            purpose: "x".into(),
            formed_on: d("1967-01-01"),
        })
        .then_error("already_exists");
}

#[test]
fn join_happy_path() {
    let s = given::<Consortium>([formed()])
        .when(ConsortiumCommand::Join {
            municipality: m("SE-1784"),
            joined_on: d("1967-01-01"),
        })
        .then([joined("SE-1784", "1967-01-01")]);
    assert!(s.is_member(&m("SE-1784")));
}

#[test]
fn joining_twice_is_rejected() {
    given::<Consortium>([formed(), joined("SE-1784", "1967-01-01")])
        .when(ConsortiumCommand::Join {
            municipality: m("SE-1784"),
            joined_on: d("1990-01-01"),
        })
        .then_error("already_member");
}

#[test]
fn join_before_formation_is_rejected() {
    given::<Consortium>([formed()])
        .when(ConsortiumCommand::Join {
            municipality: m("SE-1784"),
            joined_on: d("1966-01-01"),
        })
        .then_error("before_formation");
}

#[test]
fn join_unformed_is_not_found() {
    given_no_history::<Consortium>()
        .when(ConsortiumCommand::Join {
            municipality: m("SE-1784"),
            joined_on: d("1990-01-01"),
        })
        .then_error("not_found");
}

#[test]
fn leave_and_rejoin() {
    let left: ConsortiumEvent = MemberLeft {
        consortium: arko(),
        municipality: m("NO-3419"),
        left_on: d("2015-12-31"),
    }
    .into();
    let s = given::<Consortium>([formed(), joined("NO-3419", "1967-01-01")])
        .when(ConsortiumCommand::Leave {
            municipality: m("NO-3419"),
            left_on: d("2015-12-31"),
        })
        .then([left.clone()]);
    assert!(!s.is_member(&m("NO-3419")));
    given::<Consortium>([formed(), joined("NO-3419", "1967-01-01"), left.clone()])
        .when(ConsortiumCommand::Leave {
            municipality: m("NO-3419"),
            left_on: d("2016-12-31"),
        })
        .then_error("not_a_member");
    given::<Consortium>([formed(), joined("NO-3419", "1967-01-01"), left.clone()])
        .when(ConsortiumCommand::Join {
            municipality: m("NO-3419"),
            joined_on: d("2015-01-01"),
        })
        .then_error("ends_before_start");
    let s = given::<Consortium>([formed(), joined("NO-3419", "1967-01-01"), left])
        .when(ConsortiumCommand::Join {
            municipality: m("NO-3419"),
            joined_on: d("2020-01-01"),
        })
        .then_ok();
    assert_eq!(s.memberships[&m("NO-3419")].len(), 2);
}

#[test]
fn leave_before_joining_is_rejected() {
    given::<Consortium>([formed(), joined("SE-1784", "1990-01-01")])
        .when(ConsortiumCommand::Leave {
            municipality: m("SE-1784"),
            left_on: d("1989-01-01"),
        })
        .then_error("leaves_before_joining");
}

#[test]
fn coordinator_must_be_member_or_office() {
    given::<Consortium>([formed()])
        .when(ConsortiumCommand::AppointCoordinator {
            coordinator: Coordinator::Member {
                municipality: m("SE-1784"),
            },
            from: d("2000-01-01"),
        })
        .then_error("not_a_member");
    given::<Consortium>([formed(), joined("SE-1784", "1967-01-01")])
        .when(ConsortiumCommand::AppointCoordinator {
            coordinator: Coordinator::Member {
                municipality: m("SE-1784"),
            },
            from: d("2000-01-01"),
        })
        .then([CoordinatorAppointed {
            consortium: arko(),
            coordinator: Coordinator::Member {
                municipality: m("SE-1784"),
            },
            from: d("2000-01-01"),
        }
        .into()]);
    given::<Consortium>([formed()])
        .when(ConsortiumCommand::AppointCoordinator {
            coordinator: Coordinator::Office {
                name: "ARKO-sekretariatet".into(),
            },
            from: d("2000-01-01"),
        })
        .then_ok();
    given::<Consortium>([formed()])
        .when(ConsortiumCommand::AppointCoordinator {
            coordinator: Coordinator::Office { name: " ".into() },
            from: d("2000-01-01"),
        })
        .then_error("blank_field");
}

#[test]
fn dissolved_consortium_accepts_nothing() {
    let dissolved: ConsortiumEvent = ConsortiumDissolved {
        consortium: arko(),
        dissolved_on: d("2030-01-01"),
        reason: "Merged".into(),
    }
    .into();
    given::<Consortium>([formed()])
        .when(ConsortiumCommand::Dissolve {
            dissolved_on: d("2030-01-01"),
            reason: "Merged".into(),
        })
        .then([dissolved.clone()]);
    given::<Consortium>([formed(), dissolved.clone()])
        .when(ConsortiumCommand::Join {
            municipality: m("SE-1784"),
            joined_on: d("2031-01-01"),
        })
        .then_error("consortium_dissolved");
    given::<Consortium>([formed(), dissolved])
        .when(ConsortiumCommand::Dissolve {
            dissolved_on: d("2031-01-01"),
            reason: "again".into(),
        })
        .then_error("consortium_dissolved");
}
