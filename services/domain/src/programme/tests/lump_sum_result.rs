use super::*;

// ---------------------------- lump sums paid all or nothing on the result

fn paid_on_result() -> CallRules {
    call_rules(vec![rule(Severity::Warning, RuleKind::LumpSumPaidOnResult)], &[])
}

fn verdict(subject: &Subject) -> (Outcome, String) {
    let checks = check(subject, &paid_on_result());
    let mine: Vec<_> = checks.iter().filter(|c| c.rule == "lump_sum_paid_on_result").collect();
    assert_eq!(mine.len(), 1, "{checks:?}");
    assert_eq!(mine[0].stage, "confirmation");
    (mine[0].outcome, mine[0].detail.clone())
}

#[test]
fn a_granted_lump_sum_is_at_risk_until_the_result_is_approved() {
    let mut s = arko_subject();
    // Before the funder's decision nothing is granted, so nothing is at risk.
    assert_eq!(verdict(&s).0, Outcome::Pass);
    s.funder_decided_on = Some(d("2025-12-01"));
    let (outcome, detail) = verdict(&s);
    assert_eq!(outcome, Outcome::Warning, "{detail}");
    assert!(detail.contains("at risk") && detail.contains("2025-12-01"), "{detail}");
    assert!(detail.contains(&s.requested.to_string()), "{detail}");
    s.result_approved_on = Some(d("2028-12-20"));
    let (outcome, detail) = verdict(&s);
    assert_eq!(outcome, Outcome::Pass, "{detail}");
    assert!(detail.contains("approved on 2028-12-20"), "{detail}");
}

#[test]
fn the_rule_only_warns_and_refuses_no_command() {
    let e = ProgrammeRule {
        severity: Severity::Error,
        ..rule(Severity::Warning, RuleKind::LumpSumPaidOnResult)
    };
    assert_eq!(e.validate().unwrap_err().rule(), "invalid_rule");
    let mut s = arko_subject();
    s.funder_decided_on = Some(d("2025-12-01"));
    let checks = check(&s, &paid_on_result());
    assert!(refusal(&checks, Stage::Confirmation).is_ok(), "{checks:?}");
}
