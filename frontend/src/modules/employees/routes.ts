import type { RouteRecordRaw } from 'vue-router';

export const employeeRoutes: RouteRecordRaw[] = [
  {
    path: '/employees',
    name: 'employees',
    component: () => import('./views/EmployeeListView.vue'),
    meta: { title: 'Employees' },
  },
  {
    path: '/employees/:id',
    name: 'employee',
    component: () => import('./views/EmployeeDetailView.vue'),
    props: true,
    meta: { title: 'Employee' },
  },
];
