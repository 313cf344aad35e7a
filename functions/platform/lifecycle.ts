import { app } from '@azure/functions';
import { closeServices } from '../../shared/platform/services.js';

// Close Redis and Cosmos connections when the host stops the app, so it exits promptly.
app.hook.appTerminate(async () => {
  await closeServices();
});
