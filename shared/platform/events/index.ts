export { EventBridgePublisher, FileEventPublisher } from './publishers.js';
