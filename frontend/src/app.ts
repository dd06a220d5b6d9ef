import Aura from '@primeuix/themes/aura';
import { createPinia } from 'pinia';
import PrimeVue from 'primevue/config';
import ConfirmationService from 'primevue/confirmationservice';
import ToastService from 'primevue/toastservice';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppRouter } from './router';
import { storeRegistry } from './stores/reset';

/** Builds the whole SPA (stores, UI kit, router) without mounting it. */
export function createAssetronicsApp() {
  const app = createApp(App);

  const pinia = createPinia();
  pinia.use(storeRegistry);
  app.use(pinia);

  app.use(PrimeVue, {
    theme: {
      preset: Aura,
      options: { darkModeSelector: '.app-dark', cssLayer: false },
    },
  });
  app.use(ToastService);
  app.use(ConfirmationService);

  const router = createAppRouter();
  app.use(router);

  return { app, pinia, router };
}
