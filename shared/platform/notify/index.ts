export { AwsNotifier, OutboxNotifier } from './notifiers.js';
