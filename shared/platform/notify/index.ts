export { AwsNotifier, LogDrillSink, maskRecipient, OutboxNotifier } from './notifiers.js';
