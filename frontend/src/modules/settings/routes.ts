import type { RouteRecordRaw } from 'vue-router';

export const settingsRoutes: RouteRecordRaw[] = [
  {
    path: '/settings',
    component: () => import('./views/SettingsView.vue'),
    children: [
      { path: '', name: 'settings', redirect: { name: 'settings-organization' } },
      {
        path: 'organization',
        name: 'settings-organization',
        component: () => import('./views/OrganizationSettings.vue'),
        meta: { title: 'Organization settings' },
      },
      {
        path: 'users',
        name: 'settings-users',
        component: () => import('./views/UsersSettings.vue'),
        meta: { title: 'Users & roles' },
      },
      {
        path: 'api-tokens',
        name: 'settings-tokens',
        component: () => import('./views/ApiTokensSettings.vue'),
        meta: { title: 'API tokens' },
      },
    ],
  },
];
