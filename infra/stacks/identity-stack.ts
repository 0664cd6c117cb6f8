import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { roles } from '../../shared/platform/access/index.js';
import type { DeploymentConfig } from '../config.js';

export interface IdentityStackProps extends StackProps {
  config: DeploymentConfig;
}

const roleDescriptions: Record<(typeof roles)[number], string> = {
  admin: 'Administers Kehu and its records',
  dpo: 'Data-protection officer: rights requests, retention, breaches',
  agent: 'Customer service staff',
  marketer: 'Marketing: consented customers, no contact details here',
  analyst: 'Analysis: classification only, no personal fields',
  auditor: 'Read-only on the audit trail and change history',
};

/**
 * Staff sign-in (SEC-1): a Cognito user pool with MFA required, a strong password
 * policy and threat protection enforced; one group per role; an app client for web
 * clients. Administrators create users; there is no self sign-up.
 */
export class IdentityStack extends Stack {
  readonly userPool: cognito.UserPool;
  readonly webClient: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.userPool = new cognito.UserPool(this, 'Staff', {
      userPoolName: `kehu-${config.stage}-staff`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: config.removalPolicy === 'retain',
      removalPolicy: config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    for (const role of roles) {
      new cognito.UserPoolGroup(this, `Group-${role}`, { userPool: this.userPool, groupName: role, description: roleDescriptions[role] });
    }
    this.webClient = this.userPool.addClient('WebClient', {
      userPoolClientName: `kehu-${config.stage}-web`,
      generateSecret: false,
      // SRP for web clients; admin password auth lets an operator complete a first
      // sign-in (new password, TOTP set-up) with the AWS CLI and IAM credentials.
      authFlows: { userSrp: true, adminUserPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: 'Staff user pool: create users and add them to role groups here' });
    new CfnOutput(this, 'WebClientId', { value: this.webClient.userPoolClientId, description: 'App client id for web clients' });
  }
}
