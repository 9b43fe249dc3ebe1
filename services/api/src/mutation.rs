//! Mutations: one per domain command, one part per aggregate, merged into
//! [`Mutation`].
//!
//! Every mutation takes `commandId: UUID!` (idempotency: a retry with the same
//! id appends nothing and answers the same `position`) and `expectedVersion:
//! Int` (optimistic concurrency: the aggregate's current version, `-1` for
//! "must not exist yet"; a mismatch is `CONFLICT`). It is authorized with
//! [`authorize_command`], executed, and answered with the global `position`,
//! the stream `version` and the changed entity read from the read models
//! once they include `position`.

use async_graphql::{Context, MergedObject, Object, Result, SimpleObject};
use chrono::Utc;
use samverkan_app::{CommandContext, CommandOutcome, ReadModels};
use samverkan_domain as d;
use samverkan_domain::application::{
    Application as ApplicationAggregate, ApplicationCommand, ApplicationEvent, DraftApplication,
};
use samverkan_domain::consortium::{Consortium as ConsortiumAggregate, ConsortiumCommand};
use samverkan_domain::municipality::{Municipality as MunicipalityAggregate, MunicipalityCommand, TwinTownPartner};
use samverkan_domain::project::{Project as ProjectAggregate, ProjectCommand, ProjectEvent, RegisterProject};
use samverkan_domain::strategy::{Strategy as StrategyAggregate, StrategyCommand, StrategyEvent};
use samverkan_domain::{Aggregate, DomainEvent};
use samverkan_eventstore::{Direction, ExpectedVersion};
use uuid::Uuid;

use crate::auth::{authorize_command, CommandTarget};
use crate::context::{meta, principal, read, state};
use crate::error::ApiError;
use crate::inputs::*;
use crate::scalars::Position;
use crate::types::{Application, Consortium, Municipality, Project, Strategy};
use crate::ApiState;

/// One mutation per domain command. Each takes `commandId` (a retry with the
/// same id appends nothing and answers the same position) and optionally
/// `expectedVersion` (the aggregate's current version, `-1` for a new one; a
/// mismatch is `CONFLICT`), and answers the global `position`, the stream
/// `version` and the changed entity.
#[derive(MergedObject, Default)]
pub struct Mutation(
    MunicipalityMutation,
    ConsortiumMutation,
    StrategyMutation,
    ProjectMutation,
    ApplicationMutation,
);

macro_rules! payload {
    ($(#[$doc:meta])* $name:ident, $field:ident, $ty:ty) => {
        $(#[$doc])*
        #[derive(SimpleObject)]
        pub struct $name {
            /// Global log position of the command's last event: pass it as
            /// `atLeastPosition` to read your own write.
            pub position: Position,
            /// Version (0-based) of the aggregate's stream after the command:
            /// pass it as `expectedVersion` to the next command.
            pub version: u64,
            /// Events appended by this call (0 when the command id was already handled).
            pub appended: u32,
            /// Types of the command's events, e.g. `StrategyAdopted`.
            pub event_types: Vec<String>,
            /// The entity after the command; null only when the read models did
            /// not reach `position` within the wait (then query with `atLeastPosition`).
            pub $field: Option<$ty>,
        }

        impl $name {
            fn new(done: Done, $field: Option<$ty>) -> Self {
                Self {
                    position: Position(done.outcome.position),
                    version: done.outcome.version,
                    appended: u32::try_from(done.outcome.appended).unwrap_or(u32::MAX),
                    event_types: done.outcome.event_types,
                    $field,
                }
            }
        }
    };
}

payload!(
    /// The answer to a municipality command.
    MunicipalityPayload,
    municipality,
    Municipality
);
payload!(
    /// The answer to a consortium command.
    ConsortiumPayload,
    consortium,
    Consortium
);
payload!(
    /// The answer to a strategy document command.
    StrategyPayload,
    strategy,
    Strategy
);
payload!(
    /// The answer to a project command.
    ProjectPayload,
    project,
    Project
);
payload!(
    /// The answer to a joint application command.
    ApplicationPayload,
    application,
    Application
);

/// A handled command and whether the read models caught up with it.
struct Done {
    outcome: CommandOutcome,
    caught_up: bool,
}

impl Done {
    /// Read the changed entity, if the read models include the command.
    fn read<T>(&self, state: &ApiState, f: impl FnOnce(&ReadModels) -> Option<T>) -> Option<T> {
        if self.caught_up {
            f(&state.projections.read())
        } else {
            None
        }
    }
}

/// Authorize and build the command context (actor, role, ids, trace).
fn prepare<'a>(
    ctx: &Context<'a>,
    target: &CommandTarget,
    command_id: Uuid,
    expected_version: Option<i32>,
) -> Result<(&'a ApiState, CommandContext), ApiError> {
    let state = state(ctx)?;
    let who = principal(ctx)?;
    let role = authorize_command(who, target)?;
    let expected_version = match expected_version {
        None => None,
        Some(-1) => Some(ExpectedVersion::NoStream),
        Some(v) if v >= 0 => Some(ExpectedVersion::Exact(v as u64)),
        Some(v) => {
            return Err(ApiError::validation(
                "invalid_expected_version",
                format!("expectedVersion {v} is invalid: use the current version (0 or more), or -1 for a new stream"),
            ))
        }
    };
    let meta = meta(ctx);
    Ok((
        state,
        CommandContext {
            command_id,
            expected_version,
            actor: Some(who.subject.clone()),
            actor_role: Some(role.to_string()),
            correlation_id: meta.and_then(|m| m.correlation_id),
            // The exported trace's id when tracing is on, else the caller's `traceparent`.
            trace_id: crate::telemetry::current_trace_id().or_else(|| meta.and_then(|m| m.trace_id.clone())),
        },
    ))
}

async fn settle(state: &ApiState, outcome: CommandOutcome) -> Done {
    let caught_up = state
        .projections
        .wait_for(outcome.position, state.limits.read_wait)
        .await;
    tracing::info!(stream = %outcome.stream, position = outcome.position, version = outcome.version, appended = outcome.appended, "command handled");
    Done { outcome, caught_up }
}

async fn run<A: Aggregate>(
    ctx: &Context<'_>,
    id: &A::Id,
    command: A::Command,
    target: CommandTarget,
    command_id: Uuid,
    expected_version: Option<i32>,
) -> Result<Done, ApiError> {
    let (state, cc) = prepare(ctx, &target, command_id, expected_version)?;
    let outcome = state.commands.execute::<A>(id, command, &cc).await?;
    Ok(settle(state, outcome).await)
}

async fn run_application(
    ctx: &Context<'_>,
    id: &d::ApplicationId,
    command: ApplicationCommand,
    target: CommandTarget,
    command_id: Uuid,
    expected_version: Option<i32>,
) -> Result<Done, ApiError> {
    let (state, cc) = prepare(ctx, &target, command_id, expected_version)?;
    let outcome = state.commands.execute_application(id, command, &cc).await?;
    Ok(settle(state, outcome).await)
}

/// The first event of an aggregate's stream (it names the aggregate's owner).
async fn creation_event<A: Aggregate>(ctx: &Context<'_>, id: &A::Id) -> Result<Option<A::Event>, ApiError> {
    let state = state(ctx)?;
    let batch = state
        .commands
        .store()
        .read_stream(&A::stream_name(id), Direction::Forwards, Some(0), 1)
        .await
        .map_err(samverkan_app::AppError::from)?;
    match batch.first() {
        None => Ok(None),
        Some(r) => A::Event::from_json(&r.event_type, r.schema_version, &r.data)
            .map(Some)
            .map_err(|e| {
                tracing::error!(error = %e, stream = %r.stream, "cannot decode the first event of a stream");
                ApiError::internal("internal error: a stored event could not be read; see the server log")
            }),
    }
}

async fn strategy_target(ctx: &Context<'_>, id: &d::StrategyId) -> Result<CommandTarget, ApiError> {
    Ok(match creation_event::<StrategyAggregate>(ctx, id).await? {
        Some(StrategyEvent::StrategyDrafted(e)) => CommandTarget::Municipality(e.municipality),
        _ => CommandTarget::Unknown,
    })
}

async fn project_target(ctx: &Context<'_>, id: &d::ProjectId) -> Result<CommandTarget, ApiError> {
    Ok(match creation_event::<ProjectAggregate>(ctx, id).await? {
        Some(ProjectEvent::ProjectRegistered(e)) => project_owners(&e.lead, e.consortium, e.from_application.is_some()),
        _ => CommandTarget::Unknown,
    })
}

/// Who runs a project: the officers of its lead municipality, and the
/// coordinator of its consortium when the project came from that consortium's
/// joint application or its lead is not a municipality.
fn project_owners(
    lead: &d::project::Participant,
    consortium: Option<d::ConsortiumCode>,
    from_application: bool,
) -> CommandTarget {
    let lead = lead.municipality().cloned();
    let consortium = consortium.filter(|_| from_application || lead.is_none());
    CommandTarget::Project { lead, consortium }
}

async fn application_target(
    ctx: &Context<'_>,
    id: &d::ApplicationId,
    acting_for: Option<&d::MunicipalityCode>,
) -> Result<CommandTarget, ApiError> {
    Ok(
        match (creation_event::<ApplicationAggregate>(ctx, id).await?, acting_for) {
            (Some(ApplicationEvent::ApplicationDrafted(e)), None) => CommandTarget::Application {
                consortium: e.consortium,
            },
            (Some(ApplicationEvent::ApplicationDrafted(e)), Some(m)) => CommandTarget::CoFinancing {
                consortium: e.consortium,
                municipality: *m,
            },
            _ => CommandTarget::Unknown,
        },
    )
}

/// An id for a new aggregate: the given one, or one derived from the command id
/// (so that a retried command addresses the same aggregate).
fn new_id(given: Option<Uuid>, command_id: Uuid, kind: &[u8]) -> Uuid {
    given.unwrap_or_else(|| Uuid::new_v5(&command_id, kind))
}

// ---------------------------------------------------------------- municipality

#[derive(Default)]
pub struct MunicipalityMutation;

impl MunicipalityMutation {
    async fn exec(
        ctx: &Context<'_>,
        code: d::MunicipalityCode,
        command: MunicipalityCommand,
        target: CommandTarget,
        command_id: Uuid,
        expected_version: Option<i32>,
    ) -> Result<MunicipalityPayload> {
        let done = run::<MunicipalityAggregate>(ctx, &code, command, target, command_id, expected_version).await?;
        let entity = done.read(state(ctx)?, |m| {
            m.municipality(&code, None).map(|v| Municipality::from(&v))
        });
        Ok(MunicipalityPayload::new(done, entity))
    }
}

#[Object]
impl MunicipalityMutation {
    /// Register a municipality (administrators only).
    async fn register_municipality(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: RegisterMunicipalityInput,
    ) -> Result<MunicipalityPayload> {
        let code = input.code.0;
        let command = MunicipalityCommand::Register {
            code,
            name: input.name,
            code_valid_from: input.code_valid_from.map(|x| x.0),
        };
        Self::exec(
            ctx,
            code,
            command,
            CommandTarget::RegisterMunicipality(code),
            command_id,
            expected_version,
        )
        .await
    }

    /// Record a new national code of a municipality from a date (administrators
    /// only). The municipality keeps its identity; the old code keeps
    /// answering lookups for its own period.
    async fn change_municipality_code(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: ChangeMunicipalityCodeInput,
    ) -> Result<MunicipalityPayload> {
        let asked = input.municipality.0;
        let code = read(ctx, None, |m| match m.resolve_code(&asked, None, None) {
            samverkan_app::projections::CodeResolution::Found(identity) => identity,
            _ => asked,
        })
        .await?;
        let command = MunicipalityCommand::ChangeCode {
            new_code: input.new_code.0,
            valid_from: input.valid_from.0,
            decision: input.decision.map(|d| d.to_domain()),
            source: input.source,
            in_use: vec![],
        };
        let target = CommandTarget::ChangeMunicipalityCode(code);
        let (state, cc) = prepare(ctx, &target, command_id, expected_version)?;
        let outcome = state.commands.execute_municipality(&code, command, &cc).await?;
        let done = settle(state, outcome).await;
        let entity = done.read(state, |m| m.municipality(&code, None).map(|v| Municipality::from(&v)));
        Ok(MunicipalityPayload::new(done, entity))
    }

    /// Record a twin-town agreement (vänortsavtal) decided by the council.
    async fn sign_twin_town_agreement(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: SignTwinTownAgreementInput,
    ) -> Result<MunicipalityPayload> {
        let code = input.municipality.0;
        let partner = TwinTownPartner {
            name: input.partner.name,
            country: input.partner.country.0,
            code: input.partner.code.map(|c| c.0),
        };
        let command = MunicipalityCommand::SignTwinTownAgreement {
            partner,
            since: input.since.0,
            decision: input.decision.to_domain(),
        };
        Self::exec(
            ctx,
            code,
            command,
            CommandTarget::Municipality(code),
            command_id,
            expected_version,
        )
        .await
    }

    /// End a twin-town agreement by council decision.
    async fn end_twin_town_agreement(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: EndTwinTownAgreementInput,
    ) -> Result<MunicipalityPayload> {
        let code = input.municipality.0;
        let command = MunicipalityCommand::EndTwinTownAgreement {
            partner_key: input.partner_key,
            ended_on: input.ended_on.0,
            decision: input.decision.to_domain(),
        };
        Self::exec(
            ctx,
            code,
            command,
            CommandTarget::Municipality(code),
            command_id,
            expected_version,
        )
        .await
    }
}

// ---------------------------------------------------------------- consortium

#[derive(Default)]
pub struct ConsortiumMutation;

impl ConsortiumMutation {
    async fn exec(
        ctx: &Context<'_>,
        code: d::ConsortiumCode,
        command: ConsortiumCommand,
        target: CommandTarget,
        command_id: Uuid,
        expected_version: Option<i32>,
    ) -> Result<ConsortiumPayload> {
        let done = run::<ConsortiumAggregate>(ctx, &code, command, target, command_id, expected_version).await?;
        let entity = done.read(state(ctx)?, |m| m.consortium(&code, None).map(|v| Consortium::from(&v)));
        Ok(ConsortiumPayload::new(done, entity))
    }
}

#[Object]
impl ConsortiumMutation {
    /// Form a consortium.
    async fn form_consortium(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: FormConsortiumInput,
    ) -> Result<ConsortiumPayload> {
        let code = input.code.0;
        let command = ConsortiumCommand::Form {
            code: code.clone(),
            name: input.name,
            kind: input.kind.into(),
            purpose: input.purpose,
            formed_on: input.formed_on.0,
        };
        Self::exec(
            ctx,
            code.clone(),
            command,
            CommandTarget::FormConsortium(code),
            command_id,
            expected_version,
        )
        .await
    }

    /// A municipality joins a consortium.
    async fn join_consortium(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: JoinConsortiumInput,
    ) -> Result<ConsortiumPayload> {
        let (code, municipality) = (input.consortium.0, input.municipality.0);
        let target = CommandTarget::Membership {
            consortium: code.clone(),
            municipality,
        };
        let command = ConsortiumCommand::Join {
            municipality,
            joined_on: input.joined_on.0,
        };
        Self::exec(ctx, code, command, target, command_id, expected_version).await
    }

    /// A municipality leaves a consortium.
    async fn leave_consortium(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: LeaveConsortiumInput,
    ) -> Result<ConsortiumPayload> {
        let (code, municipality) = (input.consortium.0, input.municipality.0);
        let target = CommandTarget::Membership {
            consortium: code.clone(),
            municipality,
        };
        let command = ConsortiumCommand::Leave {
            municipality,
            left_on: input.left_on.0,
        };
        Self::exec(ctx, code, command, target, command_id, expected_version).await
    }

    /// Appoint the coordinator (a member municipality or an office).
    async fn appoint_coordinator(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: AppointCoordinatorInput,
    ) -> Result<ConsortiumPayload> {
        let code = input.consortium.0;
        let command = ConsortiumCommand::AppointCoordinator {
            coordinator: input.coordinator.to_domain(),
            from: input.from.0,
        };
        Self::exec(
            ctx,
            code.clone(),
            command,
            CommandTarget::Consortium(code),
            command_id,
            expected_version,
        )
        .await
    }

    /// Dissolve a consortium; it accepts no further changes.
    async fn dissolve_consortium(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: DissolveConsortiumInput,
    ) -> Result<ConsortiumPayload> {
        let code = input.consortium.0;
        let command = ConsortiumCommand::Dissolve {
            dissolved_on: input.dissolved_on.0,
            reason: input.reason,
        };
        Self::exec(
            ctx,
            code.clone(),
            command,
            CommandTarget::Consortium(code),
            command_id,
            expected_version,
        )
        .await
    }
}

// ---------------------------------------------------------------- strategy

#[derive(Default)]
pub struct StrategyMutation;

impl StrategyMutation {
    async fn exec(
        ctx: &Context<'_>,
        id: d::StrategyId,
        command: StrategyCommand,
        target: Option<CommandTarget>,
        command_id: Uuid,
        expected_version: Option<i32>,
    ) -> Result<StrategyPayload> {
        let target = match target {
            Some(t) => t,
            None => strategy_target(ctx, &id).await?,
        };
        let done = run::<StrategyAggregate>(ctx, &id, command, target, command_id, expected_version).await?;
        let entity = done.read(state(ctx)?, |m| m.strategy(&id, None).map(|v| Strategy::from(&v)));
        Ok(StrategyPayload::new(done, entity))
    }
}

#[Object]
impl StrategyMutation {
    /// Draft a strategy document (strategi, policy, plan, program).
    async fn draft_strategy(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: DraftStrategyInput,
    ) -> Result<StrategyPayload> {
        let id = d::StrategyId(new_id(input.strategy_id, command_id, b"strategy"));
        let municipality = input.municipality.0;
        let command = StrategyCommand::Draft {
            strategy: id,
            municipality,
            title: input.title,
            kind: input.kind.into(),
            owner: input.owner,
            responsible_role: input.responsible_role,
            follow_up: input.follow_up_cadence.into(),
            content: input.content.to_domain(),
        };
        Self::exec(
            ctx,
            id,
            command,
            Some(CommandTarget::Municipality(municipality)),
            command_id,
            expected_version,
        )
        .await
    }

    /// Adopt a draft (council or executive board).
    async fn adopt_strategy(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: AdoptStrategyInput,
    ) -> Result<StrategyPayload> {
        let command = StrategyCommand::Adopt {
            decision: input.decision.to_domain(),
            validity: input.validity.to_domain()?,
        };
        Self::exec(
            ctx,
            d::StrategyId(input.strategy_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Revise an adopted document.
    async fn revise_strategy(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: ReviseStrategyInput,
    ) -> Result<StrategyPayload> {
        let command = StrategyCommand::Revise {
            decision: input.decision.to_domain(),
            content: input.content.to_domain(),
            validity: input.validity.to_domain()?,
        };
        Self::exec(
            ctx,
            d::StrategyId(input.strategy_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Replace an adopted document by a newer one.
    async fn supersede_strategy(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: SupersedeStrategyInput,
    ) -> Result<StrategyPayload> {
        let command = StrategyCommand::Supersede {
            by: d::StrategyId(input.superseded_by),
            effective_on: input.effective_on.0,
        };
        Self::exec(
            ctx,
            d::StrategyId(input.strategy_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Repeal an adopted document.
    async fn repeal_strategy(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: RepealStrategyInput,
    ) -> Result<StrategyPayload> {
        let command = StrategyCommand::Repeal {
            decision: input.decision.to_domain(),
        };
        Self::exec(
            ctx,
            d::StrategyId(input.strategy_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Record a follow-up report (uppföljning) for a closed period.
    async fn report_follow_up(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: ReportFollowUpInput,
    ) -> Result<StrategyPayload> {
        let command = StrategyCommand::ReportFollowUp {
            period: input.period.to_domain()?,
            reported_on: input.reported_on.0,
            reported_to: input.reported_to.into(),
            summary: input.summary,
        };
        Self::exec(
            ctx,
            d::StrategyId(input.strategy_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }
}

// ---------------------------------------------------------------- project

#[derive(Default)]
pub struct ProjectMutation;

impl ProjectMutation {
    async fn exec(
        ctx: &Context<'_>,
        id: d::ProjectId,
        command: ProjectCommand,
        target: Option<CommandTarget>,
        command_id: Uuid,
        expected_version: Option<i32>,
    ) -> Result<ProjectPayload> {
        let target = match target {
            Some(t) => t,
            None => project_target(ctx, &id).await?,
        };
        let done = run::<ProjectAggregate>(ctx, &id, command, target, command_id, expected_version).await?;
        let entity = done.read(state(ctx)?, |m| m.project(&id, None).map(|v| Project::from(&v)));
        Ok(ProjectPayload::new(done, entity))
    }
}

#[Object]
impl ProjectMutation {
    /// Register an international project.
    async fn register_project(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: RegisterProjectInput,
    ) -> Result<ProjectPayload> {
        let id = d::ProjectId(new_id(input.project_id, command_id, b"project"));
        let lead = input.lead.to_domain();
        let consortium = input.consortium.map(|c| c.0);
        let target = project_owners(&lead, consortium.clone(), false);
        let command = ProjectCommand::Register(Box::new(RegisterProject {
            project: id,
            title: input.title,
            lead,
            partners: input.partners.iter().map(ParticipantInput::to_domain).collect(),
            programme: input.programme.to_domain(),
            financing: input.financing.to_domain()?,
            period: input.period.to_domain()?,
            serves_goals: goal_refs(&input.serves_goals),
            eu_priorities: eu_priorities(&input.eu_priorities),
            from_application: None,
            consortium,
        }));
        Self::exec(ctx, id, command, Some(target), command_id, expected_version).await
    }

    /// Plan a milestone within the project period.
    async fn plan_milestone(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: PlanMilestoneInput,
    ) -> Result<ProjectPayload> {
        let command = ProjectCommand::PlanMilestone {
            milestone: input.milestone_id.0,
            title: input.title,
            due: input.due.0,
        };
        Self::exec(
            ctx,
            d::ProjectId(input.project_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Give a milestone a new due date.
    async fn reschedule_milestone(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: RescheduleMilestoneInput,
    ) -> Result<ProjectPayload> {
        let command = ProjectCommand::RescheduleMilestone {
            milestone: input.milestone_id.0,
            new_due: input.new_due.0,
            reason: input.reason,
        };
        Self::exec(
            ctx,
            d::ProjectId(input.project_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Record that a milestone was achieved.
    async fn achieve_milestone(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: AchieveMilestoneInput,
    ) -> Result<ProjectPayload> {
        let command = ProjectCommand::AchieveMilestone {
            milestone: input.milestone_id.0,
            achieved_on: input.achieved_on.0,
        };
        Self::exec(
            ctx,
            d::ProjectId(input.project_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Cancel a planned milestone.
    async fn cancel_milestone(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: CancelMilestoneInput,
    ) -> Result<ProjectPayload> {
        let command = ProjectCommand::CancelMilestone {
            milestone: input.milestone_id.0,
            reason: input.reason,
        };
        Self::exec(
            ctx,
            d::ProjectId(input.project_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Change budget, grant or co-financing.
    async fn amend_budget(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: AmendBudgetInput,
    ) -> Result<ProjectPayload> {
        let command = ProjectCommand::AmendBudget {
            financing: input.financing.to_domain()?,
            reason: input.reason,
        };
        Self::exec(
            ctx,
            d::ProjectId(input.project_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Add a partner.
    async fn add_partner(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: AddPartnerInput,
    ) -> Result<ProjectPayload> {
        let command = ProjectCommand::AddPartner {
            partner: input.partner.to_domain(),
            joined_on: input.joined_on.0,
        };
        Self::exec(
            ctx,
            d::ProjectId(input.project_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// A partner leaves (the lead cannot).
    async fn remove_partner(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: RemovePartnerInput,
    ) -> Result<ProjectPayload> {
        let command = ProjectCommand::RemovePartner {
            partner_key: input.partner_key,
            left_on: input.left_on.0,
        };
        Self::exec(
            ctx,
            d::ProjectId(input.project_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Complete the project (no open milestones may remain).
    async fn complete_project(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: CompleteProjectInput,
    ) -> Result<ProjectPayload> {
        let command = ProjectCommand::Complete {
            completed_on: input.completed_on.0,
        };
        Self::exec(
            ctx,
            d::ProjectId(input.project_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Cancel the project.
    async fn cancel_project(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: CancelProjectInput,
    ) -> Result<ProjectPayload> {
        let command = ProjectCommand::Cancel {
            cancelled_on: input.cancelled_on.0,
            reason: input.reason,
        };
        Self::exec(
            ctx,
            d::ProjectId(input.project_id),
            command,
            None,
            command_id,
            expected_version,
        )
        .await
    }
}

// ---------------------------------------------------------------- application

#[derive(Default)]
pub struct ApplicationMutation;

impl ApplicationMutation {
    async fn exec(
        ctx: &Context<'_>,
        id: d::ApplicationId,
        command: ApplicationCommand,
        target: Option<CommandTarget>,
        acting_for: Option<&d::MunicipalityCode>,
        command_id: Uuid,
        expected_version: Option<i32>,
    ) -> Result<ApplicationPayload> {
        let target = match target {
            Some(t) => t,
            None => application_target(ctx, &id, acting_for).await?,
        };
        let done = run_application(ctx, &id, command, target, command_id, expected_version).await?;
        let entity = done.read(state(ctx)?, |m| m.application(&id, None).map(|v| Application::from(&v)));
        Ok(ApplicationPayload::new(done, entity))
    }
}

#[Object]
impl ApplicationMutation {
    /// Draft a joint application for a programme call (the deadline must lie ahead).
    async fn draft_application(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: DraftApplicationInput,
    ) -> Result<ApplicationPayload> {
        let id = d::ApplicationId(new_id(input.application_id, command_id, b"application"));
        let consortium = input.consortium.0;
        let target = CommandTarget::Application {
            consortium: consortium.clone(),
        };
        let command = ApplicationCommand::Draft(Box::new(DraftApplication {
            application: id,
            consortium,
            consortium_members: Default::default(),
            title: input.title,
            programme: input.programme.to_domain(),
            call: input.call,
            lead_applicant: input.lead_applicant.0,
            deadline: input.deadline.0,
            total_budget: input.total_budget.to_domain()?,
            requested: input.requested.to_domain()?,
            project_period: input.project_period.to_domain()?,
            serves_goals: goal_refs(&input.serves_goals),
            eu_priorities: eu_priorities(&input.eu_priorities),
            now: Utc::now(),
        }));
        Self::exec(ctx, id, command, Some(target), None, command_id, expected_version).await
    }

    /// Invite a consortium member as co-applicant.
    async fn invite_co_applicant(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: InviteCoApplicantInput,
    ) -> Result<ApplicationPayload> {
        let command = ApplicationCommand::Invite {
            municipality: input.municipality.0,
            consortium_members: Default::default(),
        };
        Self::exec(
            ctx,
            d::ApplicationId(input.application_id),
            command,
            None,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// A co-applicant (or the lead) commits co-financing with its own decision.
    async fn commit_co_financing(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: CommitCoFinancingInput,
    ) -> Result<ApplicationPayload> {
        let municipality = input.municipality.0;
        let command = ApplicationCommand::CommitCoFinancing {
            municipality,
            amount: input.amount.to_domain()?,
            decision: input.decision.to_domain(),
        };
        Self::exec(
            ctx,
            d::ApplicationId(input.application_id),
            command,
            None,
            Some(&municipality),
            command_id,
            expected_version,
        )
        .await
    }

    /// An invited co-applicant declines.
    async fn decline_co_financing(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: DeclineCoFinancingInput,
    ) -> Result<ApplicationPayload> {
        let municipality = input.municipality.0;
        let command = ApplicationCommand::DeclineCoFinancing {
            municipality,
            reason: input.reason,
        };
        Self::exec(
            ctx,
            d::ApplicationId(input.application_id),
            command,
            None,
            Some(&municipality),
            command_id,
            expected_version,
        )
        .await
    }

    /// Record the benefit-and-risk assessment (nytto- och riskanalys).
    async fn record_risk_assessment(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: RecordRiskAssessmentInput,
    ) -> Result<ApplicationPayload> {
        let command = ApplicationCommand::RecordRiskAssessment {
            benefits: input.benefits,
            risks: input.risks,
            democracy_and_human_rights: input.democracy_and_human_rights,
            assessed_on: input.assessed_on.0,
        };
        Self::exec(
            ctx,
            d::ApplicationId(input.application_id),
            command,
            None,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Submit (every co-applicant answered, risk assessed, before the deadline).
    async fn submit_application(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: SubmitApplicationInput,
    ) -> Result<ApplicationPayload> {
        let command = ApplicationCommand::Submit { now: Utc::now() };
        Self::exec(
            ctx,
            d::ApplicationId(input.application_id),
            command,
            None,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Record the funder's approval; the process manager registers the project.
    async fn approve_application(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: ApproveApplicationInput,
    ) -> Result<ApplicationPayload> {
        let command = ApplicationCommand::Approve {
            granted: input.granted.to_domain()?,
            decided_on: input.decided_on.0,
            decision_reference: input.decision_reference,
        };
        Self::exec(
            ctx,
            d::ApplicationId(input.application_id),
            command,
            None,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Record the funder's rejection.
    async fn reject_application(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: RejectApplicationInput,
    ) -> Result<ApplicationPayload> {
        let command = ApplicationCommand::Reject {
            decided_on: input.decided_on.0,
            reason: input.reason,
        };
        Self::exec(
            ctx,
            d::ApplicationId(input.application_id),
            command,
            None,
            None,
            command_id,
            expected_version,
        )
        .await
    }

    /// Withdraw a draft or submitted application.
    async fn withdraw_application(
        &self,
        ctx: &Context<'_>,
        command_id: Uuid,
        expected_version: Option<i32>,
        input: WithdrawApplicationInput,
    ) -> Result<ApplicationPayload> {
        let command = ApplicationCommand::Withdraw {
            withdrawn_on: input.withdrawn_on.0,
            reason: input.reason,
        };
        Self::exec(
            ctx,
            d::ApplicationId(input.application_id),
            command,
            None,
            None,
            command_id,
            expected_version,
        )
        .await
    }
}
