//! REST endpoints of the workflows context.

use actix_web::{HttpResponse, web};

use super::error::WorkflowError;
use super::model::*;
use super::service::{self, WorkflowFilter};
use crate::platform::auth::{Authorized, WorkflowsApprove, WorkflowsManage, WorkflowsRead};
use crate::platform::error::{ApiResult, Problem};
use crate::platform::http::resource;
use crate::platform::ids::{StepId, WorkflowId};
use crate::platform::pagination::Page;
use crate::platform::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/workflows")
            .route(web::get().to(list))
            .route(web::post().to(start)),
    )
    .service(resource("/workflows/{id}").route(web::get().to(get)))
    .service(resource("/workflows/{id}/cancel").route(web::post().to(cancel)))
    .service(resource("/workflows/{id}/steps/{step_id}/approve").route(web::post().to(approve)))
    .service(resource("/workflows/{id}/steps/{step_id}/reject").route(web::post().to(reject)))
    .service(resource("/workflows/{id}/steps/{step_id}/complete").route(web::post().to(complete)))
    .service(resource("/approvals").route(web::get().to(approvals)))
    .service(resource("/workflow-templates").route(web::get().to(list_templates)))
    .service(resource("/workflow-templates/{kind}").route(web::put().to(save_template)));
}

/// Onboarding and offboarding workflows, newest first.
#[utoipa::path(operation_id = "list_workflows", get, path = "/api/v1/workflows", tag = "workflows", params(WorkflowFilter),
    responses((status = 200, description = "OK", body = Page<WorkflowView>)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsRead>,
    q: web::Query<WorkflowFilter>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list(&state, &who, q.into_inner()).await?))
}

/// Opens a workflow by hand from the tenant's template.
#[utoipa::path(operation_id = "start_workflow", post, path = "/api/v1/workflows", tag = "workflows", request_body = StartWorkflow,
    responses((status = 201, description = "Opened", body = WorkflowView), (status = 409, description = "One of this kind is already open for the person", body = Problem), (status = 422, description = "Validation failed", body = Problem)),
    security(("bearer" = [])))]
pub async fn start(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsManage>,
    body: web::Json<StartWorkflow>,
) -> ApiResult<HttpResponse> {
    let req = NewWorkflow::parse(body.into_inner()).map_err(WorkflowError::Invalid)?;
    Ok(HttpResponse::Created().json(service::start(&state, &who, req).await?))
}

#[utoipa::path(operation_id = "get_workflow", get, path = "/api/v1/workflows/{id}", tag = "workflows", params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = WorkflowView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsRead>,
    id: web::Path<WorkflowId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&state, &who, id.into_inner()).await?))
}

/// Cancels an open workflow; its remaining steps are skipped.
#[utoipa::path(operation_id = "cancel_workflow", post, path = "/api/v1/workflows/{id}/cancel", tag = "workflows", params(("id" = Uuid, Path)), request_body = CancelWorkflow,
    responses((status = 200, description = "OK", body = WorkflowView), (status = 422, description = "Not open", body = Problem)),
    security(("bearer" = [])))]
pub async fn cancel(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsManage>,
    id: web::Path<WorkflowId>,
    body: Option<web::Json<CancelWorkflow>>,
) -> ApiResult<HttpResponse> {
    let req = body.map(|b| b.into_inner()).unwrap_or_default();
    let reason = CancelReason::parse(req).map_err(WorkflowError::Invalid)?;
    Ok(HttpResponse::Ok().json(service::cancel(&state, &who, id.into_inner(), reason).await?))
}

async fn decide(
    state: web::Data<AppState>,
    who: crate::platform::auth::Principal,
    path: web::Path<(WorkflowId, StepId)>,
    body: Option<web::Json<StepAction>>,
    decision: Decision,
) -> ApiResult<HttpResponse> {
    let (id, step_id) = path.into_inner();
    let req = body.map(|b| b.into_inner()).unwrap_or_default();
    let cmd = StepDecision::parse(decision, req).map_err(WorkflowError::Invalid)?;
    Ok(HttpResponse::Ok().json(service::act(&state, &who, id, step_id, cmd).await?))
}

/// Approves an approval step (its assigned manager, or an admin); the workflow moves on.
#[utoipa::path(operation_id = "approve_workflow_step", post, path = "/api/v1/workflows/{id}/steps/{step_id}/approve", tag = "workflows",
    params(("id" = Uuid, Path), ("step_id" = Uuid, Path)), request_body = StepAction,
    responses((status = 200, description = "OK", body = WorkflowView), (status = 403, description = "Assigned to someone else", body = Problem), (status = 409, description = "The step is not awaiting a decision", body = Problem)),
    security(("bearer" = [])))]
pub async fn approve(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsApprove>,
    path: web::Path<(WorkflowId, StepId)>,
    body: Option<web::Json<StepAction>>,
) -> ApiResult<HttpResponse> {
    decide(state, who.into_inner(), path, body, Decision::Approve).await
}

/// Rejects an approval step; the workflow ends as `rejected`.
#[utoipa::path(operation_id = "reject_workflow_step", post, path = "/api/v1/workflows/{id}/steps/{step_id}/reject", tag = "workflows",
    params(("id" = Uuid, Path), ("step_id" = Uuid, Path)), request_body = StepAction,
    responses((status = 200, description = "OK", body = WorkflowView), (status = 403, description = "Assigned to someone else", body = Problem), (status = 409, description = "The step is not awaiting a decision", body = Problem)),
    security(("bearer" = [])))]
pub async fn reject(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsApprove>,
    path: web::Path<(WorkflowId, StepId)>,
    body: Option<web::Json<StepAction>>,
) -> ApiResult<HttpResponse> {
    decide(state, who.into_inner(), path, body, Decision::Reject).await
}

/// Completes a task step (admins): a hand-over checks the reserved asset out, a check-in
/// checks in everything the person holds, a blocked reservation takes `asset_id`.
#[utoipa::path(operation_id = "complete_workflow_step", post, path = "/api/v1/workflows/{id}/steps/{step_id}/complete", tag = "workflows",
    params(("id" = Uuid, Path), ("step_id" = Uuid, Path)), request_body = StepAction,
    responses((status = 200, description = "OK", body = WorkflowView), (status = 409, description = "The step is not active", body = Problem), (status = 422, description = "Validation failed", body = Problem)),
    security(("bearer" = [])))]
pub async fn complete(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsApprove>,
    path: web::Path<(WorkflowId, StepId)>,
    body: Option<web::Json<StepAction>>,
) -> ApiResult<HttpResponse> {
    decide(state, who.into_inner(), path, body, Decision::Complete).await
}

/// Approvals waiting for the caller (admins see every open approval).
#[utoipa::path(operation_id = "list_approvals", get, path = "/api/v1/approvals", tag = "workflows",
    responses((status = 200, description = "OK", body = Page<ApprovalView>)), security(("bearer" = [])))]
pub async fn approvals(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsApprove>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::approvals(&state, &who).await?,
        next_cursor: None,
    }))
}

/// The tenant's onboarding and offboarding templates (built-in defaults until edited).
#[utoipa::path(operation_id = "list_workflow_templates", get, path = "/api/v1/workflow-templates", tag = "workflows",
    responses((status = 200, description = "OK", body = Page<TemplateView>)), security(("bearer" = [])))]
pub async fn list_templates(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::list_templates(&state, &who).await?,
        next_cursor: None,
    }))
}

/// Replaces a template; workflows already open keep their steps.
#[utoipa::path(operation_id = "save_workflow_template", put, path = "/api/v1/workflow-templates/{kind}", tag = "workflows",
    params(("kind" = String, Path, description = "`onboarding` or `offboarding`")), request_body = SaveTemplate,
    responses((status = 200, description = "OK", body = TemplateView), (status = 422, description = "Validation failed; `errors` names each step field", body = Problem)),
    security(("bearer" = [])))]
pub async fn save_template(
    state: web::Data<AppState>,
    who: Authorized<WorkflowsManage>,
    kind: web::Path<String>,
    body: web::Json<SaveTemplate>,
) -> ApiResult<HttpResponse> {
    let kind = WorkflowKind::parse(&kind).ok_or(WorkflowError::NotFound("template"))?;
    let template = NewTemplate::parse(body.into_inner()).map_err(WorkflowError::Invalid)?;
    Ok(HttpResponse::Ok().json(service::save_template(&state, &who, kind, template).await?))
}
