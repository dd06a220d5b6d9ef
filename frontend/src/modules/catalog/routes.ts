import type { RouteRecordRaw } from 'vue-router';

export const catalogRoutes: RouteRecordRaw[] = [
  {
    path: '/catalog/:kind(categories|models|locations|departments)?',
    name: 'catalog',
    component: () => import('./views/CatalogView.vue'),
    props: (route) => ({ kind: route.params.kind || 'categories' }),
    meta: { title: 'Catalog' },
  },
];
