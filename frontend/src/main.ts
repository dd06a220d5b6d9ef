import 'primeicons/primeicons.css';
import './styles.css';
import { createAssetronicsApp } from './app';

const { app, router } = createAssetronicsApp();

// The first route decides between the signed-out pages and the app shell: wait for it.
void router.isReady().then(() => app.mount('#app'));
