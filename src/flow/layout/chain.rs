//! kube-apiserver opened into its handler chain while a request is inside it: the stages in
//! the order a request passes them (authentication → authorization → decoding → mutating
//! admission → validation → validating admission → etcd → response), the one the message at
//! the cursor is in lit, and a refused request stopped at the stage that refused it, with the
//! API server's own text (`422 Pod "x" is invalid: ...`, `403 ... is forbidden: ...`).
//!
//! The chain shows for the API server's stage messages (`ApiStage`, trace `stage`), its etcd
//! calls made for a request (stage `storage`), and the answer to a refused request (which
//! keeps the refusing stage red on its way back). Stages before the lit one are shown as
//! passed, except at an etcd read: a GET reads without decoding or admission, and a binding
//! or patch reads before its admission, so only authentication and authorization are known
//! to be behind it.

use serde_json::Value;

use crate::sim::{Addr, Message, Sim, Stage};

/// Where a stage is for the request at the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageState {
    Passed,
    /// The stage the message at the cursor is in.
    Current,
    /// The stage that refused the request.
    Refused,
    /// Not reached yet (or never, after a refusal).
    Ahead,
}

impl StageState {
    pub fn class(self) -> &'static str {
        match self {
            StageState::Passed => "passed",
            StageState::Current => "current",
            StageState::Refused => "refused",
            StageState::Ahead => "ahead",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChainStage {
    pub stage: Stage,
    pub state: StageState,
    /// What the stage decided (the current or refusing stage only).
    pub outcome: Option<String>,
}

/// The handler chain at the cursor.
#[derive(Clone, Debug, PartialEq)]
pub struct HandlerChain {
    pub stages: Vec<ChainStage>,
    /// The step (1-11) of the pod creation flow the request belongs to, if any.
    pub step: Option<u8>,
    /// The refusal: the stage and the API server's text.
    pub refused: Option<(Stage, String)>,
}

/// The label the page shows for a stage.
pub fn label(stage: Stage) -> &'static str {
    match stage {
        Stage::Authentication => "authentication",
        Stage::Authorization => "authorization",
        Stage::Decoding => "decoding & defaults",
        Stage::MutatingAdmission => "mutating admission",
        Stage::Validation => "validation",
        Stage::ValidatingAdmission => "validating admission",
        Stage::Storage => "etcd (storage)",
        Stage::Response => "response",
    }
}

fn build(lit: Stage, refused: Option<(Stage, String)>, outcome: Option<String>) -> Vec<ChainStage> {
    build_with(lit, refused, outcome, |stage| stage < lit)
}

/// `passed` says which stages before the lit one the request is known to have passed.
fn build_with(
    lit: Stage,
    refused: Option<(Stage, String)>,
    outcome: Option<String>,
    passed: impl Fn(Stage) -> bool,
) -> Vec<ChainStage> {
    Stage::ALL
        .iter()
        .map(|&stage| {
            let state = match &refused {
                Some((r, _)) if stage == *r => StageState::Refused,
                Some((r, _)) if stage > *r && stage != lit => StageState::Ahead,
                _ if stage == lit => StageState::Current,
                _ if stage < lit && passed(stage) => StageState::Passed,
                _ => StageState::Ahead,
            };
            let outcome = match (&refused, state) {
                (Some((_, text)), StageState::Refused) => Some(text.clone()),
                (_, StageState::Current) => outcome.clone(),
                _ => None,
            };
            ChainStage {
                stage,
                state,
                outcome,
            }
        })
        .collect()
}

/// The stage that refused a request answered with `status` and Status `message`: the latest
/// of the API server's stage entries in the recent trace that says so, in the words
/// `ApiStage` uses (`<stage>: rejected: <code> <message>`).
fn refusing_stage(sim: &Sim, status: u16, message: &str) -> Option<(Stage, String)> {
    let text = format!("{status} {message}");
    let suffix = format!("rejected: {text}");
    sim.trace()
        .entries()
        .iter()
        .rev()
        .take(400)
        .filter(|e| e.kind == "api-stage" && e.from == Addr::ApiServer)
        .find(|e| e.summary.ends_with(&suffix))
        .and_then(|e| {
            let name = e.stage.as_deref()?;
            let stage = Stage::ALL.into_iter().find(|s| s.name() == name)?;
            Some((stage, text))
        })
}

/// The chain at `sim`'s last delivery, if a request is inside the API server there.
pub fn of_last(sim: &Sim) -> Option<HandlerChain> {
    let env = sim.last_delivered()?;
    let step = env.annotation.step;
    match &env.message {
        Message::ApiStage {
            stage, outcome, ok, ..
        } => {
            let refused = (!ok).then(|| (*stage, outcome.clone()));
            Some(HandlerChain {
                stages: build(*stage, refused.clone(), Some(outcome.clone())),
                step,
                refused,
            })
        }
        Message::EtcdRequest { request, .. }
            if env.from == Addr::ApiServer && env.annotation.stage == Some(Stage::Storage) =>
        {
            let summary = crate::sim::describe::describe(&env.message).summary;
            let read = matches!(request, crate::etcd::api::Request::Range(_));
            Some(HandlerChain {
                stages: build_with(Stage::Storage, None, Some(summary), |s| {
                    !read || s <= Stage::Authorization
                }),
                step,
                refused: None,
            })
        }
        Message::HttpResponse { response, .. }
            if env.from == Addr::ApiServer
                && env.annotation.stage == Some(Stage::Response)
                && response.status >= 400 =>
        {
            let body = response.body.json()?;
            let message = body.get("message").and_then(Value::as_str)?;
            let refused = refusing_stage(sim, response.status, message)?;
            // The answer's status line; the refusing stage holds the whole text.
            let summary = crate::sim::describe::describe(&env.message).summary;
            let status = summary.split(": ").next().unwrap_or(&summary).to_string();
            Some(HandlerChain {
                stages: build_with(Stage::Response, Some(refused.clone()), Some(status), |s| {
                    s < refused.0
                }),
                step,
                refused: Some(refused),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_stops_the_chain_at_its_stage() {
        let refused = Some((Stage::Validation, "422 invalid".to_string()));
        let stages = build(Stage::Validation, refused, None);
        let states: Vec<StageState> = stages.iter().map(|s| s.state).collect();
        assert_eq!(
            states,
            [
                StageState::Passed,
                StageState::Passed,
                StageState::Passed,
                StageState::Passed,
                StageState::Refused,
                StageState::Ahead,
                StageState::Ahead,
                StageState::Ahead,
            ]
        );
        assert_eq!(stages[4].outcome.as_deref(), Some("422 invalid"));
    }

    #[test]
    fn an_etcd_read_claims_only_authentication_and_authorization_behind_it() {
        let stages = build_with(Stage::Storage, None, None, |s| s <= Stage::Authorization);
        let passed: Vec<Stage> = stages
            .iter()
            .filter(|s| s.state == StageState::Passed)
            .map(|s| s.stage)
            .collect();
        assert_eq!(passed, [Stage::Authentication, Stage::Authorization]);
        assert_eq!(stages[6].state, StageState::Current);
    }

    #[test]
    fn the_answer_to_a_refused_request_keeps_the_refusing_stage_lit_red() {
        let refused = Some((Stage::Authorization, "403 forbidden".to_string()));
        let stages = build_with(
            Stage::Response,
            refused,
            Some("403 Forbidden".into()),
            |s| s < Stage::Authorization,
        );
        assert_eq!(stages[0].state, StageState::Passed);
        assert_eq!(stages[1].state, StageState::Refused);
        assert_eq!(stages[2].state, StageState::Ahead);
        assert_eq!(stages[7].state, StageState::Current);
        assert_eq!(stages[7].outcome.as_deref(), Some("403 Forbidden"));
    }
}
