import { fieldMessage, problemMessage, problemMessageIn } from './messages';
import type { FieldProblem, Problem } from './types';

interface ApiErrorInit {
  status: number;
  code: string;
  type?: string;
  title?: string;
  detail?: string | null;
  fieldErrors?: readonly FieldProblem[];
  retryAfter?: number | null;
  cause?: unknown;
}

/**
 * Every failure of an API call, as one typed value: an RFC 9457 problem the server sent,
 * or a synthetic one for a network failure (status 0, code `network_error`) or an answer
 * that was not problem+json. `message` is already the user-facing sentence for `code`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly type: string;
  readonly title: string;
  readonly detail: string | null;
  readonly fieldErrors: readonly FieldProblem[];
  /** Seconds to wait before retrying, from `Retry-After` (429/503). */
  readonly retryAfter: number | null;

  constructor(init: ApiErrorInit) {
    super(problemMessage(init.code, init.status), init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.type = init.type ?? 'about:blank';
    this.title = init.title ?? '';
    this.detail = init.detail ?? null;
    this.fieldErrors = init.fieldErrors ?? [];
    this.retryAfter = init.retryAfter ?? null;
  }

  /** Builds the error for a non-2xx answer; `body` is the parsed body, if any. */
  static fromResponse(response: Response, body: unknown): ApiError {
    const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
    if (isProblem(body)) {
      return new ApiError({
        status: response.status,
        code: body.code,
        type: body.type,
        title: body.title,
        detail: body.detail ?? null,
        fieldErrors: (body.errors ?? []).filter(isFieldProblem),
        retryAfter,
      });
    }
    return new ApiError({ status: response.status, code: `http_${response.status}`, retryAfter });
  }

  /** The request never got an answer (offline, DNS, CORS, server down). */
  static network(cause: unknown): ApiError {
    return new ApiError({ status: 0, code: 'network_error', cause });
  }

  /** Anything thrown while calling the API, as an `ApiError`. */
  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    if (isAbortError(error)) return new ApiError({ status: 0, code: 'aborted', cause: error });
    if (error instanceof TypeError) return ApiError.network(error);
    return new ApiError({ status: 0, code: 'unexpected_response', cause: error });
  }

  /** The message for this problem met while doing `context` (e.g. `asset.delete`); see `problemMessageIn`. */
  messageIn(context: string): string {
    return problemMessageIn(context, this.code, this.status);
  }

  /**
   * One sentence for a toast or a banner: the first field's message when the server named
   * fields (e.g. `provider: not_available`), else `messageIn(context)`.
   */
  summaryIn(context: string): string {
    const first = this.fieldErrors[0];
    return first ? fieldMessage(first.field, first.code, first.message) : this.messageIn(context);
  }

  /** True when the server rejected the input field by field (422 with `errors`). */
  get isValidation(): boolean {
    return this.fieldErrors.length > 0;
  }

  /** One user-facing message per field (the first one wins when a field has several). */
  fieldMessages(): Record<string, string> {
    const messages: Record<string, string> = {};
    for (const error of this.fieldErrors) {
      messages[error.field] ??= fieldMessage(error.field, error.code, error.message);
    }
    return messages;
  }
}

/** True for a request cancelled through its `AbortSignal` (raw or wrapped in an `ApiError`). */
export function isAbortError(error: unknown): boolean {
  if (error instanceof ApiError) return error.code === 'aborted';
  return isRecord(error) && error.name === 'AbortError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isProblem(body: unknown): body is Problem {
  return isRecord(body) && typeof body.code === 'string' && typeof body.status === 'number';
}

function isFieldProblem(value: unknown): value is FieldProblem {
  return isRecord(value) && typeof value.field === 'string' && typeof value.code === 'string';
}

function parseRetryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
