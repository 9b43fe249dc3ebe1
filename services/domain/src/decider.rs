use crate::{DomainError, DomainEvent};

/// A decider: the pure heart of one aggregate.
///
/// `decide` holds every business rule and never mutates; `evolve` only folds
/// facts that already happened and therefore never fails.
pub trait Decider {
    type State: Default + Clone + std::fmt::Debug + Send + Sync;
    /// `Serialize` gives the command's canonical form for its fingerprint
    /// (how a reused command id is told from a retry); fields the server
    /// fills in rather than the caller (`now`, derived member lists) are
    /// `#[serde(skip)]`ped, so a retry fingerprints the same.
    type Command: std::fmt::Debug + serde::Serialize + Send + Sync;
    type Event: DomainEvent;

    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, DomainError>;
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// Fold a whole history from the initial state.
    fn fold<'a, I>(events: I) -> Self::State
    where
        I: IntoIterator<Item = &'a Self::Event>,
        Self::Event: 'a,
    {
        events.into_iter().fold(Self::State::default(), Self::evolve)
    }
}

/// A decider with an identity: where its events live in the store.
pub trait Aggregate: Decider {
    type Id: std::fmt::Display + Clone + Send + Sync;
    /// Stream category, e.g. `municipality`; streams are `<category>-<id>`.
    const CATEGORY: &'static str;

    fn stream_name(id: &Self::Id) -> String {
        format!("{}-{}", Self::CATEGORY, id)
    }

    /// A short name of the command, used for metrics, authorization and logs.
    fn command_name(command: &Self::Command) -> &'static str;
}
