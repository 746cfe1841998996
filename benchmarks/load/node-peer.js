// The Node peer: what the original Needle's runtime container does, reduced to the request path. It loads the SAME
// function files as the Needle host (samples/Needle.Sample/functions), runs each in its own vm context created once
// and reused (a warm container), and serves them under /fn with the same req/ctx contract and the same response rules.
//   node node-peer.js [port] [functions dir] [mock root]   (defaults 5303, the sample's functions, http://127.0.0.1:5301)
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const vm = require("node:vm");

const port = Number(process.argv[2] ?? process.env.NODE_PORT ?? 5303);
const functionsDir = path.resolve(process.argv[3] ?? path.join(__dirname, "../../samples/Needle.Sample/functions"));
const mockRoot = process.argv[4] ?? process.env.MOCK_URL ?? "http://127.0.0.1:5301";

// ctx.fetch("http://backend/...") goes to the mock, as Needle's AddDownstream("backend", ...) does.
const services = { backend: new URL("/backend/", mockRoot) };
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });

function load(file) {
  const name = path.basename(file, ".js");
  const manifestFile = path.join(functionsDir, `${name}.json`);
  const manifest = fs.existsSync(manifestFile) ? JSON.parse(fs.readFileSync(manifestFile, "utf8")) : {};
  // vm.Script runs scripts, not modules: the default export becomes an assignment.
  const source = fs.readFileSync(file, "utf8").replace(/^(\s*)export\s+default\s+/m, "$1__exports.default = ");
  const sandbox = { __exports: {} };
  const context = vm.createContext(sandbox);
  new vm.Script(source, { filename: file }).runInContext(context);
  const handler = sandbox.__exports.default;
  if (typeof handler !== "function") throw new Error(`${file}: the default export is not a function`);

  const names = [];
  const pattern = ("/fn" + (manifest.route ?? `/${name}`)).replace(/[.*+?^$()|[\]\\]/g, "\\$&")
    .replace(/\{(\w+)\}/g, (_, param) => (names.push(param), "([^/]+)"));
  return {
    name,
    label: `${name}@1`,
    handler,
    json: vm.runInContext("JSON", context), // bodies parse into the function's own realm, as in Jint
    route: new RegExp(`^${pattern}/?$`),
    params: names,
    methods: new Set(manifest.methods ?? ["GET", "POST"]),
    services: new Set(manifest.services ?? []),
    config: manifest.config ?? {},
  };
}

const functions = fs.readdirSync(functionsDir).filter((f) => f.endsWith(".js")).sort().map((f) => load(path.join(functionsDir, f)));

function log(fn, requestId) {
  const write = (level) => (...args) => {
    // Like the host at Warning: info and debug lines are dropped.
    if (level === "warn" || level === "error") console.error(`[${level}] ${fn.label} ${requestId}:`, ...args);
  };
  return { info: write("info"), warn: write("warn"), error: write("error"), debug: write("debug") };
}

function fetcher(fn) {
  return (url, init = {}) => new Promise((resolve, reject) => {
    const target = new URL(url);
    const base = services[target.hostname];
    if (!base || !fn.services.has(target.hostname)) {
      reject(new Error(`fetch: function '${fn.name}' may not call '${target.hostname}'`));
      return;
    }
    const request = http.request(new URL(target.pathname.slice(1) + target.search, base), { method: init.method ?? "GET", headers: init.headers, agent }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({
          status: response.statusCode,
          ok: response.statusCode >= 200 && response.statusCode < 300,
          headers: response.headers,
          text: async () => text,
          json: async () => fn.json.parse(text),
        });
      });
    });
    request.on("error", reject);
    request.end(init.body ?? undefined);
  });
}

function queryOf(search) {
  const query = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const seen = query[key];
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

function readBody(req) {
  if (!(Number(req.headers["content-length"]) > 0 || req.headers["transfer-encoding"])) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

// Needle's response rules: undefined is 204; { status, headers?, body? } is a response; a string is text; anything
// else is JSON.
function send(res, fn, result) {
  res.setHeader("Needle-Version", fn.label);
  let status = 200;
  let body = result;
  if (result === undefined) {
    res.writeHead(204).end();
    return;
  }
  if (result && typeof result === "object" && !Array.isArray(result) && typeof result.status === "number"
      && Object.keys(result).every((k) => k === "status" || k === "headers" || k === "body")) {
    status = result.status;
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
    body = result.body;
  }
  if (body === undefined || body === null) {
    res.writeHead(status).end();
    return;
  }
  const isText = typeof body === "string";
  const text = isText ? body : fn.json.stringify(body);
  if (!res.hasHeader("content-type")) res.setHeader("content-type", isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.writeHead(status).end(text);
}

function problem(res, status, title, detail) {
  const text = JSON.stringify({ status, title, detail });
  res.writeHead(status, { "content-type": "application/problem+json", "content-length": Buffer.byteLength(text) }).end(text);
}

let requests = 0;
const server = http.createServer(async (req, res) => {
  const [pathname, search = ""] = req.url.split("?", 2);
  for (const fn of functions) {
    const match = fn.route.exec(pathname);
    if (!match) continue;
    if (!fn.methods.has(req.method)) return problem(res, 405, "Method not allowed", `${fn.name} does not answer ${req.method}.`);
    const requestId = `peer-${++requests}`;
    try {
      const rawBody = await readBody(req);
      const isJson = /^application\/json|\+json/i.test(req.headers["content-type"] ?? "");
      const params = {};
      fn.params.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
      const request = { method: req.method, path: pathname, params, query: queryOf(search), headers: req.headers, body: isJson && rawBody ? fn.json.parse(rawBody) : rawBody, rawBody };
      const ctx = { requestId, config: fn.config, log: log(fn, requestId), fetch: fetcher(fn) };
      send(res, fn, await fn.handler(request, ctx));
    } catch (error) {
      problem(res, 500, "Function failed", `${fn.label}: ${error?.message ?? error}`);
    }
    return;
  }
  problem(res, 404, "Not found", `No function serves ${pathname}.`);
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => console.log(`node peer on http://127.0.0.1:${port}/fn (${functions.map((f) => f.name).join(", ")})`));
