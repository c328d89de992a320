'use strict';
/**
 * The cfn-guard validation plugin as the verification suite registers it, with a receipt.
 *
 * aws-cdk-lib leaves a plugin that found nothing out of validation-report.json, so an empty report
 * cannot tell "ran and found nothing" from "never ran". The plugin below delegates to
 * @cdklabs/cdk-validator-cfnguard's CfnGuardValidator and appends one JSON line per run to a
 * receipt file next to the cloud assembly (`<outdir>.guard-receipt.jsonl`, outside it): the
 * templates it was given, and its success, violation count or error.
 *
 * Preloaded (NODE_OPTIONS=--require) into an app's process, this file registers that plugin
 * (Control Tower proactive rules plus the IRSA rules of test/verify/rules) on every App the
 * process creates, without editing the app: through aws-cdk-lib's App init hook
 * (`Symbol.for('@aws-cdk/core.App#initHook')`, called at the end of the App constructor) and the
 * public `Validations.of(app).addPlugins()`.
 *
 * Environment: IRSA_GUARD_RULES (rule paths, path.delimiter-separated; default test/verify/rules),
 * IRSA_GUARD_CONTROL_TOWER=false (leave the Control Tower rules out).
 */
const fs = require('fs');
const path = require('path');

const RULES_DIR = path.join(__dirname, '..', 'rules');

/** A plugin that runs CfnGuardValidator and appends a receipt line for each run. */
function guardPluginWithReceipt(options, receiptFile) {
  const { CfnGuardValidator } = require('@cdklabs/cdk-validator-cfnguard');
  const inner = new CfnGuardValidator(options);
  return {
    name: inner.name,
    version: inner.version,
    ruleIds: inner.ruleIds,
    validate(context) {
      const entry = { templatePaths: context.templatePaths };
      try {
        const report = inner.validate(context);
        Object.assign(entry, { success: report.success, violations: report.violations.length });
        return report;
      } catch (e) {
        entry.error = String(e);
        throw e;
      } finally {
        fs.appendFileSync(receiptFile, `${JSON.stringify(entry)}\n`);
      }
    },
  };
}

/** The receipt file of an assembly directory. */
function receiptFileOf(outdir) {
  return `${outdir.replace(/[\\/]+$/, '')}.guard-receipt.jsonl`;
}

function defaultOptions() {
  return {
    controlTowerRulesEnabled: process.env.IRSA_GUARD_CONTROL_TOWER !== 'false',
    rules: process.env.IRSA_GUARD_RULES ? process.env.IRSA_GUARD_RULES.split(path.delimiter) : [RULES_DIR],
  };
}

if (require.main !== module && process.env.IRSA_GUARD_HOOK === '1') {
  globalThis[Symbol.for('@aws-cdk/core.App#initHook')] = (app) => {
    const { Validations } = require('aws-cdk-lib');
    Validations.of(app).addPlugins(guardPluginWithReceipt(defaultOptions(), receiptFileOf(app.outdir)));
  };
}

module.exports = { guardPluginWithReceipt, receiptFileOf, RULES_DIR };
