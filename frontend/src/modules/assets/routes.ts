import type { RouteRecordRaw } from 'vue-router';

export const assetRoutes: RouteRecordRaw[] = [
  {
    path: '/assets',
    name: 'assets',
    component: () => import('./views/AssetListView.vue'),
    meta: { title: 'Assets' },
  },
  {
    path: '/assets/new',
    name: 'asset-new',
    component: () => import('./views/AssetCreateView.vue'),
    meta: { title: 'New asset' },
  },
  {
    path: '/assets/:id',
    name: 'asset',
    component: () => import('./views/AssetDetailView.vue'),
    props: true,
    meta: { title: 'Asset' },
  },
];
