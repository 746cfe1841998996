// The aggregator's downstream for the load benchmark: /backend/users/{id} and /backend/users/{id}/orders answer
// the same JSON as samples/Needle.Sample/Backend.cs, with no delay. Loopback only.
//   node mock-backend.js [port]      (default 5301, or MOCK_PORT)
"use strict";
const http = require("node:http");

const port = Number(process.argv[2] ?? process.env.MOCK_PORT ?? 5301);
const route = /^\/backend\/users\/(-?\d+)(\/orders)?$/;

// Backend.cs: new User(id, $"User {id}", id % 3 == 0 ? "gold" : "standard")
function user(id) {
  return { id, name: `User ${id}`, tier: id % 3 === 0 ? "gold" : "standard" };
}

// Backend.cs: 1 + id % 7 orders, Order(id * 100 + n, Math.Round(9.5 * n + id % 11, 2), n % 2 == 0 ? "shipped" : "open")
function orders(id) {
  const list = [];
  for (let n = 1; n <= 1 + (id % 7); n++) {
    list.push({ id: id * 100 + n, amount: Math.round((9.5 * n + (id % 11)) * 100) / 100, status: n % 2 === 0 ? "shipped" : "open" });
  }
  return list;
}

const server = http.createServer((req, res) => {
  const path = req.url.split("?", 1)[0];
  const match = req.method === "GET" ? route.exec(path) : null;
  const id = match ? Number(match[1]) : NaN;
  if (!match || !Number.isSafeInteger(id) || id > 2147483647 || id < -2147483648) {
    res.writeHead(404, { "content-length": 0 });
    res.end();
    return;
  }

  const text = JSON.stringify(match[2] ? orders(id) : user(id));
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => console.log(`mock backend on http://127.0.0.1:${port}/backend/`));
