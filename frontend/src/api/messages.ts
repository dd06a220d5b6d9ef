/**
 * The one place where machine error codes become words for people.
 *
 * Problem `code`s come from the backend's code registry (API.md: problem+json). Screens
 * never look at `detail` or `message` text to decide anything; they show what this file
 * returns for the code, falling back on the HTTP status when a code is not known here.
 */

/**
 * Messages for a problem's top-level `code`: the backend's registry
 * (`backend/src/platform/error.rs`, `Code::as_str`) plus the client's own codes.
 */
const problemMessages: Readonly<Record<string, string>> = {
  // Client-side: the request got no usable answer.
  network_error: 'Could not reach the server. Check your connection and try again.',
  aborted: 'The request was cancelled.',
  unexpected_response: 'The server sent an answer we could not read. Try again later.',
  // 400 / 405 / 413 / 415
  malformed_request: 'The request could not be understood.',
  method_not_allowed: 'That action is not available here.',
  payload_too_large: 'That is too large to send.',
  unsupported_media_type: 'The request could not be understood.',
  // 401
  unauthenticated: 'Your session has ended. Please sign in again.',
  invalid_credentials: 'That email and password do not match.',
  token_expired: 'Your session has ended. Please sign in again.',
  token_invalid: 'Your session has ended. Please sign in again.',
  refresh_token_reused: 'Your session was ended for safety. Please sign in again.',
  // 403 / 404
  forbidden: "You don't have permission to do that.",
  not_found: 'We could not find that. It may have been deleted.',
  // 409
  conflict: 'That is not possible in the current state. Reload and try again.',
  duplicate_tag: 'An asset with this tag already exists.',
  duplicate_email: 'Someone with this email already exists.',
  duplicate_name: 'Something with this name already exists.',
  version_conflict: 'Someone else changed this record meanwhile. Reload it and try again.',
  idempotency_in_progress: 'This request is still being processed. Wait a moment.',
  step_not_active: 'Someone else already acted on this step. The latest state is shown now.',
  // 422
  validation_failed: 'Some fields need attention.',
  invalid_transition: "That is not possible in the asset's current status.",
  idempotency_key_reused: 'This request was already sent with different data. Try again.',
  // 429 / 503 / 500
  rate_limited: 'Too many requests. Wait a moment and try again.',
  dependency_unavailable: 'The service is temporarily unavailable. Try again shortly.',
  internal_error: 'Something went wrong on our side. Try again later.',
};

/** Fallbacks when a code is unknown to this client version. */
const statusMessages: Readonly<Record<number, string>> = {
  0: problemMessages.network_error ?? '',
  400: 'The request could not be understood.',
  401: 'Your session has ended. Please sign in again.',
  403: "You don't have permission to do that.",
  404: 'We could not find that.',
  409: 'That conflicts with the current state. Reload and try again.',
  413: 'That is too large.',
  422: 'Some fields need attention.',
  429: 'Too many requests. Wait a moment and try again.',
  503: 'The service is temporarily unavailable. Try again shortly.',
};

const genericMessage = 'Something went wrong. Try again later.';

/** The user-facing sentence for a problem `code`, or for its HTTP status if the code is unknown. */
export function problemMessage(code: string, status: number): string {
  return problemMessages[code] ?? statusMessages[status] ?? genericMessage;
}

/**
 * Where the action at hand says more than the code alone (`context.code`): the same
 * `conflict` means "check it in first" when deleting an asset and "keep an owner" for a user.
 */
const contextMessages: Readonly<Record<string, string>> = {
  'asset.version_conflict': 'Someone else changed this asset meanwhile. Reload it to see their changes, then try again.',
  'asset.delete.conflict': 'This asset is checked out. Check it in before deleting it.',
  'asset.status.invalid_transition': "That status can't be reached from the asset's current one.",
  'asset.status.validation_failed': "That status can't be reached from the asset's current one.",
  'asset.checkin.conflict': 'This asset is not checked out.',
  'asset.checkin.invalid_transition': 'This asset is not checked out.',
  'employee.version_conflict':
    'Someone else changed this employee meanwhile. Reload to see their changes, then make yours again.',
  'employee.delete.conflict': 'This employee still holds assets. Check them in first.',
  'user.conflict': 'The organization must keep at least one active owner.',
  'catalog.delete.conflict': 'It is still in use, so it cannot be deleted.',
  'discrepancy.dismiss.invalid_transition': 'This discrepancy is no longer open: a sync resolved it or someone dismissed it.',
  'discrepancy.forbidden': 'Only admins and owners can see and dismiss discrepancies.',
  'report.forbidden': 'Only admins and owners can download reports.',
  'workflow.invalid_transition': "That doesn't apply to this step or workflow any more.",
  'workflow.cancel.invalid_transition': 'This workflow is already closed.',
  'workflow.complete.invalid_transition': 'This step cannot be completed yet: no asset was reserved to hand over.',
  'workflow.start.conflict': 'This person already has an open workflow of that kind.',
  'workflow.approve.forbidden': 'This approval is assigned to someone else.',
  'workflow.reject.forbidden': 'This approval is assigned to someone else.',
  'workflow.forbidden': 'Only admins and owners can do this.',
  'workflow_template.forbidden': 'Only admins and owners can change templates.',
  'forbidden': "Your role doesn't allow this. Ask an owner or admin.",
};

/**
 * The message for a problem met while doing `context` (e.g. `asset.delete`): a message
 * specific to that action when there is one, else the code's general message. Contexts are
 * tried from the most to the least specific (`asset.delete`, then `asset`).
 */
export function problemMessageIn(context: string, code: string, status: number): string {
  const parts = context.split('.');
  for (let n = parts.length; n > 0; n--) {
    const message = contextMessages[`${parts.slice(0, n).join('.')}.${code}`];
    if (message !== undefined) return message;
  }
  return contextMessages[code] ?? problemMessage(code, status);
}

/** Messages for a per-field `errors[].code` (the backend's validation codes). */
const fieldMessages: Readonly<Record<string, string>> = {
  required: 'This field is required.',
  too_short: 'This is too short.',
  too_long: 'This is too long.',
  invalid: 'This value is not valid.',
  invalid_format: 'This value is not in the expected format.',
  invalid_choice: 'Pick one of the offered values.',
  invalid_type: 'This value has the wrong type.',
  invalid_transition: "This status can't be reached from the current one.",
  out_of_range: 'This value is out of range.',
  negative: 'This cannot be negative.',
  too_precise: 'Use at most two decimals.',
  too_large: 'This is too large.',
  in_the_past: 'Pick a date in the future.',
  taken: 'This value is already in use.',
  not_found: 'This no longer exists. Pick another value.',
  terminated: 'This employee has left the organization.',
  self_reference: 'This cannot refer to itself.',
  above_own_role: 'You cannot grant a role above your own.',
  not_available: 'This is not available yet.',
  unavailable: 'This is not available. Pick another.',
  invalid_length: 'This has too few or too many entries.',
  invalid_order: 'These are in an order that is not possible.',
  missing_step: 'A step this one needs is missing.',
};

/** Where a field's context says more than its code alone (`field.code`). */
const fieldSpecificMessages: Readonly<Record<string, string>> = {
  'tenant.required': 'This email belongs to several organizations. Enter the one to sign in to.',
  'password.too_short': 'Use at least 10 characters.',
  'email.invalid_format': 'Enter a valid email address.',
  'email.taken': 'Someone with this email already exists.',
  'tag.taken': 'An asset with this tag already exists.',
  'cost.amount.invalid_format': 'Enter an amount like 1299.00.',
  'cost.currency.invalid_format': 'Enter a three-letter currency code such as USD.',
  'due_at.in_the_past': 'Pick a due date in the future.',
  'employee_id.required': 'Pick the employee who receives the asset.',
  'employee_id.terminated': 'This employee has left; pick someone else.',
  'name.required': 'Give it a name.',
  'status.invalid_transition': "This status can't be reached from the current one.",
  'role.above_own_role': 'You cannot grant a role above your own.',
  'asset_tag_prefix.invalid_format': 'Use 1 to 10 letters or digits, e.g. AST.',
  'country.invalid_format': 'Use a two-letter country code such as DE.',
  'currency.invalid_format': 'Use a three-letter currency code such as USD.',
  'cost.invalid_format': 'Enter an amount like 1299.00.',
  'purchase_date.invalid_format': 'Use a date like 2026-01-31.',
  'warranty_end.invalid_format': 'Use a date like 2026-01-31.',
  'start_date.invalid_format': 'Use a date like 2026-01-31.',
  'end_date.invalid_format': 'Use a date like 2026-01-31.',
  'provider.required': 'Pick the system to connect.',
  'provider.invalid_choice': 'Pick one of the offered systems.',
  'provider.not_available': 'This connector is not available yet.',
  'config.subdomain.invalid_format': 'Use letters, digits and dashes only, e.g. acme.',
  'config.base_url.invalid_format': 'Enter a URL starting with https:// (or http:// for a local sandbox).',
  'schedule.invalid_format': 'Use a cron expression such as 0 */6 * * *.',
  'note.too_long': 'Keep the note under 2,000 characters.',
  'asset_id.required': 'Pick the in-stock asset to reserve.',
  'asset_id.not_found': 'This asset no longer exists. Pick another.',
  'asset_id.unavailable': 'This asset is not in stock or is reserved for someone else. Pick another.',
  'steps.invalid_length': 'A template has 1 to 30 steps.',
  'steps.invalid_order': 'The hand-over (check out) must come after the step that reserves the asset.',
  'steps.missing_step': 'A hand-over (check out) needs a "Reserve an asset" step before it.',
  'steps.*.name.required': 'Give the step a name (up to 120 characters).',
  'steps.*.due_in_days.out_of_range': 'Use a number of days between -365 and 365.',
  'steps.*.category.required': 'Name the asset category to reserve from, e.g. Laptop.',
};

/** `steps.1.category` → `steps.*.category`: one message for the same field of every row. */
const rowless = (field: string): string => field.replace(/\.\d+(?=\.|$)/g, '.*');

/**
 * The message shown next to a form field. A code this client does not know falls back
 * on the server's own `message` for that field (shown as-is, never inspected).
 */
export function fieldMessage(field: string, code: string, serverMessage: string | undefined): string {
  return (
    fieldSpecificMessages[`${field}.${code}`] ??
    fieldSpecificMessages[`${rowless(field)}.${code}`] ??
    fieldMessages[code] ??
    (serverMessage?.trim() || (fieldMessages.invalid ?? ''))
  );
}
