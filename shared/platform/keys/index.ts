export { KmsKeyService } from './kms-key-service.js';
export { LocalKeyService } from './local-key-service.js';
