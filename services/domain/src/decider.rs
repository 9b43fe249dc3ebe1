use std::collections::BTreeSet;

use crate::municipality::CodePeriod;
use crate::programme::{CallRef, CallRules};
use crate::{CommandTarget, ConsortiumCode, DomainError, DomainEvent, MunicipalityCode};

/// A decider: the pure heart of one aggregate.
///
/// `decide` holds every business rule and never mutates; `evolve` only folds
/// facts that already happened and therefore never fails.
pub trait Decider {
    /// `'static`: the command handler keeps folded states in its cache.
    type State: Default + Clone + std::fmt::Debug + Send + Sync + 'static;
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

    /// What `command` touches, as far as permissions go: who owns the
    /// aggregate in `state` (or, for a command that creates it, who the
    /// command makes its owner). Pure; the command handler checks the
    /// caller's roles against it after loading the state and before deciding.
    fn target(id: &Self::Id, state: &Self::State, command: &Self::Command) -> CommandTarget;

    /// Facts from other aggregates `command` needs before it can be decided
    /// (the command handler reads them and hands them to [`Aggregate::supply`]).
    fn needs(_id: &Self::Id, _state: &Self::State, _command: &Self::Command) -> Option<Need> {
        None
    }

    /// Fill what [`Aggregate::needs`] asked for into the command.
    fn supply(_command: &mut Self::Command, _facts: Facts) {}
}

/// Cross-aggregate input a command needs (see [`Aggregate::needs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// The current members of a consortium (which must have been formed).
    ConsortiumMembers(ConsortiumCode),
    /// Every period in which a municipality other than `except` holds `code`.
    CodeHolders {
        code: MunicipalityCode,
        except: MunicipalityCode,
    },
    /// A programme's call with the rule set it names (which must exist).
    Call(CallRef),
    /// Several of the above, answered in order by [`Facts::All`].
    All(Vec<Need>),
}

/// The answer to a [`Need`].
#[derive(Debug, Clone, PartialEq)]
pub enum Facts {
    ConsortiumMembers(BTreeSet<MunicipalityCode>),
    CodeHolders(Vec<(MunicipalityCode, CodePeriod)>),
    Call(Box<CallRules>),
    All(Vec<Facts>),
}
