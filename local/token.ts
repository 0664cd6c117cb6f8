import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isRole, roles, type Role } from '../shared/access/index.js';
import { tokenSecretPath } from './app.js';
import { loadTokenSecret, signToken } from './tokens.js';

/** `npm run token -- --role agent [--sub alice] [--ttl 3600]`: a token the local API accepts. */
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
const secret = loadTokenSecret(tokenSecretPath(resolve(process.env.DATA_DIR || '.data')));
console.log(await signToken(secret, { sub: values.sub ?? `local-${wanted[0]}`, roles: wanted as Role[], ...(ttlSeconds ? { ttlSeconds } : {}) }));
