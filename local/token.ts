import { parseArgs } from 'node:util';
import { isRole, roles, type Role } from '../shared/platform/access/index.js';
import { tokenSecretPath } from './app.js';
import { localDataDir } from './data-dir.js';
import { existingTokenSecret, signToken } from './tokens.js';

/**
 * `npm run token -- --role agent [--sub alice] [--ttl 3600]`: a token the local API
 * accepts, signed with the secret of the server that uses the same `DATA_DIR`.
 */
const { values } = parseArgs({
  options: { role: { type: 'string', multiple: true }, sub: { type: 'string' }, ttl: { type: 'string' } },
});
const wanted = values.role ?? [];
const bad = wanted.filter((r) => !isRole(r));
if (!wanted.length || bad.length) {
  console.error(`Usage: npm run token -- --role <${roles.join('|')}> [--role ...] [--sub <user id>] [--ttl <seconds>]`);
  process.exit(2);
}
const ttlSeconds = values.ttl ? Number(values.ttl) : undefined;
if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) {
  console.error('--ttl must be a positive number of seconds');
  process.exit(2);
}
const dataDir = localDataDir();
const secretPath = tokenSecretPath(dataDir);
// Never create a secret here: a token signed with one no server uses is only ever refused.
const secret = existingTokenSecret(secretPath);
if (!secret) {
  console.error(
    `No local token secret at ${secretPath}: no API has started with DATA_DIR=${dataDir}. ` +
      'Start it first (npm start), or run this with the DATA_DIR the API uses.',
  );
  process.exit(1);
}
console.log(await signToken(secret, { sub: values.sub ?? `local-${wanted[0]}`, roles: wanted as Role[], ...(ttlSeconds ? { ttlSeconds } : {}) }));
