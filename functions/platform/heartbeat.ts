import { app } from '@azure/functions';
import { recordHeartbeat } from '../../shared/platform/heartbeat.js';
import { getServices } from '../../shared/platform/services.js';
import { registrationSetting } from '../../shared/platform/settings.js';

/** Each instance says it is alive; /api/health lists the hosts heard from recently. */
app.timer('heartbeat', {
  schedule: registrationSetting('ARBOR_HEARTBEAT_SCHEDULE'),
  handler: async (timer, context) => {
    if (timer.isPastDue) context.warn('heartbeat is running late');
    await recordHeartbeat(getServices(), new Date());
  },
});
