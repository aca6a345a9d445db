"use strict";
/**
 * Node preload for the jsii kernel (`NODE_OPTIONS=--require <this file>`, composed by tools/jsii_env.py): load
 * the prebuilt AWS provider's JavaScript lazily.
 *
 * `@cdktf/provider-aws`'s `lib/index.js` is 2,135 lines of `exports.<name> = require("./<submodule>");`, so the
 * jsii `load` of the package compiles every resource's JavaScript (~3 s, ~400 MB) although the platform uses about
 * 130 of them. When Node compiles exactly that file, this preload rewrites each of those lines into a lazy getter
 * (`Object.defineProperty(exports, "<name>", { enumerable: true, get: () => require("./<submodule>") })`); the jsii
 * kernel finds a type by walking the exports (`exports.vpc.Vpc`), which now loads only the submodules in use.
 *
 * It refuses rather than drifts: the package must be the version this was written for, every line of the file
 * must have one of the known shapes, and the number of rewritten exports must be the expected one. Otherwise the
 * file is compiled unchanged (eagerly: the run still works) and ONE warning line on stderr says why. The same
 * warning comes if a provider module is compiled before the index was seen (the runtime no longer loads the package
 * from the path this matches), so a change in how jsii loads packages cannot make synth slower silently.
 * tests/test_lazy_provider_index.py proves the synth through this path is byte-identical to the eager one.
 */

const fs = require("fs");
const path = require("path");
const Module = require("module");

const PACKAGE_NAME = "@cdktf/provider-aws";
const EXPECTED_VERSION = "20.1.0"; // JS package of cdktf-cdktf-provider-aws 20.1.0 (hashicorp/aws 5.100.0)
const EXPECTED_EXPORTS = 2135;
const INDEX_SUFFIX = path.sep + path.join("node_modules", "@cdktf", "provider-aws", "lib", "index.js");
const PROVIDER_LIB = path.sep + path.join("@cdktf", "provider-aws", "lib") + path.sep;
const COST = "loading it eagerly, synth will be ~3 s slower";
const INSTALLED = Symbol.for("platform.lazyProviderIndex.installed");

const REQUIRE_LINE = /^exports\.([A-Za-z_$][\w$]*) = require\("(\.\/[\w.-]+)"\);$/;
const KNOWN_LINE = [
  /^$/,
  /^"use strict";$/,
  /^\/\*\*$/,
  /^ \*( .*)?$/,
  /^ \*\/$/,
  /^\/\/.*$/,
  /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
  /^(exports\.[A-Za-z_$][\w$]* = )+void 0;$/,
];

/**
 * The lazy version of the provider's index source, or the reason it must stay as it is.
 * @param {string} source the file's text
 * @param {{name?: string, version?: string}} packageJson the package's package.json
 * @returns {{code: string, exports: number} | {reason: string}}
 */
function rewriteIndex(source, packageJson) {
  if (packageJson.name !== PACKAGE_NAME || packageJson.version !== EXPECTED_VERSION) {
    return {
      reason: `${packageJson.name} ${packageJson.version} is not ${PACKAGE_NAME} ${EXPECTED_VERSION}, the version it was written for`,
    };
  }
  const lines = source.split("\n");
  const names = new Set();
  for (let index = 0; index < lines.length; index += 1) {
    const match = REQUIRE_LINE.exec(lines[index]);
    if (match) {
      if (names.has(match[1])) {
        return { reason: `line ${index + 1} exports ${match[1]} a second time` };
      }
      names.add(match[1]);
      // One line for one line: the file's source map stays valid.
      lines[index] =
        `Object.defineProperty(exports, ${JSON.stringify(match[1])}, ` +
        `{ enumerable: true, configurable: true, get: () => require(${JSON.stringify(match[2])}) });`;
    } else if (!KNOWN_LINE.some((shape) => shape.test(lines[index]))) {
      return { reason: `line ${index + 1} has an unexpected shape: ${JSON.stringify(lines[index].slice(0, 80))}` };
    }
  }
  if (names.size !== EXPECTED_EXPORTS) {
    return { reason: `it has ${names.size} submodule exports instead of ${EXPECTED_EXPORTS}` };
  }
  return { code: lines.join("\n"), exports: names.size };
}

/** The package.json next to `lib/index.js`, or a stand-in whose fields say it could not be read. */
function readPackageJson(indexFile) {
  const file = path.join(path.dirname(indexFile), "..", "package.json");
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    return { name: `(unreadable ${file}: ${error.code || error.message})`, version: "" };
  }
}

let indexSeen = false;
let unmatchedWarned = false;

function warn(message) {
  process.stderr.write(`warning: ${__filename} ${message}; ${COST}\n`);
}

/** The source Node should compile for `filename`: lazy for the provider's index, unchanged for anything else. */
function transform(content, filename) {
  if (!filename.endsWith(INDEX_SUFFIX)) {
    if (!indexSeen && !unmatchedWarned && filename.includes(PROVIDER_LIB)) {
      // A provider module compiled before its index: the package is no longer loaded by the path this matches.
      unmatchedWarned = true;
      warn(`saw ${filename} before any file ending in ${INDEX_SUFFIX}: the package is loaded from a path it does not match`);
    }
    return content;
  }
  indexSeen = true;
  const result = rewriteIndex(content, readPackageJson(filename));
  if (result.reason !== undefined) {
    warn(`left ${PACKAGE_NAME}'s index as it is: ${result.reason}`);
    return content;
  }
  return result.code;
}

function install() {
  if (Module.prototype[INSTALLED]) {
    return;
  }
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileLazily(content, filename, ...rest) {
    return compile.call(this, transform(content, filename), filename, ...rest);
  };
  Module.prototype[INSTALLED] = true;
}

install();

module.exports = { rewriteIndex, transform, EXPECTED_VERSION, EXPECTED_EXPORTS, PACKAGE_NAME };
