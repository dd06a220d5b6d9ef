/**
 * Names for the contract's schemas, so screens import `Asset` rather than spelling
 * `components['schemas']['AssetView']`. Everything in the first part is derived from the
 * generated `schema.d.ts`; if the backend renames a schema, this is the one file to touch.
 */
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type FieldProblem = Schemas['FieldError'];

export type Tenant = Schemas['TenantView'];
export type User = Schemas['UserView'];
export type Role = Schemas['Role'];
export type AuthTokens = Schemas['Session'];
export type SignupRequest = Schemas['SignupRequest'];
export type LoginRequest = Schemas['LoginRequest'];

export type Asset = Schemas['AssetView'];
export type AssetStatus = Schemas['AssetStatus'];
export type CreateAsset = Schemas['CreateAsset'];
export type UpdateAsset = Schemas['UpdateAsset'];
export type Money = Schemas['MoneyView'];
/** What the MDM last reported about the device behind an asset. */
export type DeviceFacts = Schemas['DeviceView'];
/** An asset whose MDM and our records disagree (`GET /discrepancies`). */
export type Discrepancy = Schemas['DiscrepancyView'];
/** One entry of `GET /assets/{id}/history`: an audit event about the asset. */
export type HistoryEntry = Schemas['AuditEventView'];

export type Employee = Schemas['EmployeeView'];
export type EmployeeDetail = Schemas['EmployeeDetail'];
export type CreateEmployee = Schemas['CreateEmployee'];

export type UpdateEmployee = Schemas['UpdateEmployee'];

export type Integration = Schemas['IntegrationView'];
export type CreateIntegration = Schemas['CreateIntegration'];
export type IntegrationTestResult = Schemas['TestResult'];
export type SyncRun = Schemas['SyncRunView'];
export type SyncQueued = Schemas['SyncQueued'];
export type WebhookDelivery = Schemas['DeliveryView'];

export type Workflow = Schemas['WorkflowView'];
export type WorkflowStep = Schemas['StepView'];
export type WorkflowPerson = Schemas['WorkflowEmployee'];
export type WorkflowKind = Schemas['WorkflowKind'];
export type StartWorkflow = Schemas['StartWorkflow'];
export type StepAction = Schemas['StepAction'];
export type Approval = Schemas['ApprovalView'];
export type WorkflowTemplate = Schemas['TemplateView'];
export type StepTemplate = Schemas['StepTemplate'];
export type StepKind = Schemas['StepKind'];
export type StepAssignee = Schemas['Assignee'];
export type SaveTemplate = Schemas['SaveTemplate'];

export type Category = Schemas['CategoryView'];
export type CategoryInput = Schemas['CategoryInput'];
export type AssetModel = Schemas['ModelView'];
export type AssetModelInput = Schemas['ModelInput'];
export type Location = Schemas['LocationView'];
export type LocationInput = Schemas['LocationInput'];
export type Department = Schemas['DepartmentView'];
export type DepartmentInput = Schemas['DepartmentInput'];

export type Dashboard = Schemas['DashboardView'];

export type AuditEvent = Schemas['AuditEventView'];
export type ChainVerification = Schemas['ChainVerification'];

export type TenantSettings = Schemas['TenantSettingsView'];
export type UpdateTenant = Schemas['UpdateTenantRequest'];
export type CreateUser = Schemas['CreateUserRequest'];
export type UpdateUser = Schemas['UpdateUserRequest'];
export type ApiToken = Schemas['ApiTokenView'];
export type CreatedApiToken = Schemas['CreatedApiToken'];
export type CreateApiToken = Schemas['CreateApiTokenRequest'];

/** The query string accepted by `GET /api/v1/assets`. */
export type AssetListQuery = NonNullable<paths['/api/v1/assets']['get']['parameters']['query']>;
/** The query string accepted by `GET /api/v1/audit-events`. */
export type AuditListQuery = NonNullable<paths['/api/v1/audit-events']['get']['parameters']['query']>;
/** The query string accepted by `GET /api/v1/employees`. */
export type EmployeeListQuery = NonNullable<paths['/api/v1/employees']['get']['parameters']['query']>;
/** The query string accepted by `GET /api/v1/discrepancies`. */
export type DiscrepancyListQuery = NonNullable<paths['/api/v1/discrepancies']['get']['parameters']['query']>;
/** The query string accepted by `GET /api/v1/workflows`. */
export type WorkflowListQuery = NonNullable<paths['/api/v1/workflows']['get']['parameters']['query']>;

/*
 * Values the document types as plain `string`. Their allowed values come from API.md; each
 * union is checked to stay assignable to the field it is sent in, so a change of the
 * field's type in the document still fails the build here.
 */

/** `sort` of `GET /assets`. */
export type AssetSort =
  | 'tag'
  | '-tag'
  | 'name'
  | '-name'
  | 'created_at'
  | '-created_at'
  | 'updated_at'
  | '-updated_at'
  | 'warranty_end'
  | '-warranty_end';
/** `status` of an employee. */
export type EmployeeStatus = 'active' | 'terminated';
/** `status` of an integration. */
export type IntegrationStatus = 'active' | 'needs_attention' | 'disabled';
/** `status` of a sync run. */
export type SyncRunStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed';
/** `status` of a workflow. */
export type WorkflowStatus = 'open' | 'completed' | 'rejected' | 'cancelled';
/** `status` of a workflow step. */
export type StepStatus = 'pending' | 'active' | 'blocked' | 'done' | 'rejected' | 'skipped';
/** `status` of a webhook delivery. */
export type WebhookDeliveryStatus = 'received' | 'processing' | 'retrying' | 'processed' | 'dead';
/** `status` of a discrepancy: `resolved` once the sources agree again, `dismissed` by an admin. */
export type DiscrepancyStatus = 'open' | 'resolved' | 'dismissed';
/** `condition` of `POST /assets/{id}/checkin`. */
export type CheckinCondition = 'good' | 'damaged' | 'needs_repair';

type Assignable<T, U> = [T] extends [U] ? true : never;
export const contractChecks: {
  sort: Assignable<AssetSort, NonNullable<AssetListQuery['sort']>>;
  employeeStatus: Assignable<EmployeeStatus, Employee['status']>;
  condition: Assignable<CheckinCondition, NonNullable<Schemas['CheckinRequest']['condition']>>;
  integrationStatus: Assignable<IntegrationStatus, Integration['status']>;
  syncRunStatus: Assignable<SyncRunStatus, SyncRun['status']>;
  workflowStatus: Assignable<WorkflowStatus, Workflow['status']>;
  workflowFilter: Assignable<WorkflowStatus, NonNullable<WorkflowListQuery['status']>>;
  workflowKind: Assignable<WorkflowKind, Workflow['kind']>;
  stepStatus: Assignable<StepStatus, WorkflowStep['status']>;
  stepKind: Assignable<StepKind, WorkflowStep['kind']>;
  deliveryStatus: Assignable<WebhookDeliveryStatus, WebhookDelivery['status']>;
  discrepancyStatus: Assignable<DiscrepancyStatus, Discrepancy['status']>;
  discrepancyFilter: Assignable<DiscrepancyStatus, NonNullable<DiscrepancyListQuery['status']>>;
} = {
  sort: true,
  employeeStatus: true,
  condition: true,
  integrationStatus: true,
  syncRunStatus: true,
  workflowStatus: true,
  workflowFilter: true,
  workflowKind: true,
  stepStatus: true,
  stepKind: true,
  deliveryStatus: true,
  discrepancyStatus: true,
  discrepancyFilter: true,
};
