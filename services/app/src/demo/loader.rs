//! The one loader: turns the chapters' facts into commands with
//! deterministic ids and counts what happened.

use std::collections::BTreeSet;

use samverkan_domain::application::{Application, ApplicationCommand, DraftApplication};
use samverkan_domain::consortium::{Consortium, ConsortiumCommand, Coordinator};
use samverkan_domain::municipality::{Municipality, MunicipalityCommand, TwinTownPartner};
use samverkan_domain::project::{Financing, GoalRef, Participant, Project, ProjectCommand, RegisterProject};
use samverkan_domain::strategy::{Goal, Strategy, StrategyCommand, StrategyContent};
use samverkan_domain::{
    Aggregate, ApplicationId, ConsortiumCode, CountryCode, Decision, DecisionBody, GoalId, MilestoneId, Money,
    MunicipalityCode, Period, Programme,
};

use super::facts::{
    Amount, ApplicationFact, ApplicationStep, CodeChangesFact, ConsortiumFact, CoordinatorFact, DecisionFact,
    GoalRefFact, MunicipalityFact, PartnerFact, ProgrammeFact, ProjectFact, Step, StrategyFact, TwinTownFact,
};
use super::{command_id, DemoEntity, DemoSummary, ACTOR};
use crate::{AppError, CommandContext, CommandOutcome, Commands};

pub(super) struct Loader<'a> {
    commands: &'a Commands,
    pub(super) summary: DemoSummary,
    /// Command keys used so far: a key used twice would silently skip a step.
    keys: BTreeSet<String>,
}

// --- values: facts through the domain's parsers ---------------------------------

fn code(s: &str) -> Result<MunicipalityCode, AppError> {
    Ok(MunicipalityCode::parse(s)?)
}

fn consortium(s: &str) -> Result<ConsortiumCode, AppError> {
    Ok(ConsortiumCode::parse(s)?)
}

fn country(s: &str) -> Result<CountryCode, AppError> {
    Ok(CountryCode::parse(s)?)
}

fn money(amount: Amount) -> Result<Money, AppError> {
    Ok(Money::major(amount.units, amount.currency)?)
}

fn period(start: chrono::NaiveDate, end: Option<chrono::NaiveDate>) -> Result<Period, AppError> {
    Ok(Period::new(start, end)?)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).into()).collect()
}

fn decision(d: DecisionFact) -> Decision {
    Decision {
        body: d.body,
        date: d.date,
        paragraph: d.paragraph.map(Into::into),
        case_number: d.case_number.map(Into::into),
    }
}

fn programme(p: ProgrammeFact) -> Programme {
    Programme {
        kind: p.kind,
        name: p.name.into(),
    }
}

fn goal_refs(goals: &[GoalRefFact]) -> Result<Vec<GoalRef>, AppError> {
    goals
        .iter()
        .map(|g| {
            Ok(GoalRef {
                strategy: (g.strategy)(),
                goal: GoalId::parse(g.goal)?,
            })
        })
        .collect()
}

fn participant(p: &PartnerFact) -> Result<Participant, AppError> {
    Ok(match p {
        PartnerFact::Member(c) => Participant::Municipality { code: code(c)? },
        PartnerFact::External(name, country_code) => Participant::External {
            name: (*name).into(),
            country: country(country_code)?,
        },
    })
}

fn entity<I>(id: I, name: &str, note: &str) -> DemoEntity<I> {
    DemoEntity {
        id,
        name: name.into(),
        note: note.into(),
    }
}

impl<'a> Loader<'a> {
    pub(super) fn new(commands: &'a Commands) -> Self {
        Self {
            commands,
            summary: DemoSummary::default(),
            keys: BTreeSet::new(),
        }
    }

    fn context(&mut self, stream: &str, step: &str) -> Result<CommandContext, AppError> {
        let key = format!("demo:{stream}:{step}");
        let id = command_id(&key);
        if !self.keys.insert(key.clone()) {
            return Err(AppError::Conflict(format!("demo command key `{key}` is used twice")));
        }
        let mut ctx = CommandContext::new(id).by(ACTOR, samverkan_domain::Role::Admin);
        ctx.correlation_id = Some(command_id("demo:load"));
        Ok(ctx)
    }

    fn count(&mut self, outcome: &CommandOutcome) {
        self.summary.commands += 1;
        self.summary.events_appended += outcome.appended;
        self.summary.last_position = self.summary.last_position.max(outcome.position);
    }

    pub(super) async fn run<A: Aggregate>(
        &mut self,
        id: &A::Id,
        step: &str,
        command: A::Command,
    ) -> Result<(), AppError> {
        let ctx = self.context(&A::stream_name(id), step)?;
        let outcome = self.commands.execute::<A>(id, command, &ctx).await?;
        self.count(&outcome);
        Ok(())
    }

    async fn application(
        &mut self,
        id: &ApplicationId,
        step: &str,
        command: ApplicationCommand,
    ) -> Result<(), AppError> {
        let ctx = self.context(&Application::stream_name(id), step)?;
        let outcome = self.commands.execute::<Application>(id, command, &ctx).await?;
        self.count(&outcome);
        Ok(())
    }

    // --- municipalities ---------------------------------------------------------

    async fn register(
        &mut self,
        id: MunicipalityCode,
        name: &str,
        code_valid_from: Option<chrono::NaiveDate>,
    ) -> Result<(), AppError> {
        let command = MunicipalityCommand::Register {
            code: id,
            name: name.into(),
            code_valid_from,
        };
        self.run::<Municipality>(&id, "register", command).await
    }

    pub(super) async fn municipalities(&mut self, facts: &[MunicipalityFact]) -> Result<(), AppError> {
        for f in facts {
            let id = code(f.code)?;
            self.register(id, f.name, f.code_valid_from).await?;
            self.summary.municipalities.push(entity(id, f.name, f.note));
        }
        Ok(())
    }

    pub(super) async fn code_changes(&mut self, facts: &[CodeChangesFact]) -> Result<(), AppError> {
        for f in facts {
            let id = code(f.first_code)?;
            self.register(id, f.name, None).await?;
            for change in f.changes {
                let ctx = self.context(&Municipality::stream_name(&id), &format!("code-{}", change.new_code))?;
                let command = MunicipalityCommand::ChangeCode {
                    new_code: code(change.new_code)?,
                    valid_from: change.valid_from,
                    decision: None,
                    source: change.source.into(),
                    in_use: vec![],
                };
                let outcome = self.commands.execute::<Municipality>(&id, command, &ctx).await?;
                self.count(&outcome);
            }
            self.summary.municipalities.push(entity(id, f.name, f.note));
        }
        Ok(())
    }

    // --- consortia ------------------------------------------------------------------

    pub(super) async fn consortia(&mut self, facts: &[ConsortiumFact]) -> Result<(), AppError> {
        for f in facts {
            let c = consortium(f.code)?;
            let form = ConsortiumCommand::Form {
                code: c.clone(),
                name: f.name.into(),
                kind: f.kind,
                purpose: f.purpose.into(),
                formed_on: f.formed_on,
            };
            self.run::<Consortium>(&c, "form", form).await?;
            let joined_on = f.joined_on;
            for m in f.members {
                let municipality = code(m)?;
                let join = ConsortiumCommand::Join {
                    municipality,
                    joined_on,
                };
                self.run::<Consortium>(&c, &format!("join:{municipality}:{joined_on}"), join)
                    .await?;
            }
            for (m, left_on) in f.left {
                let municipality = code(m)?;
                let leave = ConsortiumCommand::Leave {
                    municipality,
                    left_on: *left_on,
                };
                self.run::<Consortium>(&c, &format!("leave:{municipality}:{left_on}"), leave)
                    .await?;
            }
            let coordinator = match f.coordinator {
                CoordinatorFact::Office(name) => Coordinator::Office { name: name.into() },
                CoordinatorFact::Member(m) => Coordinator::Member { municipality: code(m)? },
            };
            let from = f.coordinator_from;
            let appoint = ConsortiumCommand::AppointCoordinator { coordinator, from };
            self.run::<Consortium>(&c, &format!("coordinator:{from}"), appoint)
                .await?;
            self.summary.consortia.push(entity(c, f.summary_name, f.note));
        }
        Ok(())
    }

    // --- twin towns -------------------------------------------------------------------

    pub(super) async fn twin_towns(&mut self, facts: &[TwinTownFact]) -> Result<(), AppError> {
        for f in facts {
            let municipality = code(f.of)?;
            let partner = TwinTownPartner {
                name: f.partner.into(),
                country: country(f.country)?,
                code: f.partner_code.map(code).transpose()?,
            };
            let step = format!("twin:{}", partner.key());
            let command = MunicipalityCommand::SignTwinTownAgreement {
                partner,
                since: f.since,
                decision: decision(super::facts::council(f.since)),
            };
            self.run::<Municipality>(&municipality, &step, command).await?;
        }
        Ok(())
    }

    // --- strategy documents -----------------------------------------------------------

    pub(super) async fn strategies(&mut self, facts: &[StrategyFact]) -> Result<(), AppError> {
        for f in facts {
            let strategy = (f.id)();
            let goals = f
                .goals
                .iter()
                .map(|g| {
                    Ok(Goal {
                        id: GoalId::parse(g.id)?,
                        title: g.title.into(),
                        focus_area: g.focus_area.map(Into::into),
                        activities: strings(g.activities),
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            let draft = StrategyCommand::Draft {
                strategy,
                municipality: code(f.municipality)?,
                title: f.title.into(),
                kind: f.kind,
                owner: f.owner.into(),
                responsible_role: f.responsible_role.into(),
                follow_up: f.follow_up,
                content: StrategyContent {
                    focus_areas: strings(f.focus_areas),
                    goals,
                    topics: strings(f.topics),
                },
            };
            self.run::<Strategy>(&strategy, "draft", draft).await?;
            let adopt = StrategyCommand::Adopt {
                decision: decision(f.adoption),
                validity: period(f.valid_from, f.valid_until)?,
            };
            self.run::<Strategy>(&strategy, "adopt", adopt).await?;
            if let Some(old) = &f.supersedes {
                let supersede = StrategyCommand::Supersede {
                    by: strategy,
                    effective_on: old.effective_on,
                };
                self.run::<Strategy>(&(old.strategy)(), "supersede", supersede).await?;
            }
            for y in f.follow_ups {
                let (start, end) = (y.start, y.end);
                let command = StrategyCommand::ReportFollowUp {
                    period: period(start, Some(end))?,
                    reported_on: y.reported_on,
                    reported_to: DecisionBody::ExecutiveBoard,
                    summary: y.summary.into(),
                };
                self.run::<Strategy>(&strategy, &format!("follow-up:{start}:{end}"), command)
                    .await?;
            }
            self.summary.strategies.push(entity(strategy, f.summary_name, f.note));
        }
        Ok(())
    }

    // --- projects -----------------------------------------------------------------------

    pub(super) async fn projects(&mut self, facts: &[ProjectFact]) -> Result<(), AppError> {
        for f in facts {
            let id = (f.id)();
            let register = RegisterProject {
                project: id,
                title: f.title.into(),
                lead: participant(&PartnerFact::Member(f.lead))?,
                partners: f.partners.iter().map(participant).collect::<Result<_, _>>()?,
                programme: programme(f.programme),
                financing: Financing {
                    budget: money(f.budget)?,
                    grant: money(f.grant)?,
                    co_financing: money(f.co_financing)?,
                },
                period: period(f.start, Some(f.end))?,
                serves_goals: goal_refs(f.serves_goals)?,
                eu_priorities: f.eu_priorities.to_vec(),
                from_application: None,
                consortium: f.consortium.map(consortium).transpose()?,
                sides: super::sides::sides(f)?,
            };
            self.run::<Project>(&id, "register", ProjectCommand::Register(Box::new(register)))
                .await?;
            for step in f.steps {
                let (key, command) = match step {
                    Step::Plan(m, title, due) => (
                        format!("plan:{m}"),
                        ProjectCommand::PlanMilestone {
                            milestone: MilestoneId::parse(m)?,
                            title: (*title).into(),
                            due: *due,
                        },
                    ),
                    Step::Reschedule(m, new_due, reason) => (
                        format!("reschedule:{m}:{new_due}"),
                        ProjectCommand::RescheduleMilestone {
                            milestone: MilestoneId::parse(m)?,
                            new_due: *new_due,
                            reason: (*reason).into(),
                        },
                    ),
                    Step::Achieve(m, on) => (
                        format!("achieve:{m}"),
                        ProjectCommand::AchieveMilestone {
                            milestone: MilestoneId::parse(m)?,
                            achieved_on: *on,
                        },
                    ),
                    Step::Cancel(m, reason) => (
                        format!("cancel:{m}"),
                        ProjectCommand::CancelMilestone {
                            milestone: MilestoneId::parse(m)?,
                            reason: (*reason).into(),
                        },
                    ),
                    Step::Complete(on) => ("complete".to_string(), ProjectCommand::Complete { completed_on: *on }),
                };
                self.run::<Project>(&id, &key, command).await?;
            }
            self.summary.projects.push(entity(id, f.title, f.note));
        }
        Ok(())
    }

    // --- joint applications ---------------------------------------------------------------

    pub(super) async fn applications(&mut self, facts: &[ApplicationFact]) -> Result<(), AppError> {
        for f in facts {
            let id = (f.id)();
            let draft = DraftApplication {
                application: id,
                consortium: consortium(f.consortium)?,
                consortium_members: BTreeSet::new(),
                title: f.title.into(),
                programme: programme(f.programme),
                call: f.call.into(),
                lead_applicant: code(f.lead_applicant)?,
                deadline: f.deadline,
                total_budget: money(f.total_budget)?,
                requested: money(f.requested)?,
                project_period: period(f.project_start, Some(f.project_end))?,
                serves_goals: goal_refs(f.serves_goals)?,
                eu_priorities: f.eu_priorities.to_vec(),
                now: f.drafted_at,
                call_ref: None,
                sides: vec![],
                call_rules: None,
            };
            self.application(&id, "draft", ApplicationCommand::Draft(Box::new(draft)))
                .await?;
            for m in f.invited {
                let municipality = code(m)?;
                let invite = ApplicationCommand::Invite {
                    municipality,
                    consortium_members: BTreeSet::new(),
                };
                self.application(&id, &format!("invite:{municipality}"), invite).await?;
            }
            for step in f.steps {
                let (key, command) = match step {
                    ApplicationStep::Commit(m, amount, decided_on) => {
                        let municipality = code(m)?;
                        (
                            format!("commit:{municipality}:{decided_on}"),
                            ApplicationCommand::CommitCoFinancing {
                                municipality,
                                amount: money(*amount)?,
                                decision: decision(super::facts::board(*decided_on)),
                            },
                        )
                    }
                    ApplicationStep::Decline(m, reason) => {
                        let municipality = code(m)?;
                        (
                            format!("decline:{municipality}"),
                            ApplicationCommand::DeclineCoFinancing {
                                municipality,
                                reason: (*reason).into(),
                            },
                        )
                    }
                    ApplicationStep::Assess {
                        benefits,
                        risks,
                        democracy_and_human_rights,
                        assessed_on,
                    } => (
                        format!("risk-assessment:{assessed_on}"),
                        ApplicationCommand::RecordRiskAssessment {
                            benefits: (*benefits).into(),
                            risks: (*risks).into(),
                            democracy_and_human_rights: (*democracy_and_human_rights).into(),
                            assessed_on: *assessed_on,
                        },
                    ),
                    ApplicationStep::Submit(now) => ("submit".to_string(), ApplicationCommand::Submit { now: *now }),
                    ApplicationStep::Reject { decided_on, reason } => (
                        "reject".to_string(),
                        ApplicationCommand::Reject {
                            decided_on: *decided_on,
                            reason: (*reason).into(),
                        },
                    ),
                    ApplicationStep::Approve {
                        granted,
                        decided_on,
                        decision_reference,
                    } => (
                        "approve".to_string(),
                        ApplicationCommand::Approve {
                            granted: money(*granted)?,
                            decided_on: *decided_on,
                            decision_reference: (*decision_reference).into(),
                        },
                    ),
                    ApplicationStep::Withdraw { withdrawn_on, reason } => (
                        "withdraw".to_string(),
                        ApplicationCommand::Withdraw {
                            withdrawn_on: *withdrawn_on,
                            reason: (*reason).into(),
                        },
                    ),
                };
                self.application(&id, &key, command).await?;
            }
            self.summary.applications.push(entity(id, f.summary_name, f.note));
            if let Some(p) = &f.becomes_project {
                self.summary.projects.push(entity((p.id)(), p.name, p.note));
            }
        }
        Ok(())
    }
}
