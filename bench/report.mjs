// Turns the measurements of bench/run.mjs into RESULTS.md: tables, derived slopes and fixed costs,
// ratios computed run by run, and the issue's targets, each met or not met with its numbers.

const RESOURCE_LIMIT = 500;
const TEMPLATE_LIMIT = 1_000_000;
const LIBRARY_CELLS = ['a', 'b', 'c'];
/** (f) with an iam.Role per service account: timed with validation off only, at the two largest N. */
const ROLE_CELL = 'f-role';

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const defined = (x) => x !== undefined;
const stat = (xs) => (xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), count: xs.length } : undefined);
const fixed = (x, digits = 0) => (x === undefined || Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const range = (s, digits = 0) => (s ? (s.count > 1 ? `${fixed(s.median, digits)} (${fixed(s.min, digits)}–${fixed(s.max, digits)})` : fixed(s.median, digits)) : '—');
const kb = (bytes) => fixed(bytes / 1000, 1);
const mb = (bytes) => fixed(bytes / 1e6, 2);
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const verdict = (met) => (met === undefined ? '**not measured**' : met ? '**met**' : '**not met**');

export function writeReport(data) {
  const { plan } = data;
  const ok = data.measurements.filter((m) => !m.failed);
  const failures = [...data.measurements, ...data.limitChecks, ...data.supplementary, data.trust].filter((m) => m.failed);
  const [nLo, nHi] = plan.ns.slice(-2);
  const span = nHi - nLo;
  const runs = [...new Set(ok.map((m) => m.run))];
  const cellsAndBases = [...plan.cells, ROLE_CELL, ...new Set(Object.values(plan.baselines))];

  const at = (cell, n, validation) => ok.filter((m) => m.cell === cell && m.n === n && (!validation || m.validation === validation));
  /** A deterministic metric (the same in every run): taken from the first measurement. */
  const one = (cell, n) => at(cell, n)[0];
  const baselineOf = (cell) => (plan.baselines[cell] ? one(plan.baselines[cell], 0) : undefined);
  /** A per-run value of `f(measurement at nHi, measurement at nLo)`, for one run and validation. */
  const perRun = (cell, validation, f) => runs.map((run) => {
    const hi = at(cell, nHi, validation).find((m) => m.run === run);
    const lo = at(cell, nLo, validation).find((m) => m.run === run);
    return hi && lo ? f(hi, lo) : undefined;
  });
  const slopeOf = (key) => (hi, lo) => (hi[key] - lo[key]) / span;
  const timeSlopes = (cell, validation, key = 'synthMs') => perRun(cell, validation, slopeOf(key));

  // Deterministic slopes and fixed costs.
  const derived = {};
  for (const cell of [...plan.cells, ROLE_CELL]) {
    const hi = one(cell, nHi);
    const lo = one(cell, nLo);
    const base = baselineOf(cell);
    if (!hi || !lo) {
      continue;
    }
    const d = { resources: {}, bytes: {}, fileBytes: {} };
    for (const [key, metric] of [['resources', 'resources'], ['bytes', 'templateBytes'], ['fileBytes', 'templateFileBytes']]) {
      const slope = (hi[metric] - lo[metric]) / span;
      const intercept = hi[metric] - slope * nHi;
      d[key] = { slope, intercept, library: intercept - (base?.[metric] ?? 0) };
    }
    const fit = (limit, m) => Math.floor((limit - m.intercept) / m.slope);
    const fitAlone = (limit, m) => Math.floor((limit - m.library) / m.slope);
    d.maxN = Math.min(fit(RESOURCE_LIMIT, d.resources), fit(TEMPLATE_LIMIT, d.bytes));
    d.maxNAlone = Math.min(fitAlone(RESOURCE_LIMIT, d.resources), fitAlone(TEMPLATE_LIMIT, d.bytes));
    d.byResources = fit(RESOURCE_LIMIT, d.resources);
    d.byResourcesAlone = fitAlone(RESOURCE_LIMIT, d.resources);
    d.byBytes = fit(TEMPLATE_LIMIT, d.bytes);
    d.byFileBytes = fit(TEMPLATE_LIMIT, d.fileBytes);
    d.perTypeSlope = typeDiff(hi.resourcesByType, lo.resourcesByType, span);
    d.fixedTypes = typeDiff(subtractTypes(hi.resourcesByType, scaleTypes(d.perTypeSlope, nHi)), base?.resourcesByType ?? {}, 1);
    derived[cell] = d;
  }

  /** A ratio X/Y of a per-run metric, run by run. */
  const ratioStat = (x, y, validation, key = 'synthMs') => {
    const xs = timeSlopes(x, validation, key);
    const ys = timeSlopes(y, validation, key);
    return stat(xs.map((v, i) => (v !== undefined && ys[i] ? v / ys[i] : undefined)).filter((v) => v !== undefined));
  };
  const detRatio = (x, y, key) => (derived[x] && derived[y] ? derived[x][key].slope / derived[y][key].slope : undefined);

  const lines = [];
  /** Adds blocks (headings, paragraphs, tables), each followed by a blank line. */
  const push = (...blocks) => blocks.filter((b) => b !== '').forEach((b) => lines.push(b, ''));
  const m = data.machine;
  push('# cdk-irsa benchmark results',
    plan.quick ? '> **Quick mode** (CI smoke run): one run, validation on only, N in {1, 10}. Numbers are not for comparison.' : '',
    `Generated by \`npm run bench${plan.quick ? ' -- --quick' : ''}\` on ${data.started.slice(0, 10)} (${data.started}); `
    + `${plan.runs} run(s) per cell, ${plan.jobs} measurement(s) at a time, ${fixed(data.wallSeconds)} s in all. How it works: [README.md](README.md).`);
  push(table(['machine', ''], [
    ['CPUs', `${m.cpus} × ${m.cpuModel}`],
    ['memory', `${m.memoryGiB} GiB`],
    ['OS', m.os],
    ['load average (1, 5, 15 min) before / after', `${m.loadBefore.join(', ')} / ${m.loadAfter.join(', ')}`],
    ['Node.js', m.node],
    ['aws-cdk-lib / constructs', `${m.awsCdkLib} / ${m.constructs}`],
    ['cdk-irsa', `${m.cdkIrsa} (lib/*.js of the working tree)`],
  ]));
  if (failures.length) {
    push('## Failed measurements', ...failures.map((f) => `- \`${(f.args ?? []).join(' ')}\`: ${f.failed}`));
  }

  push('## Cells', table(['cell', 'what one stack holds'], cellsAndBases.map((c) => [c, data.cells[c]])),
    'Every stack: account 123456789012, region eu-west-1, the feature flags of a new project (`CURRENTLY_RECOMMENDED_FLAGS`, '
    + 'including `@aws-cdk/aws-eks:useNativeOidcProvider`), service accounts `workloads/service-NNNN`. The aws-eks and aws-eks-v2 '
    + 'clusters get their kubectl layer from `lambda.LayerVersion.fromLayerVersionArn()` with a made-up ARN, so the ~59 MB '
    + 'kubectl layer asset is **not** staged and not counted: real apps pay for it on top of the asset bytes below.');

  // --- targets -------------------------------------------------------------------------------
  const targets = evaluateTargets({ plan, derived, one, baselineOf, ratioStat, detRatio, timeSlopes, data });
  push('## Targets (issue 14)', table(['target', 'verdict', 'numbers and reasons'], targets.map((t) => [t.target, verdict(t.met), t.detail])));

  // --- per cell and N ------------------------------------------------------------------------
  const rows = [];
  for (const cell of cellsAndBases) {
    for (const n of cell.startsWith('base-') ? [0] : cell === ROLE_CELL ? plan.ns.slice(-2) : plan.ns) {
      const first = one(cell, n);
      if (!first) {
        rows.push([cell, n, 'failed', '', '', '', '', '', '', '', '', '', '']);
        continue;
      }
      const time = (v) => range(stat(at(cell, n, v).map((x) => x.synthMs)));
      const rss = (v) => range(stat(at(cell, n, v).map((x) => x.maxRssKb / 1024)));
      rows.push([cell, n, first.resources, kb(first.templateBytes), kb(first.templateFileBytes),
        first.nestedTemplates ? `${first.nestedTemplates} (${kb(first.nestedTemplateBytes)} KB)` : '0',
        first.lambdas, first.customResources, `${first.assets} (${mb(first.assetBytes)} MB)`, kb(first.yamlBytes),
        time('on'), time('off'), `${rss('on')} / ${rss('off')}`]);
    }
  }
  push('## Every cell and N',
    'Synth time: from `new App()` to the end of `app.synth()` (construct tree, synthesis, validation), in ms, median (min–max) '
    + 'over the runs; module loading is not included. Template KB: the top-level template, minified and as aws-cdk-lib writes it '
    + '(indented). Lambdas and custom resources are counted across all templates, nested stacks included. Assets: files and images '
    + 'in the asset manifest other than the stack template, with their bytes in the cloud assembly.',
    table(['cell', 'N', 'resources', 'template KB (min.)', 'as written KB', 'nested templates', 'Lambdas', 'custom resources',
      'assets (MB)', 'YAML KB', 'synth ms, validation on', 'synth ms, validation off', 'peak RSS MB on / off'], rows));

  // --- slopes, fixed costs, capacity --------------------------------------------------------
  push('## Per service account, fixed cost, capacity',
    `Slopes from N=${nLo} and N=${nHi} of the same run (time: median (min–max) over runs). Fixed = intercept at N=0; `
    + '"beyond the cluster" subtracts the cluster-only stack (N=0 baseline) where the cell has a same-stack cluster. '
    + 'Largest N: the most service accounts before 500 resources or a 1,000,000-byte template, in this stack (cluster and VPC '
    + 'included) and for the library alone (fixed cost beyond the cluster).',
    table(['cell', 'resources / SA', 'bytes / SA (min.)', 'ms / SA, validation off', 'CPU ms / SA, validation off', 'ms / SA, validation on',
      'fixed resources (beyond the cluster)', 'fixed bytes (beyond the cluster)', 'largest N: 500 resources (library alone)',
      'largest N: 1 MB minified / as written', 'largest N in this stack'],
    [...plan.cells, ROLE_CELL].filter((c) => derived[c]).map((c) => {
      const d = derived[c];
      return [c, fixed(d.resources.slope, 2), fixed(d.bytes.slope), range(stat(timeSlopes(c, 'off').filter(defined)), 2),
        range(stat(timeSlopes(c, 'off', 'synthCpuMs').filter(defined)), 2),
        range(stat(timeSlopes(c, 'on').filter(defined)), 2),
        `${fixed(d.resources.intercept)} (${fixed(d.resources.library)})`, `${fixed(d.bytes.intercept)} (${fixed(d.bytes.library)})`,
        `${fixed(d.byResources)} (${fixed(d.byResourcesAlone)})`, `${fixed(d.byBytes)} / ${fixed(d.byFileBytes)}`, fixed(d.maxN)];
    })));

  push('### Resources by type',
    table(['cell', `added per service account (N=${nLo}→${nHi})`, 'fixed, beyond the cluster baseline'],
      plan.cells.filter((c) => derived[c]).map((c) => [c, typeList(derived[c].perTypeSlope, 2), typeList(derived[c].fixedTypes, 0)])),
    table(['baseline', 'resources by type (top-level template)', 'nested templates'],
      [...new Set(Object.values(plan.baselines))].map((b) => one(b, 0)).filter(Boolean)
        .map((b) => [b.cell, typeList(b.resourcesByType, 0), typeList(b.nestedResourcesByType, 0)])));

  // --- ratios ------------------------------------------------------------------------------
  const ratioRows = [];
  for (const [x, ys] of [...LIBRARY_CELLS.map((c) => [c, ['d', 'f', ROLE_CELL]]), [ROLE_CELL, ['d', 'f']]]) {
    for (const y of ys) {
      ratioRows.push([`(${x}) / (${y})`, fixed(detRatio(x, y, 'resources'), 2), fixed(detRatio(x, y, 'bytes'), 2),
        range(ratioStat(x, y, 'off'), 2), range(ratioStat(x, y, 'off', 'synthCpuMs'), 2), range(ratioStat(x, y, 'on'), 2)]);
    }
  }
  push('## Ratios, per service account',
    `Against (d), (f) and (${ROLE_CELL}), the hand-written minimum with an \`iam.Role\` per service account (what an \`iam.Role\` costs). `
    + 'Time ratios are computed run by run (both cells\' slopes from the same run), then summarized: median (min–max). '
    + 'CPU time (user + system of the process during synth) is shown next to wall time: it is less disturbed by other load on the machine.',
    table(['pair', 'resources', 'template bytes', 'synth wall time, validation off', 'synth CPU time, validation off', 'synth wall time, validation on'], ratioRows));

  // --- limits ------------------------------------------------------------------------------
  const maxN = Math.max(...plan.ns);
  push('## aws-cdk-lib and the 500-resource limit',
    'aws-cdk-lib refuses a stack over 500 resources in two places: `Stack` synthesis (`TooManyResourcesInStack`, raised or '
    + 'lowered with the context key `@aws-cdk/core:stackResourceLimit`, 0 switches it off) and, since the built-in template '
    + 'validation, its rule F0007 (an error with the new-project flag `@aws-cdk/core:validateAgainstDefaultRules`, a warning '
    + 'otherwise; acknowledged with `Validations.of(stack).acknowledge({ id: \'CloudFormation-Validate::F0007\' })`). All '
    + `measurements above switch both off. At N=${maxN}, with one of them left on:`,
    table(['cell', `resources at N=${maxN}`, 'Stack synthesis (validation off)', 'built-in validation (F0007)'],
      plan.cells.map((c) => {
        const check = (mode) => data.limitChecks.find((l) => l.cell === c && (mode === 'core' ? l.validation === 'off' : l.validation === 'on'));
        const show = (l) => (!l ? 'not checked' : l.failed ? `failed: ${l.failed}` : l.refused ? `refused: ${l.refused.slice(0, 90)}${l.refused.length > 90 ? '…' : ''}` : 'accepted');
        return [c, one(c, maxN)?.resources ?? '—', show(check('core')), show(check('validator'))];
      })));

  const findings = plan.cells.map((c) => [c, typeList(at(c, maxN, 'on')[0]?.validationFindings ?? {}, 0) || 'none']);
  push(`### What the built-in validation reported at N=${maxN}`, table(['cell', 'findings (rule (severity): constructs)'], findings));

  // --- trust -------------------------------------------------------------------------------
  push(...trustSection(data.trust));

  const overhead = (key) => median(at('f', plan.ns[0], 'on').map((x) => x[key])) - median(at('f', plan.ns[0], 'off').map((x) => x[key]));
  push('## Notes',
    plan.validations.length === 2
      ? `- The built-in validation costs about ${fixed(overhead('synthMs'))} ms and ${fixed(overhead('maxRssKb') / 1024)} MB of peak memory on its own `
        + `((f) at N=${plan.ns[0]}, medians, on minus off), more on large templates.`
      : '',
    '- "Validation on" is aws-cdk-lib\'s default: the built-in CloudFormation template validation (a WASM rule engine run after '
    + 'synthesis). "Off" is `new App({ builtinCloudFormationValidation: false })` (the same as `CDK_VALIDATION=false` or '
    + '`cdk synth --no-validation`). `app.synth({ validateOnSynthesis })` does not validate anything in the app: it only writes '
    + '`validateOnSynth` into the cloud assembly manifest, for the CLI to check the template with CloudFormation at deploy.',
    '- Construct validation (`node.addValidation`, including `IrsaRole`\'s trust-size check) runs in both modes.',
    '- Each measurement is its own `node bench/cell.mjs` process: no warm JIT or module cache is shared between cells.',
    '- The hand-written cells (f) and (f-role) give each role what cdk-irsa\'s gives it, for a like-for-like comparison: the same role '
    + 'name (`prod-workloads-service-NNNN-<hash>`; a GitOps manifest needs the role ARN) and the three audit tags (`cdk-irsa:cluster`, '
    + '`cdk-irsa:namespace`, `cdk-irsa:service-account`), set on the `CfnRole` directly.',
    '- Baselines (N=0) are the cluster-only stacks; (b) and (f) import their cluster, so they have none.');
  const summary = targets.map((t) => `${t.met === undefined ? 'NOT MEASURED' : t.met ? 'met' : 'NOT MET'}: ${t.gate ? '[gate] ' : ''}${t.target}`).join('\n');
  // Structural targets (counts and sizes, the same on every machine) are gates: a regression fails the run.
  const regressions = targets.filter((t) => t.gate && t.met !== true).map((t) => t.target);
  return { markdown: lines.join('\n'), summary, failures: failures.length, regressions };
}

function evaluateTargets({ plan, derived, one, baselineOf, ratioStat, detRatio, timeSlopes, data }) {
  const targets = [];
  const has = (...cells) => cells.every((c) => derived[c]);
  const [nLo, nHi] = plan.ns.slice(-2);

  if (has('a', 'b', 'c')) {
    const manifestExtra = plan.ns.map((n) => (one('c', n)?.resources ?? NaN) - (one('a', n)?.resources ?? NaN));
    targets.push({
      target: 'resources per service account: 1.00 in (a)/(b); (c) adds at most one manifest resource per cluster per stack',
      gate: true,
      met: LIBRARY_CELLS.every((c) => derived[c].resources.slope === 1) && manifestExtra.every((x) => x <= 1),
      detail: `(a) ${fixed(derived.a.resources.slope, 2)}, (b) ${fixed(derived.b.resources.slope, 2)}, (c) ${fixed(derived.c.resources.slope, 2)}; `
        + `(c) − (a) at N=${plan.ns.join('/')}: ${manifestExtra.join('/')} resource(s) (${typeList(typeDiff(one('c', nHi).resourcesByType, one('a', nHi).resourcesByType, 1), 0)})`,
    });
  }
  if (has('a', 'b')) {
    const keys = ['lambdas', 'customResources', 'assets', 'assetBytes'];
    const added = plan.ns.flatMap((n) => [
      ...keys.map((k) => (one('a', n)?.[k] ?? NaN) - (baselineOf('a')?.[k] ?? NaN)),
      ...keys.map((k) => one('b', n)?.[k] ?? NaN),
    ]);
    const a = one('a', nHi);
    const base = baselineOf('a');
    const b = one('b', nHi);
    targets.push({
      target: 'Lambdas, custom resources and assets added by cdk-irsa in (a)/(b): 0',
      gate: true,
      met: added.every((x) => x === 0),
      detail: `at every N, (a) minus its cluster baseline and (b) outright: Lambdas ${a.lambdas - base.lambdas} / ${b.lambdas}, `
        + `custom resources ${a.customResources - base.customResources} / ${b.customResources}, assets ${a.assets - base.assets} / ${b.assets} `
        + `(${a.assetBytes - base.assetBytes} / ${b.assetBytes} bytes). The aws-eks cluster itself brings ${base.lambdas} Lambdas, `
        + `${base.customResources} custom resources, ${base.assets} assets (${mb(base.assetBytes)} MB).`,
    });
  }
  // Issue 14's targets are for (b), the like-for-like cell of (f) and (f-role): a literal issuer, the role names
  // and the three audit tags that (f) carries too, and the ServiceAccounts written as YAML. (a) and (c) are shown.
  if (has('a', 'b', 'c', 'f')) {
    const ratio = (c) => detRatio(c, 'f', 'bytes');
    const untagged = data.supplementary.filter((s) => !s.failed);
    const [lo, hi] = untagged;
    const tags = untagged.length === 2 ? derived.b.bytes.slope - (hi.templateBytes - lo.templateBytes) / (hi.n - lo.n) : undefined;
    targets.push({
      target: 'template bytes per service account: (b) ≤ 1.10 × a hand-written equivalent with the same role name and tags (f)',
      met: ratio('b') <= 1.1,
      detail: `(f) ${fixed(derived.f.bytes.slope)} B/SA, (b) ${fixed(derived.b.bytes.slope)} B = ${fixed(ratio('b'), 3)} × (f)`
        + `${derived[ROLE_CELL] ? `; (${ROLE_CELL}) ${fixed(derived[ROLE_CELL].bytes.slope)} B` : ''}. `
        + (tags !== undefined ? `The three audit tags take ${fixed(tags)} B of it in both; with \`auditTags: false\` (b) is ${fixed(derived.b.bytes.slope - tags)} B. ` : '')
        + 'What (b) has more: longer logical IDs (`ProdWorkloadsService0000Role<hash>`, from cluster, namespace and name, and the provider\'s) in each role and its reference to the provider. '
        + `Shown, not part of the target: (a) ${fixed(derived.a.bytes.slope)} B = ${fixed(ratio('a'), 2)} ×, the trust as one \`Fn::Join\` string for its token issuer `
        + `(${fixed(derived.a.bytes.slope - derived.b.bytes.slope)} B more than (b)); (c) ${fixed(derived.c.bytes.slope)} B = ${fixed(ratio('c'), 2)} ×, `
        + `each ServiceAccount in the kubectl manifest resource (${fixed(derived.c.bytes.slope - derived.a.bytes.slope)} B more than (a)).`,
    });
  }
  if (has('a', 'b', 'c', 'f')) {
    const target = `synth time per service account (validation off, N=${nLo}→${nHi}): (b) ≤ 1.5 × the hand-written CfnRole minimum (f) and ≤ 1.2 × the same with iam.Role (${ROLE_CELL})`;
    if (plan.validations.includes('off')) {
      const wall = (c, y) => ratioStat(c, y, 'off');
      const cpu = (c, y) => ratioStat(c, y, 'off', 'synthCpuMs');
      const f = wall('b', 'f');
      const role = wall('b', ROLE_CELL);
      const perSa = (c) => `${fixed(median(timeSlopes(c, 'off').filter(defined)), 2)} (${fixed(median(timeSlopes(c, 'off', 'synthCpuMs').filter(defined)), 2)})`;
      targets.push({
        target,
        // Machines differ: shown, never a gate.
        met: Boolean(f && role && f.median <= 1.5 && role.median <= 1.2),
        detail: `wall time, median (min–max) of per-run ratios: (b) ${range(f, 2)} × (f)${f?.median <= 1.5 ? '' : ' ✗'}, `
          + `${range(role, 2)} × (${ROLE_CELL})${role?.median <= 1.2 ? '' : ' ✗'}; CPU time: ${fixed(cpu('b', 'f')?.median, 2)} × (f), `
          + `${fixed(cpu('b', ROLE_CELL)?.median, 2)} × (${ROLE_CELL}). Per service account, wall (CPU) ms: (f) ${perSa('f')}, (${ROLE_CELL}) ${perSa(ROLE_CELL)}, `
          + `(b) ${perSa('b')}; an \`iam.Role\` alone is ${range(wall(ROLE_CELL, 'f'), 2)} × (f). Shown, not part of the target: `
          + ['a', 'c'].map((c) => `(${c}) ${range(wall(c, 'f'), 2)} × (f), ${range(wall(c, ROLE_CELL), 2)} × (${ROLE_CELL})`).join('; ')
          + `; against aws-eks's addServiceAccount: (b) ${range(wall('b', 'd'), 2)} × (d).`,
      });
    } else {
      targets.push({ target, met: undefined, detail: 'quick mode measures with validation on only' });
    }
  }
  if (has('a', 'b', 'c', 'd')) {
    targets.push({
      target: 'service accounts per stack: ≥ 495 (aws-eks: about 161)',
      gate: true,
      met: LIBRARY_CELLS.every((c) => derived[c].maxNAlone >= 495),
      detail: `library alone (fixed cost beyond the cluster): ${LIBRARY_CELLS.map((c) => `(${c}) ${derived[c].maxNAlone}`).join(', ')}, (d) ${derived.d.maxNAlone}, `
        + `(e) ${derived.e?.maxNAlone ?? '—'}, (f) ${derived.f?.maxNAlone ?? '—'}. In the measured stack, where the aws-eks cluster and its VPC take `
        + `${baselineOf('a')?.resources} resources: ${LIBRARY_CELLS.map((c) => `(${c}) ${derived[c].maxN}`).join(', ')}, (d) ${derived.d.maxN}, (e) ${derived.e?.maxN ?? '—'}.`,
    });
  }
  const trust = data.trust;
  if (trust && !trust.failed) {
    const compact = trust.capacity.filter((r) => r.rendering === 'cdk-irsa compact' && r.issuer === 'literal');
    const hand = trust.capacity.filter((r) => r.rendering !== 'cdk-irsa compact');
    const min = Math.min(...compact.map((r) => r.fits));
    const perSubject = compact.map((r) => r.perSubject);
    const fixedPart = compact[0].fixed;
    targets.push({
      target: 'exact subjects in one 2,048-character trust policy: ≥ 35 for typical 20–30 character names',
      met: min >= 35,
      detail: `compact: ${compact.map((r) => `${r.fits} (names ${r.length === 'mixed' ? '20–30' : r.length})`).join(', ')}; one statement per subject: `
        + `${hand.map((r) => r.fits).join(', ')}. Each exact subject costs its claim \`"system:serviceaccount:${trust.namespace}:<name>",\` `
        + `(${fixed(Math.min(...perSubject))}–${fixed(Math.max(...perSubject))} characters) after a fixed ${fixed(fixedPart)} (version, principal, `
        + `action, the \`sub\` and \`aud\` keys with the issuer); 35 subjects fit only when namespace and name together stay within `
        + `${Math.floor((trust.limit - fixedPart) / 35) - 26} characters. No rendering of exact subjects can go below the claim itself.`,
    });
    const literal = trust.estimates.filter((e) => e.issuer === 'literal');
    const token = trust.estimates.filter((e) => e.issuer !== 'literal');
    targets.push({
      target: 'size estimate: exact for literal issuers, never below the real size for token issuers',
      gate: true,
      met: literal.every((e) => e.minDiff === 0 && e.maxDiff === 0) && token.every((e) => e.underestimates === 0),
      detail: `estimate − actual, 1 to 60 subjects: literal ${spanOf(literal)}; token issuer, stack with a region ${spanOf(token.filter((e) => e.issuer === 'token'))}; `
        + `token issuer, environment-agnostic stack ${spanOf(token.filter((e) => e.issuer === 'token-agnostic'))} (against the longest region in aws-cdk-lib's table); `
        + `underestimates: ${token.reduce((n, e) => n + e.underestimates, 0)}`,
    });
  }
  return targets;
}

function trustSection(trust) {
  if (!trust || trust.failed) {
    return ['## Trust policy size', `Not measured: ${trust?.failed}`];
  }
  const len = (l) => (l === 'mixed' ? '20–30 (cycling)' : `${l}`);
  return [
    '## Trust policy size',
    `Exact subjects \`system:serviceaccount:${trust.namespace}:<name>\` in one role's trust policy, against IAM's default `
    + `${trust.limit}-character quota (\`ACLSizePerRole\`; white space is not counted). "Fits": the most subjects whose deployed `
    + 'policy stays within the quota, every deploy-time value replaced by its real value (issuer '
    + '`oidc.eks.<region>.amazonaws.com/id/<32 characters>`, provider ARN). "Allowed": the most that `IrsaRole` accepts at synth '
    + '(its `trustPolicySize` within the limit). Issuers: literal (`IrsaCluster.fromAttributes`), token (same-stack aws-eks '
    + 'cluster, stack in eu-west-1), token in an environment-agnostic stack.',
    table(['rendering', 'issuer', 'name length', 'fits', 'allowed by cdk-irsa', 'characters per subject', 'fixed characters'],
      trust.capacity.map((r) => [r.rendering, r.issuer, len(r.length), r.fits, r.allowed ?? '—', r.perSubject ? fixed(r.perSubject, 1) : '—', r.fixed ? fixed(r.fixed) : '—'])),
    '### `IrsaRole.trustPolicySize` against the deployed size',
    table(['issuer', 'name length', 'estimate − actual (1 to 60 subjects)', 'underestimates', 'at 1 subject: estimate / actual', 'at the most that fit: estimate / actual'],
      trust.estimates.map((e) => [e.issuer, len(e.length), e.minDiff === e.maxDiff ? `${e.minDiff}` : `${e.minDiff} to ${e.maxDiff}`, e.underestimates,
        `${e.atOne.estimate} / ${e.atOne.actual}`, `${e.atFits.estimate} / ${e.atFits.actual} (${e.atFits.subjects} subjects)`])),
  ];
}

const spanOf = (rows) => {
  const lo = Math.min(...rows.map((e) => e.minDiff));
  const hi = Math.max(...rows.map((e) => e.maxDiff));
  return lo === hi ? `${lo}` : `${lo} to ${hi}`;
};

function typeDiff(hi, lo, span) {
  const out = {};
  for (const type of new Set([...Object.keys(hi), ...Object.keys(lo)])) {
    const d = ((hi[type] ?? 0) - (lo[type] ?? 0)) / span;
    if (Math.abs(d) > 1e-9) {
      out[type] = d;
    }
  }
  return out;
}
const scaleTypes = (types, k) => Object.fromEntries(Object.entries(types).map(([t, v]) => [t, v * k]));
const subtractTypes = (a, b) => typeDiff(a, b, 1);
const typeList = (types, digits) => Object.entries(types).sort(([, x], [, y]) => y - x).map(([t, v]) => `${t} ${fixed(v, digits)}`).join(', ');
