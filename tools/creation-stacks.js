"use strict";
/**
 * Node preload for the jsii kernel (`NODE_OPTIONS=--require <this file>`, composed by tools/jsii_env.py): cdktf
 * records a token's creation stack only when asked to.
 *
 * cdktf captures a full stack trace (`Error.stackTraceLimit = Number.MAX_SAFE_INTEGER`, then formatted and split)
 * in the constructor of every token, lazy value and computed list: thousands per synth, ~5% of a reference synth.
 * The trace only ever appears in an error message, when a token cannot be resolved. aws-cdk-lib records them only
 * in debug mode for the same reason; here `PLATFORM_CREATION_STACKS=1` records them, and otherwise the message
 * carries one line saying how to get them. The synthesized JSON does not depend on it
 * (tests/tools/test_creation_stacks.py compares a synth each way).
 *
 * It patches nothing it does not recognise: the cdktf package must be the version it was written for and the module
 * must export `captureStackTrace` as a function; otherwise one warning line on stderr says why and stacks are
 * recorded as published.
 */

const fs = require("fs");
const path = require("path");
const Module = require("module");

const PACKAGE_NAME = "cdktf";
const EXPECTED_VERSION = "0.21.0";
const FILE_SUFFIX = path.sep + path.join("node_modules", "cdktf", "lib", "tokens", "private", "stack-trace.js");
const VARIABLE = "PLATFORM_CREATION_STACKS";
const HINT = `(creation stack not recorded: set ${VARIABLE}=1 to record it)`;
const INSTALLED = Symbol.for("platform.creationStacks.installed");

/** Why the module must stay as published, or undefined when it is the one this preload was written for. */
function refusal(exports, filename) {
  const packageFile = path.join(path.dirname(filename), "..", "..", "..", "package.json");
  let packageJson;
  try {
    packageJson = JSON.parse(fs.readFileSync(packageFile, "utf8"));
  } catch (error) {
    return `cannot read ${packageFile}: ${error.code || error.message}`;
  }
  if (packageJson.name !== PACKAGE_NAME || packageJson.version !== EXPECTED_VERSION) {
    return `${packageJson.name} ${packageJson.version} is not ${PACKAGE_NAME} ${EXPECTED_VERSION}, the version it was written for`;
  }
  if (typeof exports.captureStackTrace !== "function") {
    return "it no longer exports a captureStackTrace function";
  }
  return undefined;
}

function patch(exports, filename) {
  if (process.env[VARIABLE] === "1") {
    return;
  }
  const reason = refusal(exports, filename);
  if (reason !== undefined) {
    process.stderr.write(
      `warning: ${__filename} left cdktf's creation stacks as they are: ${reason}; synth records every one (~5% slower)\n`,
    );
    return;
  }
  exports.captureStackTrace = function noCreationStack() {
    return [HINT];
  };
}

function install() {
  if (Module.prototype[INSTALLED]) {
    return;
  }
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileAndPatch(content, filename, ...rest) {
    const result = compile.call(this, content, filename, ...rest);
    if (filename.endsWith(FILE_SUFFIX)) {
      patch(this.exports, filename);
    }
    return result;
  };
  Module.prototype[INSTALLED] = true;
}

install();

module.exports = { EXPECTED_VERSION, FILE_SUFFIX, HINT, VARIABLE };
