/**
 * The audit log's vocabulary: entity types and the actions recorded for each (from the
 * backend's services). Unknown ones still show, humanized; these only feed the filters.
 */
export const auditEntityTypes: Readonly<Record<string, string>> = {
  asset: 'Assets',
  employee: 'Employees',
  category: 'Categories',
  model: 'Models',
  location: 'Locations',
  department: 'Departments',
  user: 'Users',
  api_token: 'API tokens',
  tenant: 'Organization',
};

/** One record of each type, for "Open asset" links. */
export const auditEntityNouns: Readonly<Record<string, string>> = {
  asset: 'Asset',
  employee: 'Employee',
  category: 'Category',
  model: 'Model',
  location: 'Location',
  department: 'Department',
  user: 'User',
  api_token: 'API token',
  tenant: 'Organization',
};

export const auditActions: Readonly<Record<string, readonly string[]>> = {
  asset: [
    'asset.created',
    'asset.updated',
    'asset.checked_out',
    'asset.checked_in',
    'asset.deleted',
    'asset.device_synced',
    'asset.discrepancy_opened',
    'asset.discrepancy_resolved',
  ],
  employee: ['employee.created', 'employee.updated', 'employee.deleted'],
  category: ['category.created', 'category.updated'],
  model: ['model.created'],
  location: ['location.created', 'location.updated', 'location.deleted'],
  department: ['department.created', 'department.updated', 'department.deleted'],
  user: ['user.created', 'user.updated', 'user.logged_in', 'user.logged_out'],
  api_token: ['api_token.created', 'api_token.revoked'],
  tenant: ['tenant.created', 'tenant.updated'],
};

/** `asset.checked_out` → `Asset checked out`. */
export function actionLabel(action: string): string {
  const words = action.replace(/[._]/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What a broken link's `reason` means. */
export const brokenReasons: Readonly<Record<string, string>> = {
  hash_mismatch: 'the entry was altered after it was written',
  link_mismatch: 'the entry before it was altered or removed',
  sequence_gap: 'an entry is missing',
};
