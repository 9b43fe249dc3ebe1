use super::*;

// ---------------------------- commitments confirmed within N weeks of the decision

fn within(weeks: u32) -> CallRules {
    call_rules(
        vec![rule(Severity::Warning, RuleKind::CommitmentsConfirmedWithin { weeks })],
        &[],
    )
}

/// The ARKO subject approved on 2025-12-01, Kongsvinger confirmed on `confirmed`, judged on `today`.
fn decided(confirmed: Option<&str>, today: &str) -> Subject {
    let mut s = arko_subject();
    s.funder_decided_on = Some(d("2025-12-01"));
    s.parties[1].confirmed_on = confirmed.map(d);
    s.today = d(today);
    s
}

fn verdicts(subject: &Subject, rules: &CallRules) -> Vec<(Option<MunicipalityCode>, Outcome, String)> {
    check(subject, rules)
        .into_iter()
        .filter(|c| c.rule == "commitments_confirmed_within")
        .map(|c| (c.party, c.outcome, c.detail))
        .collect()
}

#[test]
fn a_missing_confirmation_warns_when_its_weeks_after_the_decision_are_near_or_past() {
    // 4 weeks from 2025-12-01 is 2025-12-29; 10 weeks is 2026-02-09.
    let on_dec_20 = decided(None, "2025-12-20");
    let four = verdicts(&on_dec_20, &within(4));
    assert_eq!(four.len(), 2, "{four:?}");
    assert!(four.iter().all(|(_, o, _)| *o == Outcome::Warning), "{four:?}");
    assert!(
        four[1].2.contains("due 2025-12-29") && four[1].2.contains("9 days left"),
        "{four:?}"
    );
    let ten = verdicts(&on_dec_20, &within(10));
    assert!(ten.iter().all(|(_, o, _)| *o == Outcome::Pass), "{ten:?}");
    assert!(ten[0].2.contains("due 2026-02-09"), "{ten:?}");

    // After the 4 weeks: overdue; Kongsvinger's confirmation in time passes, Arvika's missing one warns.
    let late = verdicts(&decided(Some("2025-12-22"), "2026-01-05"), &within(4));
    assert_eq!(late[0], (Some(m("SE-1784")), Outcome::Warning, late[0].2.clone()));
    assert!(late[0].2.contains("overdue on 2026-01-05"), "{late:?}");
    assert_eq!(late[1].1, Outcome::Pass, "{late:?}");
    // A confirmation after the due day warns as late.
    let after = verdicts(&decided(Some("2025-12-30"), "2026-01-05"), &within(4));
    assert_eq!(after[1].1, Outcome::Warning, "{after:?}");
    assert!(after[1].2.contains("after 2025-12-29"), "{after:?}");
    // 10 weeks: the same day is still early, so nothing is warned.
    let early = verdicts(&decided(None, "2026-01-05"), &within(10));
    assert!(early.iter().all(|(_, o, _)| *o == Outcome::Pass), "{early:?}");
    // 14 days before 2026-02-09 the 10-week deadline is near.
    let near = verdicts(&decided(None, "2026-01-26"), &within(10));
    assert!(near.iter().all(|(_, o, _)| *o == Outcome::Warning), "{near:?}");
}

#[test]
fn no_confirmation_is_due_before_the_decision_and_the_rule_only_warns() {
    let before = verdicts(&arko_subject(), &within(4));
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].1, Outcome::Pass);
    assert!(before[0].2.contains("no funder decision yet"), "{before:?}");
    // A declined or pending party owes no confirmation.
    let mut s = decided(None, "2026-03-01");
    s.parties[1].answer = PartyAnswer::Declined;
    let v = verdicts(&s, &within(4));
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].0, Some(m("SE-1784")));
    // No command is refused by it, even when broken.
    let checks = check(&decided(None, "2026-03-01"), &within(4));
    assert!(refusal(&checks, Stage::Submission).is_ok());
    // It can only warn, and takes 1 to 104 weeks.
    let e = rule(Severity::Error, RuleKind::CommitmentsConfirmedWithin { weeks: 4 })
        .validate()
        .unwrap_err();
    assert_eq!(e.rule(), "invalid_rule");
    assert!(e.to_string().contains("can only warn"), "{e}");
    for weeks in [0, 105] {
        let e = rule(Severity::Warning, RuleKind::CommitmentsConfirmedWithin { weeks })
            .validate()
            .unwrap_err();
        assert_eq!(e.rule(), "invalid_rule", "{weeks}");
    }
}
