/**
 * Names for the contract's schemas, so screens import `Asset` rather than spelling
 * `components['schemas']['Asset']`. Everything here is derived from the generated
 * `schema.d.ts`; nothing is hand-written. If the backend renames a schema, this is the
 * one file to touch.
 */
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type FieldProblem = Schemas['FieldError'];

export type Tenant = Schemas['Tenant'];
export type User = Schemas['User'];
export type Role = Schemas['Role'];
export type AuthTokens = Schemas['AuthTokens'];
export type SignupRequest = Schemas['SignupRequest'];
export type LoginRequest = Schemas['LoginRequest'];

export type Asset = Schemas['Asset'];
export type AssetStatus = Schemas['AssetStatus'];
export type CreateAsset = Schemas['CreateAsset'];
export type CheckinCondition = Schemas['CheckinCondition'];
export type HistoryEntry = Schemas['HistoryEntry'];
export type Money = Schemas['Money'];

export type Employee = Schemas['Employee'];
export type EmployeeStatus = Schemas['EmployeeStatus'];
export type EmployeeDetail = Schemas['EmployeeDetail'];

export type Category = Schemas['Category'];
export type Location = Schemas['Location'];
export type Department = Schemas['Department'];

/** The query string accepted by `GET /api/v1/assets`. */
export type AssetListQuery = NonNullable<paths['/api/v1/assets']['get']['parameters']['query']>;
export type AssetSort = NonNullable<AssetListQuery['sort']>;
/** The query string accepted by `GET /api/v1/employees`. */
export type EmployeeListQuery = NonNullable<paths['/api/v1/employees']['get']['parameters']['query']>;
