"use strict";
/**
 * Node preload for the jsii kernel (`NODE_OPTIONS=--require <this file>`, composed by tools/jsii_env.py): run each
 * binary-version command of cdktf's validations once per synth instead of once per construct.
 *
 * cdktf gives every `terraform_data` resource (modules/protection.py), import block and moved block a
 * `ValidateTerraformVersion`, and its `validate()` runs `terraform version` through `execSync`: a reference synth
 * spawned Terraform four times (~50 ms each, ~200 ms of ~4 s). With this preload, the first `validate()` for a
 * command runs it; the others get the same output (or the same error) back. Each construct still checks its own
 * version constraint against that output and reports its own message, exactly as before.
 *
 * It patches nothing it does not recognise: the cdktf package must be the version it was written for and the
 * method must still call `execSync(this.versionCommand, ...)`; otherwise one warning line on stderr says why and
 * the validations run as published (each spawning Terraform). tests/tools/test_binary_version_once.py counts the
 * spawns with and without it and checks the warning.
 */

const childProcess = require("child_process");
const path = require("path");
const { afterCompile, packageRefusal } = require("./patch-after-compile");

const PACKAGE_NAME = "cdktf";
const EXPECTED_VERSION = "0.21.0";
const FILE_SUFFIX = path.sep + path.join("node_modules", "cdktf", "lib", "validations", "validate-binary-version.js");
const CALL = "execSync)(this.versionCommand";

/** Command -> {output} or {error}, for the life of the process (one synth). */
const answers = new Map();

/** `execSync` that runs each command once and replays its output, or rethrows its error, afterwards. */
function execOnce(original) {
  return function execSyncOnce(command, options) {
    if (!answers.has(command)) {
      try {
        answers.set(command, { output: original.call(childProcess, command, options) });
      } catch (error) {
        answers.set(command, { error });
      }
    }
    const answer = answers.get(command);
    if (answer.error !== undefined) {
      throw answer.error;
    }
    return answer.output;
  };
}

/** Why the class must stay as published, or undefined when it is the one this preload was written for. */
function refusal(klass, filename) {
  const packageFile = path.join(path.dirname(filename), "..", "..", "package.json");
  const wrongPackage = packageRefusal(packageFile, PACKAGE_NAME, EXPECTED_VERSION);
  if (wrongPackage !== undefined) {
    return wrongPackage;
  }
  if (typeof klass !== "function" || typeof klass.prototype.validate !== "function") {
    return "it no longer exports ValidateBinaryVersion with a validate() method";
  }
  if (!klass.prototype.validate.toString().includes(CALL)) {
    return `validate() no longer calls ${CALL.replace(")(", "(")}`;
  }
  return undefined;
}

/** Make `ValidateBinaryVersion.prototype.validate` share one run per command, if the class is the known one. */
function patch(exports, filename) {
  const klass = exports.ValidateBinaryVersion;
  const reason = refusal(klass, filename);
  if (reason !== undefined) {
    process.stderr.write(
      `warning: ${__filename} left cdktf's binary-version validation as it is: ${reason}; ` +
        "synth runs `terraform version` once per construct that asks\n",
    );
    return;
  }
  const validate = klass.prototype.validate;
  klass.prototype.validate = function validateOnce(...args) {
    const original = childProcess.execSync;
    childProcess.execSync = execOnce(original);
    try {
      return validate.apply(this, args);
    } finally {
      childProcess.execSync = original;
    }
  };
}

afterCompile("platform.binaryVersionOnce.installed", FILE_SUFFIX, patch);

module.exports = { EXPECTED_VERSION, FILE_SUFFIX };
