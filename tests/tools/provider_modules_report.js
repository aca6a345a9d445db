"use strict";
// Test helper preload: when a Node process exits, append "<pid> <number of @cdktf/provider-aws lib modules it
// loaded>" to the file named by $PROVIDER_MODULES_REPORT. Tells the lazy provider load from the eager one.
const fs = require("fs");
const path = require("path");

const marker = `${path.sep}@cdktf${path.sep}provider-aws${path.sep}lib${path.sep}`;
process.on("exit", () => {
  const loaded = Object.keys(require.cache).filter((file) => file.includes(marker)).length;
  fs.appendFileSync(process.env.PROVIDER_MODULES_REPORT, `${process.pid} ${loaded}\n`);
});
