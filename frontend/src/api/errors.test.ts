import { describe, expect, it } from 'vitest';
import { api, unwrap } from './client';
import { ApiError } from './errors';
import { problemMessage } from './messages';
import { jsonResponse, mockFetch, problemResponse } from '@/testing/http';

describe('ApiError', () => {
  it('reads a problem+json answer into typed fields', async () => {
    mockFetch({
      'POST /api/v1/assets': () =>
        problemResponse(422, 'validation_failed', {
          detail: 'name: must not be blank',
          errors: [
            { field: 'name', code: 'required', message: 'must not be blank' },
            { field: 'cost.amount', code: 'invalid_money', message: 'bad decimal' },
          ],
        }),
    });

    const error = await unwrap(api.POST('/api/v1/assets', { body: { name: '' } })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    const problem = error as ApiError;
    expect(problem.status).toBe(422);
    expect(problem.code).toBe('validation_failed');
    expect(problem.detail).toBe('name: must not be blank');
    expect(problem.isValidation).toBe(true);
    expect(problem.fieldErrors.map((e) => e.field)).toEqual(['name', 'cost.amount']);
  });

  it('maps the code, not the text, to the user-facing message', () => {
    const response = problemResponse(409, 'duplicate_tag', { detail: 'tag LAP-0001 exists (unique constraint)' });
    const error = ApiError.fromResponse(response, {
      type: 'x',
      title: 'Conflict',
      status: 409,
      code: 'duplicate_tag',
      detail: 'tag LAP-0001 exists (unique constraint)',
    });

    expect(error.message).toBe(problemMessage('duplicate_tag', 409));
    expect(error.message).toBe('An asset with this tag already exists.');
    expect(error.message).not.toContain('constraint');
  });

  it('falls back on the HTTP status for a code this client does not know', () => {
    const error = ApiError.fromResponse(new Response(null, { status: 403 }), {
      type: 'x',
      title: 'Forbidden',
      status: 403,
      code: 'some_new_code',
    });

    expect(error.code).toBe('some_new_code');
    expect(error.message).toBe("You don't have permission to do that.");
  });

  it('maps field codes to messages, falling back on the server message for unknown codes', () => {
    const error = new ApiError({
      status: 422,
      code: 'validation_failed',
      fieldErrors: [
        { field: 'email', code: 'invalid_format', message: 'must be an email address' },
        { field: 'email', code: 'taken', message: 'second error on the same field' },
        { field: 'serial_number', code: 'brand_new_rule', message: 'Serial must start with S' },
      ],
    });

    expect(error.fieldMessages()).toEqual({
      email: 'Enter a valid email address.',
      serial_number: 'Serial must start with S',
    });
  });

  it('turns an answer that is not problem+json into a status-based error', async () => {
    mockFetch({
      'GET /api/v1/me': () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }),
    });

    const error = (await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.code).toBe('http_502');
    expect(error.message).toBe('Something went wrong. Try again later.');
  });

  it('reports a request that never got an answer as a network error', async () => {
    mockFetch({
      'GET /api/v1/me': () => {
        throw new TypeError('Failed to fetch');
      },
    });

    const error = (await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.code).toBe('network_error');
    expect(error.message).toMatch(/could not reach the server/i);
  });

  it('keeps Retry-After of a rate-limited answer', async () => {
    mockFetch({ 'GET /api/v1/assets': () => problemResponse(429, 'rate_limited', {}, { 'Retry-After': '30' }) });

    const error = (await unwrap(api.GET('/api/v1/assets')).catch((e: unknown) => e)) as ApiError;

    expect(error.code).toBe('rate_limited');
    expect(error.retryAfter).toBe(30);
  });

  it('returns the body of a successful answer', async () => {
    mockFetch({ 'GET /api/v1/categories': () => jsonResponse(200, { data: [{ id: 'c1', name: 'Laptops' }], next_cursor: null }) });

    const page = await unwrap(api.GET('/api/v1/categories'));

    expect(page.data[0]?.name).toBe('Laptops');
  });

  it('sums a problem up by its first field, or by its code in context', () => {
    const unavailable = new ApiError({
      status: 422,
      code: 'validation_failed',
      fieldErrors: [{ field: 'provider', code: 'not_available', message: 'the hibob connector is not available yet' }],
    });
    expect(unavailable.summaryIn('integration.test')).toBe('This connector is not available yet.');
    const conflict = new ApiError({ status: 409, code: 'conflict' });
    expect(conflict.summaryIn('asset.delete')).toBe('This asset is checked out. Check it in before deleting it.');
  });
});
