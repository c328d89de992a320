/**
 * STAND-INS, run as a separate Node process on 127.0.0.1 only (started and stopped by
 * ./local-aws.ts; `jose` and the IAM engine are real libraries, the servers are ours):
 *
 * - the EKS cluster OIDC issuer(s): discovery document and JWKS at the issuer's path, in the
 *   shape EKS publishes them; RS256 signing keys made with jose;
 * - the Kubernetes API server's token signer (what the kubelet mounts into the pod): POST
 *   /__control/token mints a projected service account token (iss, sub, aud as a list, exp, iat,
 *   nbf, the kubernetes.io claim), optionally with a foreign key or already expired;
 * - AWS STS AssumeRoleWithWebIdentity (AWS query protocol, XML responses and error codes like the
 *   real service), which does what STS documents: finds the IAM OIDC provider registered for the
 *   token's `iss`, fetches discovery and JWKS from the issuer (over HTTP: the https issuer URLs of
 *   the template are mapped to this server, standing in for DNS and TLS), verifies signature and
 *   expiry with jose, checks `aud` against the provider's client IDs, then evaluates the role's
 *   trust policy with the independent engine (./iam-engine-core.cjs), principal = the provider ARN,
 *   context `<issuer>:sub` and `<issuer>:aud`.
 *
 * Input (argv[2], JSON): { account, providers: [{ arn, url, clientIds }], roles: [{ arn, trustPolicy,
 * maxSessionDuration }], issuers: [url] }. Prints one line `{"ready":{"port":N}}` when listening.
 * Exits when its parent goes away (stdin closes) or after `maxLifetimeSeconds` (default 300).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import { createLocalJWKSet, decodeJwt, errors, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';

const requireCommonJs = createRequire(import.meta.url);
const { loadTrustPolicy, evaluateTrust } = requireCommonJs('./iam-engine-core.cjs');

const config = JSON.parse(process.argv[2]);
const maxLifetime = setTimeout(() => process.exit(3), (config.maxLifetimeSeconds ?? 300) * 1000);
maxLifetime.unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

/* ------------------------------------------ issuers ------------------------------------------ */

const issuers = new Map();
for (const url of config.issuers) {
  const keys = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  issuers.set(url, { kid, keys, jwk: { ...(await exportJWK(keys.publicKey)), kid, alg: 'RS256', use: 'sig' } });
}
const foreignKeys = await generateKeyPair('RS256');
let port = 0;
const stats = { issuerFetches: 0 };

/** The local URL for an https issuer URL (or a URL below it): the DNS + TLS stand-in. */
function localUrl(url) {
  const issuer = [...issuers.keys()].find((i) => url === i || url.startsWith(`${i}/`));
  return issuer ? `http://127.0.0.1:${port}/${url.slice('https://'.length)}` : undefined;
}

function serveIssuer(path, res) {
  for (const [url, issuer] of issuers) {
    const base = `/${url.slice('https://'.length)}`;
    if (path === `${base}/.well-known/openid-configuration`) {
      stats.issuerFetches++;
      return sendJson(res, 200, {
        issuer: url,
        jwks_uri: `${url}/keys`,
        authorization_endpoint: 'urn:kubernetes:programmatic_authorization',
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        claims_supported: ['sub', 'iss'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (path === `${base}/keys`) {
      stats.issuerFetches++;
      return sendJson(res, 200, { keys: [issuer.jwk] });
    }
  }
  return false;
}

/** A projected service account token as the API server issues it for a pod. */
async function mintToken({ issuer: url, namespace, serviceAccount, audience, expiresIn, foreignKey, podName }) {
  const issuer = issuers.get(url);
  if (!issuer) {
    throw new Error(`unknown issuer ${url}`);
  }
  const now = Math.floor(Date.now() / 1000);
  const issuedAt = Math.min(now, now + expiresIn - 600);
  return new SignJWT({
    'aud': [audience],
    'kubernetes.io': {
      namespace,
      pod: { name: podName ?? `${serviceAccount}-7d9c5b8f4-x2k9p`, uid: randomUUID() },
      serviceaccount: { name: serviceAccount, uid: randomUUID() },
    },
  })
    .setProtectedHeader({ alg: 'RS256', kid: issuer.kid })
    .setIssuer(url)
    .setSubject(`system:serviceaccount:${namespace}:${serviceAccount}`)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(now + expiresIn)
    .sign(foreignKey ? foreignKeys.privateKey : issuer.keys.privateKey);
}

/* -------------------------------------------- STS -------------------------------------------- */

const roles = new Map(config.roles.map((r) => [r.arn, { ...r, policy: loadTrustPolicy(r.trustPolicy) }]));
const sessions = [];

class StsError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

async function fetchJson(url) {
  const local = localUrl(url);
  if (!local) {
    throw new StsError(400, 'IDPCommunicationError', `Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements`);
  }
  const response = await fetch(local);
  if (!response.ok) {
    throw new StsError(400, 'IDPCommunicationError', `Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements`);
  }
  return response.json();
}

async function assumeRoleWithWebIdentity(params) {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  const token = params.get('WebIdentityToken');
  if (!roleArn || !sessionName || !token) {
    throw new StsError(400, 'MissingParameter', 'RoleArn, RoleSessionName and WebIdentityToken are required');
  }
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw new StsError(400, 'ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`);
  }

  let claims;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new StsError(400, 'InvalidIdentityToken', 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)');
  }
  const provider = config.providers.find((p) => p.url === claims.iss);
  if (!provider) {
    throw new StsError(400, 'InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${claims.iss}`);
  }
  const discovery = await fetchJson(`${claims.iss}/.well-known/openid-configuration`);
  if (discovery.issuer !== claims.iss) {
    throw new StsError(400, 'InvalidIdentityToken', 'Issuer in the discovery document does not match the token');
  }
  const jwks = await fetchJson(discovery.jwks_uri);
  let payload;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: provider.url, algorithms: ['RS256'], clockTolerance: 0 }));
  } catch (e) {
    if (e instanceof errors.JWTExpired) {
      throw new StsError(400, 'ExpiredTokenException', `Token expired: current date/time ${new Date().toISOString()} must be before the expiration date/time ${new Date(claims.exp * 1000).toISOString()}`);
    }
    throw new StsError(400, 'InvalidIdentityToken', `Couldn't verify the token's signature with the provider's keys (${e.code ?? e.name})`);
  }
  const audiences = [payload.aud].flat().filter((a) => typeof a === 'string');
  const audience = audiences.find((a) => provider.clientIds.includes(a));
  if (audience === undefined) {
    throw new StsError(400, 'InvalidIdentityToken', 'Incorrect token audience');
  }

  const role = roles.get(roleArn);
  const issuerKey = provider.url.slice('https://'.length);
  const decision = role ? evaluateTrust(role.policy, {
    principal: provider.arn,
    action: 'sts:AssumeRoleWithWebIdentity',
    roleArn,
    context: { [`${issuerKey}:sub`]: payload.sub, [`${issuerKey}:aud`]: audience },
  }) : 'ImplicitlyDenied';
  if (decision !== 'Allowed') {
    throw new StsError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  }

  const duration = Number(params.get('DurationSeconds') ?? 3600);
  if (!Number.isInteger(duration) || duration < 900 || duration > (role.maxSessionDuration ?? 3600)) {
    throw new StsError(400, 'ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
  }
  const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  const roleId = `AROA${randomBytes(8).toString('hex').toUpperCase()}`;
  const account = /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)[1];
  const expiration = new Date(Date.now() + duration * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  sessions.push({ accessKeyId, roleArn, sub: payload.sub, aud: audience, issuer: provider.url, sessionName });
  return `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>${xml(payload.sub)}</SubjectFromWebIdentityToken>
    <Audience>${xml(audience)}</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account}:assumed-role/${xml(roleName)}/${xml(sessionName)}</Arn>
      <AssumedRoleId>${roleId}:${xml(sessionName)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${randomBytes(48).toString('base64')}</SessionToken>
      <SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>
      <Expiration>${expiration}</Expiration>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
    </Credentials>
    <Provider>${xml(provider.url.slice('https://'.length))}</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`;
}

async function serveSts(req, res) {
  const body = await readBody(req);
  const params = new URLSearchParams(body);
  try {
    if (params.get('Action') !== 'AssumeRoleWithWebIdentity' || params.get('Version') !== '2011-06-15') {
      throw new StsError(400, 'InvalidAction', `Could not find operation ${params.get('Action')} for version ${params.get('Version')}`);
    }
    const xmlBody = await assumeRoleWithWebIdentity(params);
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() }).end(xmlBody);
  } catch (e) {
    const err = e instanceof StsError ? e : new StsError(500, 'InternalFailure', String(e?.stack ?? e));
    sessions.push({ error: err.code, message: err.message });
    const requestId = randomUUID();
    res.writeHead(err.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>${err.status >= 500 ? 'Receiver' : 'Sender'}</Type>
    <Code>${xml(err.code)}</Code>
    <Message>${xml(err.message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>`);
  }
}

/* ------------------------------------------- server ------------------------------------------- */

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return true;
}

const server = http.createServer(async (req, res) => {
  try {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET' && serveIssuer(path, res)) {
      return;
    }
    if (req.method === 'POST' && path === '/__control/token') {
      return sendJson(res, 200, { token: await mintToken(JSON.parse(await readBody(req))) });
    }
    if (req.method === 'GET' && path === '/__control/log') {
      return sendJson(res, 200, { sessions, ...stats });
    }
    if (req.method === 'POST' && path === '/') {
      return await serveSts(req, res);
    }
    res.writeHead(404).end();
  } catch (e) {
    sendJson(res, 500, { error: String(e?.stack ?? e) });
  }
});
server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  process.stdout.write(`${JSON.stringify({ ready: { port } })}\n`);
});
