import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { IrsaRole } from '../irsa-role';
import { ServiceAccountSubject } from '../service-account-subject';
import { fail, validateAtSynth } from './errors';
import { checkPinsNotVoided, PodIdentityPin, podIdentityPinsIn, podIdentityStatements, validatePin } from './pod-identity-trust';
import { checkProviderAccount, webIdentityStatements } from './trust-policy';

/**
 * Adds a service account's trust to a role, whatever kind of role it is: an `IrsaRole` renders
 * it itself; a plain `iam.Role` of this app gets statements; an imported role cannot be changed,
 * so the statement it needs is shown in a warning.
 */
export function trustWebIdentity(
  scope: IConstruct, role: iam.IRole, provider: iam.IOpenIdConnectProvider, subject: ServiceAccountSubject, audience: string,
): void {
  if (role instanceof IrsaRole) {
    role.addTrust(provider, [subject], { audience });
    return;
  }
  checkProviderAccount(role, provider);
  const statements = webIdentityStatements([{ provider, audience, subjects: [subject] }]);
  if (role instanceof iam.Role && role.assumeRolePolicy) {
    if (Token.isUnresolved(provider.openIdConnectProviderIssuer)) {
      fail(`the role ${role.node.path} is a plain iam.Role, and the cluster's issuer is known only at deploy: a condition key holding it cannot be `
        + 'written into its trust policy without a Lambda-backed CfnJson. Make the role an IrsaRole (it takes the same options).', scope);
    }
    role.assumeRolePolicy.addStatements(iam.PolicyStatement.fromJson(statements[0]));
    return;
  }
  warnImported(scope, role, statements);
}

/** Adds Pod Identity trust to a role, as `trustWebIdentity` does for IRSA. */
export function trustPodIdentity(scope: IConstruct, role: iam.IRole, pin: PodIdentityPin): void {
  if (role instanceof IrsaRole) {
    role.addPodIdentityTrust(pin);
    return;
  }
  const statements = podIdentityStatements([pin]);
  if (role instanceof iam.Role && role.assumeRolePolicy) {
    validatePin(role, pin);
    checkPinsNotVoided(role, [...podIdentityPinsIn(resolvedStatements(role)), pin], PLAIN_ROLE_OPT_IN);
    if (!pinsChecked.has(role)) {
      // Statements added to the role later could void the pins too: checked again at synth.
      pinsChecked.add(role);
      validateAtSynth(role, () => pinsNotVoided(role));
    }
    role.assumeRolePolicy.addStatements(iam.PolicyStatement.fromJson(statements[0]));
    return;
  }
  warnImported(scope, role, statements);
}

function warnImported(scope: IConstruct, role: iam.IRole, statements: any[]): void {
  const rendered = JSON.stringify(Stack.of(scope).resolve(statements));
  Annotations.of(scope).addWarningV2('cdk-irsa:importedRoleTrust',
    `The role ${role.node.path} is imported, so cdk-irsa cannot add this service account to its trust policy. `
    + `Add this statement where the role is defined, or pods will be refused: ${rendered}`);
}

const PLAIN_ROLE_OPT_IN = 'write its trust statement yourself (or make it an IrsaRole with allowUnpinnedPodIdentity: true)';

/** Plain roles whose Pod Identity pins are checked again at synth. */
const pinsChecked = new WeakSet<iam.Role>();

/** The statements of a role's trust policy, resolved (a service principal is a token until then). */
function resolvedStatements(role: iam.Role): any[] {
  return Stack.of(role).resolve(role.assumeRolePolicy?.toJSON())?.Statement ?? [];
}

/** The synth-time check of a plain role's Pod Identity pins, with every statement added by then (it throws, as at construction). */
function pinsNotVoided(role: iam.Role): string[] {
  checkPinsNotVoided(role, podIdentityPinsIn(resolvedStatements(role)), PLAIN_ROLE_OPT_IN);
  return [];
}
