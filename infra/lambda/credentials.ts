interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  credentialScope?: string;
  accountId?: string;
}

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the function bundles (an esbuild
 * alias, infra/bundling.ts). Lambda hands every function its execution role's credentials
 * in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and
 * the SDK's default chain takes them from there first; the rest of that chain (profiles,
 * SSO, web identity, container and instance metadata, with their STS and SSO clients) is
 * over 100 KiB that a function never runs. Same names, same answer as the chain's
 * environment step.
 */
export const defaultProvider =
  () =>
  async (): Promise<Credentials> => {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
    if (!accessKeyId || !secretAccessKey) throw new Error('Unable to find environment variable credentials.');
    const { AWS_SESSION_TOKEN: sessionToken, AWS_CREDENTIAL_EXPIRATION: expiry, AWS_CREDENTIAL_SCOPE: credentialScope, AWS_ACCOUNT_ID: accountId } = process.env;
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiry ? { expiration: new Date(expiry) } : {}),
      ...(credentialScope ? { credentialScope } : {}),
      ...(accountId ? { accountId } : {}),
    };
  };
