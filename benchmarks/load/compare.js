// Checks that the targets of one scenario answer the same JSON (key order aside) before they are measured.
//   node compare.js <url> <url> [<url> ...]
"use strict";
const { isDeepStrictEqual } = require("node:util");

(async () => {
  const urls = process.argv.slice(2);
  const bodies = await Promise.all(urls.map(async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }));
  const differing = urls.filter((_, i) => !isDeepStrictEqual(bodies[i], bodies[0]));
  if (differing.length > 0) {
    console.error(`Different answers:\n${urls.map((u, i) => `${u}\n  ${JSON.stringify(bodies[i])}`).join("\n")}`);
    process.exit(1);
  }
  console.log(`same JSON from ${urls.length} targets (${JSON.stringify(bodies[0]).length} bytes)`);
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
