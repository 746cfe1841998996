// The Node peer of the V8 worker (benchmarks/Needle.Benchmarks.V8): runs the script FunctionShim.Wrap made of a
// function in one vm context created once and reused (as benchmarks/load/node-peer.js does), and serves it on a Unix
// domain socket with the same frames: a 4-byte little-endian length, then UTF-8 ({requestId, req} in; three status
// digits and the body out).
//   node node-worker.js SOCKET SCRIPT              serve; prints "ready" once listening
//   node node-worker.js --bench SCRIPT MESSAGE N   N calls in-process, no IPC; prints JSON {p50Us, p99Us, meanUs, cpuUs}
"use strict";
const fs = require("node:fs");
const net = require("node:net");
const vm = require("node:vm");

function load(file) {
  const context = vm.createContext({});
  new vm.Script(fs.readFileSync(file, "utf8"), { filename: file }).runInContext(context);
  return { start: context.__start, take: context.__take };
}

// The handler's promise settles in the microtask queue: let it run, then read the outcome.
async function call(fn, message) {
  fn.start(message);
  let answer = fn.take();
  while (answer === null) {
    await null;
    answer = fn.take();
  }
  return answer;
}

async function bench(file, message, count) {
  const fn = load(file);
  for (let i = 0; i < Math.min(count, 5000); i++) await call(fn, message);
  const samples = new Float64Array(count);
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await call(fn, message);
    samples[i] = Number(process.hrtime.bigint() - started) / 1000;
  }
  const used = process.cpuUsage(cpu);
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / count;
  console.log(JSON.stringify({ p50Us: sorted[Math.floor(count * 0.5)], p99Us: sorted[Math.floor(count * 0.99)], meanUs: mean, cpuUs: (used.user + used.system) / count }));
}

function serve(socketPath, file) {
  const fn = load(file);
  try { fs.unlinkSync(socketPath); } catch {}
  const server = net.createServer((socket) => {
    let pending = Buffer.alloc(0);
    let busy = Promise.resolve();
    socket.on("data", (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 4) {
        const length = pending.readInt32LE(0);
        if (pending.length < 4 + length) break;
        const message = pending.toString("utf8", 4, 4 + length);
        pending = pending.subarray(4 + length);
        busy = busy.then(async () => {
          let answer;
          try { answer = await call(fn, message); } catch (e) { answer = "500" + JSON.stringify({ title: "Function failed", detail: String(e && e.message) }); }
          const body = Buffer.from(answer, "utf8");
          const frame = Buffer.allocUnsafe(4 + body.length);
          frame.writeInt32LE(body.length, 0);
          body.copy(frame, 4);
          socket.write(frame);
        });
      }
    });
    socket.on("close", () => { server.close(); try { fs.unlinkSync(socketPath); } catch {} process.exit(0); });
  });
  server.listen(socketPath, () => console.log("ready"));
}

if (process.argv[2] === "--bench") bench(process.argv[3], process.argv[4], Number(process.argv[5]));
else serve(process.argv[2], process.argv[3]);
