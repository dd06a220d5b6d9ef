import type { RouteLocationRaw } from 'vue-router';
import type { Action } from '@/modules/auth/permissions';

/** One entry of the main menu. */
export interface NavEntry {
  to: RouteLocationRaw;
  label: string;
  /** A PrimeIcons class, e.g. `pi pi-box`. */
  icon: string;
  /** What the signed-in role must be allowed to do to see the entry; none: every role. */
  requires?: Action;
  /** A count shown beside the label (e.g. approvals waiting), by the shell. */
  badge?: NavBadge;
}

/** The counts the menu can show beside an entry. */
export type NavBadge = 'approvals' | 'discrepancies';

/** What each count counts, read after it by screen readers ("2 waiting"). */
export const navBadgeNouns: Readonly<Record<NavBadge, string>> = {
  approvals: 'waiting',
  discrepancies: 'open',
};

/**
 * The main menu, in order. A feature adds its screen here with the permission its list
 * needs; the shell shows the entries the signed-in role may use. The server still refuses
 * what a role cannot do.
 */
export const mainNavigation: readonly NavEntry[] = [
  { to: { name: 'dashboard' }, label: 'Dashboard', icon: 'pi pi-chart-pie' },
  { to: { name: 'assets' }, label: 'Assets', icon: 'pi pi-box' },
  {
    to: { name: 'discrepancies' },
    label: 'Discrepancies',
    icon: 'pi pi-exclamation-triangle',
    requires: 'assets.write',
    badge: 'discrepancies',
  },
  { to: { name: 'employees' }, label: 'Employees', icon: 'pi pi-users', requires: 'people.read' },
  { to: { name: 'workflows' }, label: 'Workflows', icon: 'pi pi-list-check', requires: 'workflows.read' },
  {
    to: { name: 'approvals' },
    label: 'Approvals',
    icon: 'pi pi-inbox',
    requires: 'workflows.approve',
    badge: 'approvals',
  },
  { to: { name: 'catalog' }, label: 'Catalog', icon: 'pi pi-tags' },
  { to: { name: 'integrations' }, label: 'Integrations', icon: 'pi pi-sync', requires: 'integrations.read' },
  { to: { name: 'audit' }, label: 'Audit log', icon: 'pi pi-history', requires: 'audit.read' },
  { to: { name: 'settings' }, label: 'Settings', icon: 'pi pi-cog' },
];

/** The entries `can` allows. */
export function visibleNavigation(
  can: (action: Action) => boolean,
  entries: readonly NavEntry[] = mainNavigation,
): NavEntry[] {
  return entries.filter((entry) => entry.requires === undefined || can(entry.requires));
}
