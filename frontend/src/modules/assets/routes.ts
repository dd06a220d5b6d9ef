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
    path: '/assets/import',
    name: 'asset-import',
    component: () => import('./views/AssetImportView.vue'),
    meta: { title: 'Import assets' },
  },
  {
    path: '/assets/discrepancies',
    name: 'discrepancies',
    component: () => import('./views/DiscrepancyListView.vue'),
    meta: { title: 'Discrepancies' },
  },
  {
    path: '/assets/:id/edit',
    name: 'asset-edit',
    component: () => import('./views/AssetEditView.vue'),
    props: true,
    meta: { title: 'Edit asset' },
  },
  {
    path: '/assets/:id/label',
    name: 'asset-label',
    component: () => import('./views/AssetLabelView.vue'),
    props: true,
    meta: { title: 'Asset label' },
  },
  {
    path: '/assets/:id',
    name: 'asset',
    component: () => import('./views/AssetDetailView.vue'),
    props: true,
    meta: { title: 'Asset' },
  },
];
