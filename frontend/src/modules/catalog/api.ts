import { api, send, unwrap } from '@/api/client';
import type {
  AssetModel,
  AssetModelInput,
  Category,
  CategoryInput,
  Department,
  DepartmentInput,
  Location,
  LocationInput,
} from '@/api/types';

const withKey = (key: string) => ({ 'Idempotency-Key': key });

export const categoriesApi = {
  list: async (): Promise<Category[]> => (await unwrap(api.GET('/api/v1/categories'))).data,
  create: (body: CategoryInput, key: string): Promise<Category> =>
    unwrap(api.POST('/api/v1/categories', { body, headers: withKey(key) })),
  update: (id: string, body: CategoryInput): Promise<Category> =>
    unwrap(api.PATCH('/api/v1/categories/{id}', { params: { path: { id } }, body })),
};

export const modelsApi = {
  list: async (): Promise<AssetModel[]> => (await unwrap(api.GET('/api/v1/models'))).data,
  create: (body: AssetModelInput, key: string): Promise<AssetModel> =>
    unwrap(api.POST('/api/v1/models', { body, headers: withKey(key) })),
};

export const locationsApi = {
  list: async (): Promise<Location[]> => (await unwrap(api.GET('/api/v1/locations'))).data,
  create: (body: LocationInput, key: string): Promise<Location> =>
    unwrap(api.POST('/api/v1/locations', { body, headers: withKey(key) })),
  update: (id: string, body: LocationInput): Promise<Location> =>
    unwrap(api.PATCH('/api/v1/locations/{id}', { params: { path: { id } }, body })),
  remove: (id: string): Promise<void> => send(api.DELETE('/api/v1/locations/{id}', { params: { path: { id } } })),
};

export const departmentsApi = {
  list: async (): Promise<Department[]> => (await unwrap(api.GET('/api/v1/departments'))).data,
  create: (body: DepartmentInput, key: string): Promise<Department> =>
    unwrap(api.POST('/api/v1/departments', { body, headers: withKey(key) })),
  update: (id: string, body: DepartmentInput): Promise<Department> =>
    unwrap(api.PATCH('/api/v1/departments/{id}', { params: { path: { id } }, body })),
  remove: (id: string): Promise<void> => send(api.DELETE('/api/v1/departments/{id}', { params: { path: { id } } })),
};
