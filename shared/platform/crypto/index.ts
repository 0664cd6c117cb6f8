export { seal, open, sealJson, openJson, SEAL_VERSION, type SealContext } from './sealing.js';
export { blindIndex, internationalPhone, normalize, normalizeEmail, normalizePhone, type BlindIndexKind } from './blind-index.js';
export { KeyCache, defaultKeyCacheOptions, type KeyCacheOptions } from './key-cache.js';
export { DataKeyRing } from './data-keys.js';
export { SealError } from './errors.js';
