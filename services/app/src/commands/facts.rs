//! The one enrichment hook's reads: what a command needs from other
//! aggregates ([`Aggregate::needs`](samverkan_domain::Aggregate::needs)),
//! read from their streams before the command is decided.

use std::collections::BTreeSet;

use samverkan_domain::consortium::Consortium;
use samverkan_domain::municipality::{CodePeriod, Municipality};
use samverkan_domain::programme::{CallRef, CallRules, Programme};
use samverkan_domain::{ConsortiumCode, DomainError, Facts, MunicipalityCode, Need};

use super::{AppError, Commands, READ_BATCH};

impl Commands {
    /// Read what a command needs from other aggregates ([`Aggregate::needs`]).
    pub(super) async fn facts(&self, need: Need) -> Result<Facts, AppError> {
        Ok(match need {
            Need::ConsortiumMembers(consortium) => Facts::ConsortiumMembers(self.members_of(&consortium).await?),
            Need::CodeHolders { code, except } => Facts::CodeHolders(self.code_holders(code, except).await?),
            Need::Call(call) => Facts::Call(Box::new(self.call_rules(&call).await?)),
            Need::All(needs) => {
                let mut all = Vec::with_capacity(needs.len());
                for need in needs {
                    all.push(Box::pin(self.facts(need)).await?);
                }
                Facts::All(all)
            }
        })
    }

    /// A call and the rule set it names, read from the programme's stream.
    async fn call_rules(&self, call: &CallRef) -> Result<CallRules, AppError> {
        let (state, _) = self.load::<Programme>(&call.programme).await?;
        state.call_rules(&call.call).ok_or_else(|| {
            DomainError::NotFound {
                aggregate: "programme call",
                id: format!("{} {}", call.programme, call.call),
            }
            .into()
        })
    }

    async fn members_of(&self, consortium: &ConsortiumCode) -> Result<BTreeSet<MunicipalityCode>, AppError> {
        let (state, _) = self.load::<Consortium>(consortium).await?;
        if state.formed.is_none() {
            return Err(DomainError::NotFound {
                aggregate: "consortium",
                id: consortium.to_string(),
            }
            .into());
        }
        Ok(state.current_members())
    }

    /// The periods in which municipalities other than `except` hold `code`
    /// (read from every municipality stream: code changes are rare admin
    /// commands).
    async fn code_holders(
        &self,
        code: MunicipalityCode,
        except: MunicipalityCode,
    ) -> Result<Vec<(MunicipalityCode, CodePeriod)>, AppError> {
        let mut streams = BTreeSet::new();
        let mut after = None;
        loop {
            let batch = self.store.read_all(after, READ_BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.position);
            for r in &batch {
                if let Some(code) = r.stream.strip_prefix("municipality-") {
                    streams.insert(code.to_string());
                }
            }
        }
        let mut holders = vec![];
        for s in streams {
            let Ok(other) = MunicipalityCode::parse(&s) else {
                continue;
            };
            if other == except {
                continue;
            }
            let (state, _) = self.load::<Municipality>(&other).await?;
            holders.extend(state.codes.into_iter().filter(|p| p.code == code).map(|p| (other, p)));
        }
        Ok(holders)
    }
}
