"use strict";
/**
 * Shared by the Node preloads that patch one cdktf module right after Node compiles it (binary-version-once.js,
 * creation-stacks.js): the compile hook and the package check.
 */

const fs = require("fs");
const Module = require("module");

/**
 * After Node compiles a file whose path ends in `suffix`, call `patch(module.exports, filename)`. Installed once per
 * `key` (a `Symbol.for` name), so a preload given twice patches once.
 */
function afterCompile(key, suffix, patch) {
  const installed = Symbol.for(key);
  if (Module.prototype[installed]) {
    return;
  }
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileAndPatch(content, filename, ...rest) {
    const result = compile.call(this, content, filename, ...rest);
    if (filename.endsWith(suffix)) {
      patch(this.exports, filename);
    }
    return result;
  };
  Module.prototype[installed] = true;
}

/** Why the package at `packageFile` is not `name` `version` (the one a preload was written for), or undefined. */
function packageRefusal(packageFile, name, version) {
  let packageJson;
  try {
    packageJson = JSON.parse(fs.readFileSync(packageFile, "utf8"));
  } catch (error) {
    return `cannot read ${packageFile}: ${error.code || error.message}`;
  }
  if (packageJson.name !== name || packageJson.version !== version) {
    return `${packageJson.name} ${packageJson.version} is not ${name} ${version}, the version it was written for`;
  }
  return undefined;
}

module.exports = { afterCompile, packageRefusal };
