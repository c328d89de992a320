/**
 * Plans the deployment of version 2 of an app over version 1, the way CloudFormation and
 * aws-cdk-lib's kubectl handler would run it, and reports what it does to the account and the
 * cluster.
 *
 * CloudFormation, per stack (in the assembly's deployment order):
 * - a logical ID only in version 2 is created; one only in version 1 is deleted in the cleanup
 *   phase, unless its DeletionPolicy is Retain (then it stays in the account, orphaned);
 * - a logical ID in both is replaced when its type or a create-only property changes (read from
 *   the CloudFormation registry schemas that the CDK CLI bundles, `aws-cdk/db.json.gz`): the new
 *   resource is created first, the old one deleted in the cleanup phase unless its
 *   UpdateReplacePolicy is Retain; otherwise it is updated in place;
 * - a create whose physical name is taken (a role name, a provider URL, an add-on or an
 *   association of the same cluster) fails, and the stack rolls back;
 * - stacks of version 1 that version 2 no longer has are deleted (`cdk destroy`), after the others;
 * - removing an export fails while a stack not yet updated (or deleted) imports it.
 *
 * `Custom::AWSCDK-EKS-KubernetesResource` (aws-cdk-lib's kubectl handler, apply/__init__.py):
 * Create runs `kubectl create` (`kubectl apply` with Overwrite), which fails for an object that
 * exists; Update runs `kubectl apply` of the new manifest, with `--prune -l <PruneLabel>` where set,
 * which deletes the labelled objects of kinds in kubectl's default prune allowlist that the new
 * manifest left out; Delete runs `kubectl delete` of the old manifest. CloudFormation never sends
 * Delete to a resource it retains. A custom resource is never replaced by this handler.
 *
 * Cluster objects start as version 1 left them (kubectl manifests, GitOps files as a GitOps tool
 * applied them, and ServiceAccounts delivered by none(), which a Helm chart made). After the
 * stacks, the GitOps tool applies version 2's files.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as YAML from 'yaml';
import { IrsaServiceAccount, ManifestDeliveryKind } from '../../../lib';

/** The CloudFormation registry schemas as the CDK CLI (aws-cdk, a devDependency) bundles them, from @aws-cdk/aws-service-spec. */
const DB_PATH = path.join(__dirname, '..', '..', '..', 'node_modules', 'aws-cdk', 'db.json.gz');
const KUBERNETES_RESOURCE = 'Custom::AWSCDK-EKS-KubernetesResource';

/** kubectl's default prune allowlist (kubectl apply --prune without --prune-allowlist). */
const PRUNE_ALLOWLIST = new Set([
  'ConfigMap', 'Endpoints', 'Namespace', 'PersistentVolumeClaim', 'PersistentVolume', 'Pod', 'ReplicationController', 'Secret',
  'Service', 'Job', 'CronJob', 'Ingress', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet',
]);

/** Types whose deletion takes away something shared by other stacks, apps or every pod of the cluster. */
const SHARED_TYPES = new Set(['AWS::IAM::OIDCProvider', 'AWS::EKS::Addon', KUBERNETES_RESOURCE]);

let createOnlyCache: Map<string, Set<string>> | undefined;

/** The create-only (replacement) properties of each resource type, from the CDK CLI's bundled registry schemas. */
export function createOnlyProperties(type: string): Set<string> {
  if (!createOnlyCache) {
    const db = JSON.parse(zlib.gunzipSync(fs.readFileSync(DB_PATH)).toString('utf8'));
    const entities: any[] = Object.values(db.schema.resource.entities);
    createOnlyCache = new Map();
    for (const entity of entities) {
      const names = Object.entries<any>(entity.properties ?? {}).filter(([, p]) => p.causesReplacement === 'yes').map(([name]) => name);
      createOnlyCache.set(entity.cloudFormationType, new Set(names));
    }
  }
  const found = createOnlyCache.get(type);
  if (!found && !type.startsWith('Custom::')) {
    throw new Error(`no registry schema for ${type}`);
  }
  return found ?? new Set();
}

/** A service account as version N declares it, and the role its pods use. */
export interface DeclaredServiceAccount {
  readonly key: string;
  readonly delivery: ManifestDeliveryKind;
  /** Where the role's ARN comes from: its literal name, or its stack and logical ID. */
  readonly role: { stack: string; logicalId: string; roleName?: string };
  /** What pods started under this version present: IRSA (sub, aud), Pod Identity, or both. */
  readonly irsaAudience?: string;
  readonly podIdentity: boolean;
}

/** One synthesized version of an app. */
export interface Version {
  readonly stacks: Array<{ name: string; template: any }>;
  readonly gitOps: any[];
  readonly serviceAccounts: DeclaredServiceAccount[];
}

/**
 * Synthesizes an app into a `Version`. Every stack of the app counts, those of its Stages too; a
 * nested stack's resources are planned with its top-level stack (CloudFormation updates them in
 * its update, and cleans up after all of them), as `<nested stack path>/<logical ID>`.
 */
export function versionOf(app: App): Version {
  const assembly = app.synth();
  const all = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  // In the order the CLI deploys them: that of the assembly (dependencies first).
  const order = assembly.stacksRecursively.map((artifact) => artifact.id);
  const tops = all.filter((stack) => !stack.nested).sort((a, b) => order.indexOf(a.artifactId) - order.indexOf(b.artifactId));
  const stacks = tops.map((top) => {
    const template = templateOf(assembly, top);
    const resources = { ...template.Resources };
    for (const nested of all.filter((s) => s.nested && topOf(s) === top)) {
      for (const [id, r] of Object.entries<any>(templateOf(assembly, nested).Resources ?? {})) {
        resources[`${placeOf(nested).prefix}${id}`] = r;
      }
    }
    return { name: top.stackName, template: { ...template, Resources: resources } };
  });
  const gitOps: any[] = [];
  // GitOps output: <stack>.service-accounts/<cluster>/service-accounts.yaml (in a Stage's assembly too)
  const files = (fs.readdirSync(assembly.directory, { recursive: true }) as string[])
    .filter((f) => /\.service-accounts\/[^/]+\/service-accounts\.yaml$/.test(f)).sort();
  for (const file of files) {
    const text = fs.readFileSync(path.join(assembly.directory, file), 'utf8');
    gitOps.push(...YAML.parseAllDocuments(text).map((d) => d.toJSON()).filter((o) => o));
  }
  const serviceAccounts = app.node.findAll().filter((c): c is IrsaServiceAccount => c instanceof IrsaServiceAccount).map((sa) => {
    const stack = Stack.of(sa.role);
    const cfnRole: any = sa.role.node.defaultChild;
    const annotations = sa.manifest.toJson().metadata.annotations ?? {};
    const annotated = 'eks.amazonaws.com/role-arn' in annotations;
    const place = placeOf(stack);
    return {
      key: `${sa.serviceAccountNamespace}/${sa.serviceAccountName}`,
      delivery: sa.manifestDelivery.kind,
      role: { stack: place.top.stackName, logicalId: `${place.prefix}${stack.resolve(cfnRole.logicalId)}`, roleName: stack.resolve(cfnRole.roleName) },
      irsaAudience: annotated ? annotations['eks.amazonaws.com/audience'] ?? 'sts.amazonaws.com' : undefined,
      podIdentity: sa.podIdentityAssociation !== undefined,
    };
  });
  return { stacks, gitOps, serviceAccounts };
}

/** The top-level stack of a (nested) stack. */
function topOf(stack: Stack): Stack {
  let top = stack;
  while (top.nestedStackParent) {
    top = top.nestedStackParent;
  }
  return top;
}

/** Where a stack's resources are planned: its top-level stack, and the prefix of their IDs there. */
function placeOf(stack: Stack): { top: Stack; prefix: string } {
  const top = topOf(stack);
  return { top, prefix: stack === top ? '' : `${stack.node.path.slice(top.node.path.length + 1)}/` };
}

/** A stack's synthesized template, from the assembly of its Stage (a nested stack's from its file there). */
function templateOf(assembly: cxapi.CloudAssembly, stack: Stack): any {
  const stage = Stage.of(stack)!;
  const stageAssembly = stage.node.scope === undefined ? assembly : findAssembly(assembly, stage.artifactId);
  if (!stageAssembly) {
    throw new Error(`no assembly for Stage ${stage.node.path}`);
  }
  if (!stack.nested) {
    return stageAssembly.getStackArtifact(stack.artifactId).template;
  }
  return JSON.parse(fs.readFileSync(path.join(stageAssembly.directory, stack.templateFile), 'utf8'));
}

/** The assembly of a Stage, at any depth below `assembly`. */
function findAssembly(assembly: cxapi.CloudAssembly, artifactId: string): cxapi.CloudAssembly | undefined {
  for (const nested of assembly.nestedAssemblies) {
    const found = nested.id === artifactId ? nested.nestedAssembly : findAssembly(nested.nestedAssembly, artifactId);
    if (found) {
      return found;
    }
  }
  return undefined;
}

/** What deploying version 2 over version 1 does. */
export interface Outcome {
  /** Why the deployment fails (the stack rolls back), if it does. */
  readonly failure?: string;
  /** Shared resources deleted: providers, the agent add-on (unless EKS preserves it), manifest resources. */
  readonly deletedShared: string[];
  /** Kubernetes objects deleted by kubectl (`Kind ns/name`). */
  readonly deletedObjects: string[];
  /** Objects version 2 declares that are not in the cluster afterwards. */
  readonly missingDeclared: string[];
  /** Service accounts of both versions whose role gets a new ARN: pods restart to use it (none where the deploy fails). */
  readonly newRoleArn: string[];
  /** Service accounts whose running pods (started under version 1) can no longer get credentials. */
  readonly cutOff: string[];
}

interface Resource { stack: string; id: string; type: string; props: any; deletion?: string; replace?: string }

function resourcesOf(version: Version): Map<string, Resource> {
  const all = new Map<string, Resource>();
  for (const { name, template } of version.stacks) {
    for (const [id, r] of Object.entries<any>(template.Resources ?? {})) {
      all.set(`${name}/${id}`, { stack: name, id, type: r.Type, props: r.Properties ?? {}, deletion: r.DeletionPolicy, replace: r.UpdateReplacePolicy });
    }
  }
  return all;
}

/** The names of a stack's exports in a version. */
function exportsOf(version: Version, stack: string): Set<string> {
  const template = version.stacks.find((s) => s.name === stack)?.template ?? {};
  return new Set(Object.values<any>(template.Outputs ?? {}).map((o) => o.Export?.Name).filter((n) => typeof n === 'string'));
}

/** The name a resource takes in the account or cluster: two resources with one name cannot coexist. */
function physicalName(r: Resource): string {
  const p = r.props;
  switch (r.type) {
    case 'AWS::IAM::Role': return typeof p.RoleName === 'string' ? `role ${p.RoleName}` : `role of ${r.stack}/${r.id}`;
    case 'AWS::IAM::OIDCProvider':
    // aws-cdk-lib's Lambda-backed provider: its handler creates the provider, and fails where it exists.
    case 'Custom::AWSCDKOpenIdConnectProvider':
      return `provider ${JSON.stringify(p.Url)}`;
    case 'AWS::EKS::Addon': return `add-on ${JSON.stringify(p.ClusterName)}/${p.AddonName}`;
    case 'AWS::EKS::PodIdentityAssociation': return `association ${JSON.stringify(p.ClusterName)}/${p.Namespace}/${p.ServiceAccount}`;
    default: return `${r.type} ${r.stack}/${r.id}`;
  }
}

function same(a: any, b: any): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The Kubernetes objects of a manifest resource, intrinsics written as placeholders. */
function manifestObjects(r: Resource): any[] {
  const manifest = r.props.Manifest;
  if (typeof manifest === 'string') {
    return JSON.parse(manifest);
  }
  const [separator, parts] = manifest['Fn::Join'];
  return JSON.parse(parts.map((part: any) => typeof part === 'string' ? part : `<${JSON.stringify(part).replace(/"/g, '\'')}>`).join(separator));
}

/** A trust policy as an object: the `Fn::Join` string of a token issuer parsed, its intrinsics written as placeholders. */
function trustDocument(document: any): any {
  if (document === undefined || !document['Fn::Join']) {
    return document;
  }
  const [separator, parts] = document['Fn::Join'];
  return JSON.parse(parts.map((part: any) => typeof part === 'string' ? part : '<intrinsic>').join(separator));
}

function objectKey(o: any): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** How version 2 is deployed. */
export interface PlanOptions {
  /**
   * Whether `cdk refactor` runs before the deploy: it moves each resource that left one place
   * (stack and logical ID) and appears, unchanged, at exactly one new place, keeping the physical
   * resource; ambiguous matches are not moved. The CLI refuses the refactor (the outcome's
   * failure) unless the moves are the only difference: nothing else added, removed or changed.
   */
  readonly refactor?: boolean;
}

/**
 * What `cdk refactor` compares of each resource of a version, as the CDK CLI's digest does: type,
 * properties and policies, with a `Ref` or `Fn::GetAtt` of another resource of the stack standing
 * for what that resource is (its own digest), not for its logical ID. So a resource that refers to
 * a moved resource, and is otherwise unchanged, is unchanged too.
 */
function contentDigests(resources: Map<string, Resource>): Map<string, string> {
  const digests = new Map<string, string>();
  const digest = (key: string): string => {
    const known = digests.get(key);
    if (known !== undefined) {
      return known;
    }
    const r = resources.get(key)!;
    const target = (logicalId: string) => resources.has(`${r.stack}/${logicalId}`) ? digest(`${r.stack}/${logicalId}`) : undefined;
    const strip = (value: any): any => {
      if (Array.isArray(value)) {
        return value.map(strip);
      }
      if (value === null || typeof value !== 'object') {
        return value;
      }
      if (typeof value.Ref === 'string' && target(value.Ref) !== undefined) {
        return { Ref: target(value.Ref) };
      }
      const getAtt = value['Fn::GetAtt'];
      if (getAtt !== undefined) {
        const [logicalId, ...attribute] = Array.isArray(getAtt) ? getAtt : String(getAtt).split('.');
        if (target(logicalId) !== undefined) {
          return { 'Fn::GetAtt': [target(logicalId), attribute.join('.')] };
        }
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    };
    // CloudFormation templates have no reference cycles, so this ends.
    const result = JSON.stringify([r.type, strip(r.props), r.deletion, r.replace]);
    digests.set(key, result);
    return result;
  };
  [...resources.keys()].forEach(digest);
  return digests;
}

/**
 * Version 1 as `cdk refactor` leaves it before version 2 is deployed: each resource of version 1
 * whose place version 2 no longer has, and that version 2 has unchanged (type, properties and
 * policies, references compared by what they point to) at one place version 1 does not have,
 * moved there.
 */
function refactored(v1: Version, v2: Version): Version | { rejected: string } {
  const before = resourcesOf(v1);
  const after = resourcesOf(v2);
  const digestsBefore = contentDigests(before);
  const digestsAfter = contentDigests(after);
  const left = [...before].filter(([key]) => !after.has(key)).map(([key, r]) => [key, r, digestsBefore.get(key)!] as const);
  const arrived = [...after].filter(([key]) => !before.has(key)).map(([key, r]) => [key, r, digestsAfter.get(key)!] as const);
  const moves = new Map<string, { stack: string; id: string }>();
  for (const [key, , content] of left) {
    const sameBefore = left.filter(([, , other]) => other === content);
    const targets = arrived.filter(([, , other]) => other === content);
    if (sameBefore.length === 1 && targets.length === 1) {
      moves.set(key, { stack: targets[0][1].stack, id: targets[0][1].id });
    }
  }
  const stacks = new Map(v1.stacks.map((s) => [s.name, { name: s.name, template: { ...s.template, Resources: { ...s.template.Resources ?? {} } } }]));
  for (const [key, to] of moves) {
    const r = before.get(key)!;
    const resource = stacks.get(r.stack)!.template.Resources[r.id];
    delete stacks.get(r.stack)!.template.Resources[r.id];
    if (!stacks.has(to.stack)) {
      stacks.set(to.stack, { name: to.stack, template: { Resources: {} } });
    }
    stacks.get(to.stack)!.template.Resources[to.id] = resource;
  }
  // The CLI rewrites references to a resource that moved within its stack.
  for (const stack of stacks.values()) {
    const renamed = new Map([...moves].filter(([key, to]) => before.get(key)!.stack === stack.name && to.stack === stack.name)
      .map(([key, to]) => [before.get(key)!.id, to.id]));
    if (renamed.size > 0) {
      stack.template.Resources = renameReferences(stack.template.Resources, renamed);
    }
  }
  const serviceAccounts = v1.serviceAccounts.map((sa) => {
    const to = moves.get(`${sa.role.stack}/${sa.role.logicalId}`);
    return to ? { ...sa, role: { ...sa.role, stack: to.stack, logicalId: to.id } } : sa;
  });
  const moved: Version = { stacks: [...stacks.values()], gitOps: v1.gitOps, serviceAccounts };
  // The CLI refuses a refactor unless the app then holds exactly the deployed resources, only
  // at other places: no resource added, removed or changed besides the moves.
  const digestsMoved = contentDigests(resourcesOf(moved));
  const other = [...new Set([...digestsMoved.keys(), ...digestsAfter.keys()])]
    .filter((key) => !key.endsWith('/CDKMetadata') && digestsMoved.get(key) !== digestsAfter.get(key)).sort();
  if (other.length > 0) {
    return { rejected: `cdk refactor refuses: besides moves, the app adds, removes or changes ${other.length} resource(s)` };
  }
  return moved;
}

/** `value` with each `Ref` and `Fn::GetAtt` of a renamed logical ID naming the new one. */
function renameReferences(value: any, renamed: Map<string, string>): any {
  if (Array.isArray(value)) {
    return value.map((v) => renameReferences(v, renamed));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (typeof value.Ref === 'string' && renamed.has(value.Ref)) {
    return { Ref: renamed.get(value.Ref) };
  }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && renamed.has(getAtt[0])) {
    return { 'Fn::GetAtt': [renamed.get(getAtt[0]), ...getAtt.slice(1)] };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameReferences(v, renamed)]));
}

/** Plans version 2 over version 1. */
export function plan(original: Version, v2: Version, options: PlanOptions = {}): Outcome {
  const refactor = options.refactor ? refactored(original, v2) : original;
  if ('rejected' in refactor) {
    return { failure: refactor.rejected, deletedShared: [], deletedObjects: [], missingDeclared: [], newRoleArn: [], cutOff: [] };
  }
  const v1 = refactor;
  const before = resourcesOf(v1);
  const after = resourcesOf(v2);
  const account = new Set([...before.values()].map(physicalName));
  const cluster = new Map<string, any>();
  for (const r of before.values()) {
    if (r.type === KUBERNETES_RESOURCE) {
      manifestObjects(r).forEach((o) => cluster.set(objectKey(o), o));
    }
  }
  v1.gitOps.forEach((o) => cluster.set(objectKey(o), o));
  v1.serviceAccounts.filter((sa) => sa.delivery === ManifestDeliveryKind.NONE).forEach((sa) => cluster.set(`ServiceAccount ${sa.key}`, {}));

  const deletedShared: string[] = [];
  const deletedObjects: string[] = [];
  const replaced = new Set<string>();
  const gone = new Set<string>();
  let failure: string | undefined;

  const kubectlDelete = (objects: any[]) => {
    for (const o of objects) {
      if (cluster.delete(objectKey(o))) {
        deletedObjects.push(objectKey(o));
      }
    }
  };
  const remove = (key: string, r: Resource, policy: string | undefined) => {
    if (policy === 'Retain') {
      return;
    }
    gone.add(key);
    account.delete(physicalName(r));
    const preserved = r.type === 'AWS::EKS::Addon' && r.props.PreserveOnDelete === true;
    if (SHARED_TYPES.has(r.type) && !preserved) {
      deletedShared.push(`${r.type} ${key}`);
    }
    if (r.type === KUBERNETES_RESOURCE) {
      kubectlDelete(manifestObjects(r));
    }
  };
  const create = (key: string, r: Resource): string | undefined => {
    const name = physicalName(r);
    if (account.has(name)) {
      return `${key}: creating ${r.type} fails, ${name} exists already`;
    }
    account.add(name);
    if (r.type === KUBERNETES_RESOURCE) {
      const objects = manifestObjects(r);
      const taken = objects.filter((o) => cluster.has(objectKey(o)));
      if (r.props.Overwrite !== true && taken.length > 0) {
        return `${key}: kubectl create fails, ${taken.map(objectKey).join(', ')} exists already`;
      }
      objects.forEach((o) => cluster.set(objectKey(o), o));
    }
    return undefined;
  };

  const v2Stacks = v2.stacks.map((s) => s.name);
  const order = [...v2Stacks, ...v1.stacks.map((s) => s.name).filter((n) => !v2Stacks.includes(n))];
  const deployed = new Set<string>();
  for (const stack of order) {
    const cleanup: Array<() => void> = [];
    // CloudFormation refuses to remove an export that a stack not yet updated still imports.
    const dropped = [...exportsOf(v1, stack)].filter((name) => !exportsOf(v2, stack).has(name));
    for (const name of dropped) {
      const importer = v1.stacks.find((s) => s.name !== stack && !deployed.has(s.name) && JSON.stringify(s.template).includes(`{"Fn::ImportValue":"${name}"}`));
      if (importer && !failure) {
        failure = `${stack}: removing export ${name} fails, ${importer.name} imports it`;
      }
    }
    deployed.add(stack);
    for (const [key, r] of after) {
      if (r.stack !== stack || failure) {
        continue;
      }
      const old = before.get(key);
      if (!old) {
        failure = create(key, r);
        continue;
      }
      const createOnly = createOnlyProperties(r.type);
      const replacing = old.type !== r.type || [...createOnly].some((p) => !same(old.props[p], r.props[p]));
      if (replacing) {
        replaced.add(key);
        failure = create(key, r);
        cleanup.push(() => remove(key, old, old.replace));
      } else if (r.type === KUBERNETES_RESOURCE) {
        const objects = manifestObjects(r);
        objects.forEach((o) => cluster.set(objectKey(o), o));
        if (r.props.PruneLabel) {
          const kept = new Set(objects.map(objectKey));
          kubectlDelete(manifestObjects(old).filter((o) => !kept.has(objectKey(o)) && PRUNE_ALLOWLIST.has(o.kind)
            && o.metadata.labels && r.props.PruneLabel in o.metadata.labels));
        }
      }
    }
    for (const [key, r] of before) {
      if (r.stack === stack && !after.has(key)) {
        cleanup.push(() => remove(key, r, r.deletion));
      }
    }
    if (failure) {
      break;
    }
    cleanup.forEach((step) => step());
  }
  if (!failure) {
    v2.gitOps.forEach((o) => cluster.set(objectKey(o), o));
  }

  const declared = new Set<string>();
  for (const r of after.values()) {
    if (r.type === KUBERNETES_RESOURCE) {
      manifestObjects(r).forEach((o) => declared.add(objectKey(o)));
    }
  }
  v2.gitOps.forEach((o) => declared.add(objectKey(o)));
  v2.serviceAccounts.forEach((sa) => declared.add(`ServiceAccount ${sa.key}`));
  const missingDeclared = failure ? [] : [...declared].filter((k) => !cluster.has(k)).sort();

  const arnOf = (sa: DeclaredServiceAccount, version: 1 | 2) => {
    const key = `${sa.role.stack}/${sa.role.logicalId}`;
    const generation = version === 2 && replaced.has(key) ? '#2' : '';
    return typeof sa.role.roleName === 'string' ? `name:${sa.role.roleName}` : `cfn:${key}${generation}`;
  };
  const newRoleArn: string[] = [];
  const cutOff: string[] = [];
  for (const old of v1.serviceAccounts) {
    const now = v2.serviceAccounts.find((sa) => sa.key === old.key);
    // A deploy that fails rolls back: no role of it keeps a new ARN.
    if (!failure && now && arnOf(old, 1) !== arnOf(now, 2)) {
      newRoleArn.push(old.key);
    }
    const providerDeleted = deletedShared.some((d) => d.startsWith('AWS::IAM::OIDCProvider'));
    if (!failure && !keepsCredentials(old, now, after, gone, arnOf, providerDeleted)) {
      cutOff.push(old.key);
    }
  }
  return { failure, deletedShared: deletedShared.sort(), deletedObjects: deletedObjects.sort(), missingDeclared, newRoleArn, cutOff };
}

/**
 * Whether pods started under version 1 keep getting credentials once version 2 is deployed:
 * their role still exists under the same ARN and still trusts what they present, and the
 * provider of IRSA tokens still exists.
 */
function keepsCredentials(old: DeclaredServiceAccount, now: DeclaredServiceAccount | undefined, after: Map<string, Resource>,
  gone: Set<string>, arnOf: (sa: DeclaredServiceAccount, version: 1 | 2) => string, providerDeleted: boolean): boolean {
  if (old.irsaAudience !== undefined && providerDeleted) {
    return false;
  }
  if (!now || arnOf(old, 1) !== arnOf(now, 2)) {
    // Running pods hold the ARN of version 1's role: it must still exist.
    return !gone.has(`${old.role.stack}/${old.role.logicalId}`);
  }
  const role = after.get(`${now.role.stack}/${now.role.logicalId}`);
  const statements: any[] = trustDocument(role?.props.AssumeRolePolicyDocument)?.Statement ?? [];
  const [namespace, name] = old.key.split('/');
  if (old.irsaAudience !== undefined) {
    const sub = `system:serviceaccount:${namespace}:${name}`;
    return statements.some((s) => {
      const equals = [s.Action].flat().includes('sts:AssumeRoleWithWebIdentity') ? s.Condition?.StringEquals ?? {} : {};
      const values = (suffix: string) => Object.entries<any>(equals).filter(([k]) => k.endsWith(suffix)).flatMap(([, v]) => [v].flat());
      return values(':sub').includes(sub) && values(':aud').includes(old.irsaAudience);
    });
  }
  return !old.podIdentity || (now.podIdentity && statements.some((s) => s.Principal?.Service === 'pods.eks.amazonaws.com'));
}
