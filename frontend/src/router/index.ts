import { createRouter, createWebHistory, type Router } from 'vue-router';
import { ApiError } from '@/api/errors';
import { assetRoutes } from '@/modules/assets/routes';
import { auditRoutes } from '@/modules/audit/routes';
import { authRoutes } from '@/modules/auth/routes';
import { useAuthStore } from '@/modules/auth/store';
import { catalogRoutes } from '@/modules/catalog/routes';
import { dashboardRoutes } from '@/modules/dashboard/routes';
import { employeeRoutes } from '@/modules/employees/routes';
import { integrationRoutes } from '@/modules/integrations/routes';
import { settingsRoutes } from '@/modules/settings/routes';
import { workflowRoutes } from '@/modules/workflows/routes';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable signed out (and shown without the app shell). */
    public?: boolean;
    /** The document title. */
    title?: string;
  }
}

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes: [
      { path: '/', redirect: { name: 'dashboard' } },
      ...authRoutes,
      ...dashboardRoutes,
      ...assetRoutes,
      ...employeeRoutes,
      ...workflowRoutes,
      ...catalogRoutes,
      ...integrationRoutes,
      ...auditRoutes,
      ...settingsRoutes,
      {
        path: '/:pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./NotFoundView.vue'),
        meta: { title: 'Not found' },
      },
    ],
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });

  router.beforeEach(async (to) => {
    const auth = useAuthStore();
    if (to.meta.public) return auth.isAuthenticated ? { name: 'dashboard' } : true;
    if (!auth.isAuthenticated) return { name: 'login', query: { redirect: to.fullPath } };
    if (auth.user === null) {
      try {
        await auth.loadMe();
      } catch (error) {
        // A 401 here already ended the session (the refresh failed). Any other failure
        // (backend down) lets the screen show its own error state.
        if (ApiError.from(error).status === 401 || !auth.isAuthenticated) {
          return { name: 'login', query: { redirect: to.fullPath } };
        }
      }
    }
    return true;
  });

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Assetronics` : 'Assetronics';
  });

  return router;
}
