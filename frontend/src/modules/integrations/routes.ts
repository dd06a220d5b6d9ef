import type { RouteRecordRaw } from 'vue-router';

export const integrationRoutes: RouteRecordRaw[] = [
  {
    path: '/integrations',
    name: 'integrations',
    component: () => import('./views/IntegrationListView.vue'),
    meta: { title: 'Integrations' },
  },
  {
    path: '/integrations/new',
    name: 'integration-new',
    component: () => import('./views/IntegrationCreateView.vue'),
    props: (route) => ({ provider: typeof route.query.provider === 'string' ? route.query.provider : null }),
    meta: { title: 'Connect a system' },
  },
  {
    path: '/integrations/:id',
    name: 'integration',
    component: () => import('./views/IntegrationDetailView.vue'),
    props: true,
    meta: { title: 'Integration' },
  },
];
