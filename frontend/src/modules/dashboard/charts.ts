import type { Dashboard } from '@/api/types';
import type { ChartSlice } from '@/components/charts/setup';
import { assetStatusColors, assetStatusLabels } from '@/modules/assets/status';

/** A palette for categories (which have no colour of their own), repeated when there are more. */
const categoryPalette = ['#10b981', '#3b82f6', '#8b5cf6', '#f59e0b', '#ec4899', '#14b8a6', '#6366f1', '#f97316'];
const uncategorizedColor = '#cbd5e1';

/** Statuses with at least one asset, in the server's lifecycle order. */
export function statusSlices(dashboard: Dashboard): ChartSlice[] {
  return dashboard.by_status
    .filter((entry) => entry.count > 0)
    .map((entry) => ({
      label: assetStatusLabels[entry.status],
      value: entry.count,
      color: assetStatusColors[entry.status],
    }));
}

/**
 * Categories, largest first as the server sends them; past `limit` the rest are summed into
 * "Other categories" so the chart stays readable.
 */
export function categorySlices(dashboard: Dashboard, limit = 8): ChartSlice[] {
  const named = dashboard.by_category.map((entry, index) => ({
    label: entry.category?.name ?? 'No category',
    value: entry.count,
    color: entry.category ? (categoryPalette[index % categoryPalette.length] ?? uncategorizedColor) : uncategorizedColor,
  }));
  if (named.length <= limit) return named;
  const shown = named.slice(0, limit - 1);
  const rest = named.slice(limit - 1).reduce((sum, slice) => sum + slice.value, 0);
  return [...shown, { label: 'Other categories', value: rest, color: uncategorizedColor }];
}

/** "12%" of the total, or an empty string for an empty inventory. */
export function share(part: number, total: number): string {
  return total > 0 ? `${Math.round((part / total) * 100)}%` : '';
}
