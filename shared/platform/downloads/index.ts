export { FolderDownloadStore } from './folder-download-store.js';
// The S3 store is imported from its own module by the functions that use it (aws-adapters.ts).
