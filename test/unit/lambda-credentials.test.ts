import { afterEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../infra/lambda/credentials.js';

/** The function bundles' stand-in for the SDK's default credential chain: Lambda's environment variables. */
describe('Lambda credentials', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  const set = (values: Record<string, string | undefined>) => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_CREDENTIAL_SCOPE', 'AWS_ACCOUNT_ID']) delete process.env[name];
    Object.assign(process.env, values);
  };

  it('answers the execution role credentials Lambda puts in the environment', async () => {
    set({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_CREDENTIAL_EXPIRATION: '2030-01-01T00:00:00Z' });
    expect(await defaultProvider()()).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date('2030-01-01T00:00:00Z'),
    });
  });

  it('reads the environment when asked, not when built', async () => {
    set({});
    const provider = defaultProvider();
    set({ AWS_ACCESS_KEY_ID: 'AKIDLATER', AWS_SECRET_ACCESS_KEY: 'later' });
    expect(await provider()).toEqual({ accessKeyId: 'AKIDLATER', secretAccessKey: 'later' });
  });

  it('refuses without a key id and secret', async () => {
    set({ AWS_ACCESS_KEY_ID: 'AKIDONLY' });
    await expect(defaultProvider()()).rejects.toThrow('Unable to find environment variable credentials.');
  });
});
