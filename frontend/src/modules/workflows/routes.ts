import type { RouteRecordRaw } from 'vue-router';

export const workflowRoutes: RouteRecordRaw[] = [
  {
    path: '/workflows',
    name: 'workflows',
    component: () => import('./views/WorkflowListView.vue'),
    meta: { title: 'Workflows' },
  },
  {
    path: '/workflows/templates',
    name: 'workflow-templates',
    component: () => import('./views/TemplatesView.vue'),
    meta: { title: 'Workflow templates' },
  },
  {
    path: '/workflows/:id',
    name: 'workflow',
    component: () => import('./views/WorkflowDetailView.vue'),
    props: true,
    meta: { title: 'Workflow' },
  },
  {
    path: '/approvals',
    name: 'approvals',
    component: () => import('./views/ApprovalsView.vue'),
    meta: { title: 'Approvals' },
  },
];
