/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI schema with `kubernetes-models`
 * (ESM-only, so it runs as its own Node process: reads a JSON array of objects on stdin, writes a
 * JSON array of `{ kind, name, errors }` on stdout). The schema checks types, not name syntax, so
 * the name rules of the API server are checked here too (written from the Kubernetes docs, not
 * imported from lib/).
 */
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

const MODELS = { 'v1/ServiceAccount': ServiceAccount, 'v1/Pod': Pod, 'v1/Namespace': Namespace };

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_PART = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const isLabel = (s) => typeof s === 'string' && s.length >= 1 && s.length <= 63 && LABEL.test(s);
const isSubdomain = (s) => typeof s === 'string' && s.length >= 1 && s.length <= 253 && s.split('.').every((p) => SUBDOMAIN_PART.test(p));

function keyErrors(key, what) {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const errors = [];
  if (prefix !== undefined && !isSubdomain(prefix)) errors.push(`${what} key ${key}: prefix is not a DNS-1123 subdomain`);
  if (name.length < 1 || name.length > 63 || !QUALIFIED_NAME.test(name)) errors.push(`${what} key ${key}: name part is not a qualified name`);
  return errors;
}

function nameErrors(object) {
  const errors = [];
  const meta = object.metadata ?? {};
  const kind = object.kind;
  if (kind === 'Namespace' ? !isLabel(meta.name) : !isSubdomain(meta.name)) {
    errors.push(`metadata.name ${JSON.stringify(meta.name)} is not a valid ${kind} name`);
  }
  if (kind !== 'Namespace' && meta.namespace !== undefined && !isLabel(meta.namespace)) {
    errors.push(`metadata.namespace ${JSON.stringify(meta.namespace)} is not a DNS-1123 label`);
  }
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    errors.push(...keyErrors(key, 'label'));
    if (typeof value !== 'string' || (value !== '' && (value.length > 63 || !QUALIFIED_NAME.test(value)))) {
      errors.push(`label ${key}: value ${JSON.stringify(value)} is not a valid label value`);
    }
  }
  for (const key of Object.keys(meta.annotations ?? {})) {
    errors.push(...keyErrors(key, 'annotation'));
  }
  if (kind === 'ServiceAccount') {
    for (const secret of object.imagePullSecrets ?? []) {
      if (!isSubdomain(secret?.name)) errors.push(`imagePullSecrets name ${JSON.stringify(secret?.name)} is not valid`);
    }
  }
  if (kind === 'Pod' && meta.name === undefined) {
    errors.push('a pod needs metadata.name');
  }
  return errors;
}

const input = JSON.parse(await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (d) => { data += d; });
  process.stdin.on('end', () => resolve(data));
}));

const results = input.map((object) => {
  const Model = MODELS[`${object?.apiVersion}/${object?.kind}`];
  const errors = [];
  if (!Model) {
    errors.push(`no model for ${object?.apiVersion}/${object?.kind}`);
  } else {
    try {
      new Model(object).validate();
    } catch (e) {
      errors.push(`schema: ${e.message}`);
    }
    errors.push(...nameErrors(object));
  }
  return { kind: object?.kind, name: object?.metadata?.name, errors };
});
process.stdout.write(JSON.stringify(results));
