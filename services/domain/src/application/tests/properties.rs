use super::*;
use proptest::prelude::*;

// --- property test: random command sequences keep the invariants ------------

fn arb_member() -> impl Strategy<Value = MunicipalityCode> {
    // Members of V6 plus two outsiders.
    prop::sample::select(vec![
        "SE-1445", "SE-1444", "SE-1471", "SE-1494", "SE-1495", "SE-1470", "SE-1487", "SE-1784",
    ])
    .prop_map(m)
}

fn arb_command() -> impl Strategy<Value = ApplicationCommand> {
    prop_oneof![
        Just(ApplicationCommand::Draft(Box::new(draft_cmd()))),
        arb_member().prop_map(|municipality| ApplicationCommand::Invite {
            municipality,
            consortium_members: v6_members()
        }),
        (arb_member(), 0i64..1_000_000, any::<bool>()).prop_map(|(municipality, units, nok)| {
            ApplicationCommand::CommitCoFinancing {
                municipality,
                amount: Money::major(units, if nok { Currency::NOK } else { Currency::SEK }).unwrap(),
                decision: decision("KS 2025/9"),
            }
        }),
        arb_member().prop_map(|municipality| ApplicationCommand::DeclineCoFinancing {
            municipality,
            reason: "No".into()
        }),
        Just(ApplicationCommand::RecordRiskAssessment {
            benefits: "b".into(),
            risks: "r".into(),
            democracy_and_human_rights: "d".into(),
            assessed_on: d("2025-06-01")
        }),
        prop::sample::select(vec!["2025-09-01T00:00:00Z", "2025-10-01T00:00:00Z"])
            .prop_map(|s| ApplicationCommand::Submit { now: t(s) }),
        (0i64..1_000_000).prop_map(|u| ApplicationCommand::Approve {
            granted: sek(u),
            decided_on: d("2025-12-01"),
            decision_reference: "R".into()
        }),
        Just(ApplicationCommand::Reject {
            decided_on: d("2025-12-01"),
            reason: "no".into()
        }),
        Just(ApplicationCommand::Withdraw {
            withdrawn_on: d("2025-12-01"),
            reason: "no".into()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn random_command_sequences_keep_invariants(commands in prop::collection::vec(arb_command(), 1..40)) {
        let members = v6_members();
        let mut state = ApplicationState::default();
        let mut history: Vec<ApplicationEvent> = vec![];
        for c in &commands {
            let before = state.status;
            if let Ok(events) = Application::decide(&state, c) {
                for e in &events {
                    state = Application::evolve(state, e);
                    history.push(e.clone());
                }
            }
            // Status only moves forwards: a submitted application never returns to draft.
            prop_assert!(state.status >= before, "{:?} -> {:?}", before, state.status);
            if before >= ApplicationStatus::Submitted {
                prop_assert!(state.status == before || (before == ApplicationStatus::Submitted));
            }
            // Co-financing is only ever counted for consortium members.
            for (code, answer) in &state.co_applicants {
                prop_assert!(members.contains(code));
                if let Answer::Committed(money) = answer {
                    prop_assert_eq!(money.currency, Currency::SEK);
                }
            }
            if let Some(d) = &state.drafted {
                prop_assert!(!state.co_applicants.contains_key(&d.lead_applicant));
                prop_assert!(d.requested.amount_minor <= d.total_budget.amount_minor);
            }
        }
        // Submission and decisions happened only with every answer and an assessment.
        let fold = Application::fold(&history);
        prop_assert_eq!(&fold, &state);
        if let Some(pos) = history.iter().position(|e| matches!(e, ApplicationEvent::ApplicationSubmitted(_))) {
            let before = Application::fold(&history[..pos]);
            prop_assert!(before.risk_assessed);
            prop_assert!(before.co_applicants.values().all(|a| *a != Answer::Pending));
        }
        if let Some(ApplicationEvent::ApplicationApproved(a)) = history.iter().find(|e| matches!(e, ApplicationEvent::ApplicationApproved(_))) {
            prop_assert!(a.granted.amount_minor <= 800_000 * 100);
        }
    }
}
