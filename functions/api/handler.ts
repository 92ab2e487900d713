import { httpHandler, json } from '@intent/http';
import { accountRoutes } from './accounts';
import { audienceRoutes } from './audiences';
import { calibrationRoutes } from './calibration';
import { claimRoutes } from './claims';
import { configRoutes } from './config';
import { configHistoryRoutes } from './config-history';
import { configs, logger } from './deps';
import { destinationRoutes } from './destinations';
import { feedbackRoutes } from './feedback';
import { icpRoutes } from './icp';
import { ingestionRoutes } from './ingestion';
import { ipRangeRoutes } from './ip-ranges';
import { jobRoutes } from './jobs';
import { keyRoutes } from './keys';
import { metricsRoutes } from './metrics';
import { visitorRoutes } from './visitors';

export const handler = httpHandler(logger, {
  // Ready means the table answers: the collector and the consumers need nothing else.
  'GET /v1/health': async () => {
    configs.invalidate();
    await configs.get();
    return json(200, { status: 'ok' });
  },
  ...keyRoutes,
  ...configRoutes,
  ...configHistoryRoutes,
  ...accountRoutes,
  ...ipRangeRoutes,
  ...ingestionRoutes,
  ...claimRoutes,
  ...feedbackRoutes,
  ...metricsRoutes,
  ...calibrationRoutes,
  ...icpRoutes,
  ...audienceRoutes,
  ...visitorRoutes,
  ...jobRoutes,
  ...destinationRoutes,
});
