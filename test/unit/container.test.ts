import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { Store } from '../../shared/platform/ports/index.js';
import { ConfigError, composeContainer, configFromEnv, createContainer, type Config } from '../../shared/runtime/index.js';
import { customersOf } from '../../shared/runtime/services/customers.js';
import { requestsOf } from '../../shared/runtime/services/requests.js';
import { selfOf } from '../../shared/runtime/services/self.js';
import { createWiring } from '../../shared/runtime/wiring.js';

/** Nothing is read or written while a container is built: a store that refuses every call proves it. */
const untouchable = new Proxy({} as Store, {
  get: (_, name) => () => Promise.reject(new Error(`store.${String(name)} called while building`)),
});

const config = (env: Record<string, string> = {}): Config => configFromEnv({ KEY_PROVIDER: 'local', LOCAL_KEY_FILE: '/nonexistent/master.key', ...env });
const overrides = () => ({ store: untouchable, keyService: new LocalKeyService(randomBytes(32)) });

/** Each Lambda builds only the services its routes call; the local runtime builds them all. */
describe('containers', () => {
  it('holds the foundation and only the services a function names', () => {
    const container = composeContainer(config(), overrides(), (w) => ({ customers: customersOf(w) }));
    expect(Object.keys(container).sort()).toEqual(['audit', 'config', 'customers', 'downloads', 'keys', 'store']);
  });

  it('builds each service once per container, shared by the services that use it', () => {
    const wiring = createWiring(config(), overrides());
    const customers = customersOf(wiring);
    requestsOf(wiring);
    expect(customersOf(wiring)).toBe(customers);
    expect(customersOf(createWiring(config(), overrides()))).not.toBe(customers);
  });

  it('checks an AWS adapter only in the functions whose services use it', () => {
    // NOTIFY_FROM_ADDRESS without the SES and SNS adapter: only the self-service function sends codes.
    const unwired = config({ NOTIFY_FROM_ADDRESS: 'no-reply@example.com' });
    expect(() => composeContainer(unwired, overrides(), (w) => ({ customers: customersOf(w), requests: requestsOf(w) }))).not.toThrow();
    expect(() => composeContainer(unwired, overrides(), (w) => ({ self: selfOf(w) }))).toThrow(ConfigError);
    expect(() => createContainer(unwired, overrides())).toThrow(ConfigError);
  });

  it('gives the full container every service', () => {
    const container = createContainer(config(), overrides());
    expect(Object.keys(container).sort()).toEqual(
      ['audit', 'complaintAnnouncer', 'complaintDeadlines', 'complaintPolicies', 'complaintReports', 'complaints', 'config', 'consent', 'customers', 'downloads', 'erasure', 'improvements', 'erasures', 'exports', 'interactions', 'keys', 'requests', 'retention', 'riskFlags', 'self', 'sharing', 'store', 'subjects', 'surveyDispatches', 'surveyResponses', 'surveyResults', 'surveys', 'incidents', 'incidentScopes', 'incidentNotifications', 'incidentReports', 'incidentDeadlines', 'accessDetector', 'securityFindings'].sort(),
    );
  });
});
