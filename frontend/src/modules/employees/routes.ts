import type { RouteRecordRaw } from 'vue-router';

export const employeeRoutes: RouteRecordRaw[] = [
  {
    path: '/employees',
    name: 'employees',
    component: () => import('./views/EmployeeListView.vue'),
    meta: { title: 'Employees' },
  },
  {
    path: '/employees/new',
    name: 'employee-new',
    component: () => import('./views/EmployeeCreateView.vue'),
    meta: { title: 'New employee' },
  },
  {
    path: '/employees/:id/edit',
    name: 'employee-edit',
    component: () => import('./views/EmployeeEditView.vue'),
    props: true,
    meta: { title: 'Edit employee' },
  },
  {
    path: '/employees/:id',
    name: 'employee',
    component: () => import('./views/EmployeeDetailView.vue'),
    props: true,
    meta: { title: 'Employee' },
  },
];
