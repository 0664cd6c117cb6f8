import { awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { incidentNotificationsOf, incidentReportsOf, incidentScopesOf, incidentsOf } from '../../shared/runtime/services/incidents.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createIncidentsHandler } from './handler.js';

/** Lambda entry point of the incidents context: its notification service holds the notifier (and the drill sink). */
export const handler = await lambdaHttpEntry(
  'incidents',
  (w) => ({ incidents: incidentsOf(w), incidentScopes: incidentScopesOf(w), incidentNotifications: incidentNotificationsOf(w), incidentReports: incidentReportsOf(w) }),
  createIncidentsHandler,
  (config, instrument) => awsNotifier(config, instrument),
);
