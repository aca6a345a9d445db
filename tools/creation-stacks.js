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

const path = require("path");
const { afterCompile, packageRefusal } = require("./patch-after-compile");

const PACKAGE_NAME = "cdktf";
const EXPECTED_VERSION = "0.21.0";
const FILE_SUFFIX = path.sep + path.join("node_modules", "cdktf", "lib", "tokens", "private", "stack-trace.js");
const VARIABLE = "PLATFORM_CREATION_STACKS";
const HINT = `(creation stack not recorded: set ${VARIABLE}=1 to record it)`;

/** Why the module must stay as published, or undefined when it is the one this preload was written for. */
function refusal(exports, filename) {
  const packageFile = path.join(path.dirname(filename), "..", "..", "..", "package.json");
  const wrongPackage = packageRefusal(packageFile, PACKAGE_NAME, EXPECTED_VERSION);
  if (wrongPackage !== undefined) {
    return wrongPackage;
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

afterCompile("platform.creationStacks.installed", FILE_SUFFIX, patch);

module.exports = { EXPECTED_VERSION, FILE_SUFFIX, HINT, VARIABLE };
