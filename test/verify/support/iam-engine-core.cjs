'use strict';
/**
 * The independent IAM engine: @cloud-copilot/iam-simulate's core `authorize()` (AGPL-3.0,
 * devDependency only, pinned exactly), in mode Strict. Plain CommonJS so that both the jest tests
 * (through iam-engine.ts) and the local STS stand-in (local-aws-server.mjs, a separate Node process) use
 * this one file.
 *
 * Why the core engine and not `runSimulation()`: the public entry point drops context keys it does
 * not know, which includes every `<issuer>:sub` / `<issuer>:aud` key of EKS, so every web identity
 * request would come out denied. The core engine takes the request context as given. The package's
 * `exports` map only exposes its index, so its files are loaded by path.
 */
const path = require('path');
const { loadPolicy } = require('@cloud-copilot/iam-policy');

const base = path.dirname(require.resolve('@cloud-copilot/iam-simulate'));
const { authorize } = require(path.join(base, 'core_engine', 'CoreSimulatorEngine.js'));
const { AwsRequestImpl } = require(path.join(base, 'request', 'request.js'));
const { RequestContextImpl } = require(path.join(base, 'requestContext.js'));
const { DiscoveryContextKeyConstraints } = require(path.join(base, 'context_keys', 'discoveryContextKeyConstraints.js'));

/** Loads a policy document once, for many evaluations. */
function loadTrustPolicy(document) {
  return loadPolicy(document, { name: 'TrustPolicy' });
}

/**
 * Evaluates a request against a role's trust policy (a resource policy of the role): returns
 * 'Allowed', 'ImplicitlyDenied' or 'ExplicitlyDenied'.
 */
function evaluateTrust(loadedPolicy, request) {
  const account = /^arn:[^:]+:iam::(\d{12}):/.exec(request.roleArn)?.[1] ?? '123456789012';
  const analysis = authorize({
    request: new AwsRequestImpl(request.principal, { resource: request.roleArn, accountId: account }, request.action,
      new RequestContextImpl(request.context), false),
    sessionPolicy: undefined,
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadedPolicy,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
  });
  return analysis.result;
}

module.exports = { loadTrustPolicy, evaluateTrust };
