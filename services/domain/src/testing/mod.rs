//! Given/when/then harness for deciders, in the style of cqrs-es' test
//! framework, and the shared [`fixtures`]. Compiled for this crate's own
//! tests and, behind the `testing` feature, for other crates' tests:
//! `samverkan-domain = { workspace = true, features = ["testing"] }` under
//! `[dev-dependencies]`.

// Test support: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{Decider, DomainError};

pub mod fixtures;

pub struct Given<D: Decider> {
    state: D::State,
}

pub fn given<D: Decider>(events: impl IntoIterator<Item = D::Event>) -> Given<D> {
    let state = events.into_iter().fold(D::State::default(), |s, e| D::evolve(s, &e));
    Given { state }
}

pub fn given_no_history<D: Decider>() -> Given<D> {
    Given {
        state: D::State::default(),
    }
}

pub struct When<D: Decider> {
    result: Result<Vec<D::Event>, DomainError>,
    state: D::State,
}

impl<D: Decider> Given<D> {
    pub fn when(self, command: D::Command) -> When<D> {
        let result = D::decide(&self.state, &command);
        When {
            result,
            state: self.state,
        }
    }
}

impl<D: Decider> When<D> {
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = D::Event>) -> D::State {
        let expected: Vec<D::Event> = expected.into_iter().collect();
        match self.result {
            Ok(events) => {
                assert_eq!(events, expected, "unexpected events");
                events.iter().fold(self.state, |s, e| D::evolve(s, e))
            }
            Err(e) => panic!("expected events {expected:?}, got error {e:?}"),
        }
    }

    #[track_caller]
    pub fn then_error(self, rule: &str) -> DomainError {
        match self.result {
            Ok(events) => panic!("expected error `{rule}`, got events {events:?}"),
            Err(e) => {
                assert_eq!(e.rule(), rule, "wrong rule broken: {e}");
                e
            }
        }
    }

    /// Accept whatever events were produced and return the new state.
    #[track_caller]
    pub fn then_ok(self) -> D::State {
        match self.result {
            Ok(events) => events.iter().fold(self.state, |s, e| D::evolve(s, e)),
            Err(e) => panic!("expected success, got {e:?}"),
        }
    }
}
