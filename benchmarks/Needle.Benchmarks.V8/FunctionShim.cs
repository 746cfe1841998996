using System.Text.Json;
using System.Text.RegularExpressions;

namespace Needle.Benchmarks.V8;

/// <summary>
/// Wraps a function's ES module in a script that V8 (and the Node worker) run: the module body in its own strict
/// function scope, its default export kept, and two entry points. <c>__start(message)</c> parses the
/// <c>{requestId, req}</c> message, builds <c>ctx</c> and calls the handler; <c>__take()</c> returns the settled outcome
/// as the status in three digits followed by the body (JSON, or the text of a string body), or <c>null</c> while the
/// handler's promise is pending. Needle's response rules apply: a <c>{status, headers?, body?}</c> object is a
/// response, <c>undefined</c> is 204, anything else is the JSON body of a 200.
/// </summary>
internal static partial class FunctionShim
{
    /// <summary>The script for <paramref name="function"/>.</summary>
    public static string Wrap(SampleFunction function)
    {
        var body = DefaultExport().Replace(function.Source, "$1__exports.default = ", 1);
        return Template
            .Replace("/*SOURCE*/", body, StringComparison.Ordinal)
            .Replace("/*CONFIG*/", JsonSerializer.Serialize(function.ConfigJson), StringComparison.Ordinal);
    }

    // The same rewrite as benchmarks/load/node-peer.js: scripts have no export, the default export becomes an assignment.
    [GeneratedRegex(@"^(\s*)export\s+default\s+", RegexOptions.Multiline)]
    private static partial Regex DefaultExport();

    private const string Template = """
        "use strict";
        (() => {
          const box = {};
          (function (__exports) {
            "use strict";
        /*SOURCE*/
          })(box);
          const handler = box.default;
          if (typeof handler !== "function") throw new TypeError("The module's default export is not a function.");
          const deepFreeze = (v) => {
            if (v && typeof v === "object") { for (const k of Object.keys(v)) deepFreeze(v[k]); Object.freeze(v); }
            return v;
          };
          const config = deepFreeze(JSON.parse(/*CONFIG*/));
          const secrets = Object.freeze({});
          const noop = () => {};
          const log = Object.freeze({ info: noop, warn: noop, error: noop, debug: noop });
          const fetch = () => Promise.reject(new Error("ctx.fetch is not wired in this benchmark."));
          let settled = false, failed = false, value;
          const fulfil = (v) => { settled = true; value = v; };
          const reject = (e) => { settled = true; failed = true; value = e; };
          globalThis.__start = (message) => {
            const m = JSON.parse(message);
            settled = false; failed = false; value = undefined;
            const ctx = { requestId: m.requestId, config, secrets, log, fetch };
            let result;
            try { result = handler(m.req, ctx); } catch (e) { reject(e); return; }
            Promise.resolve(result).then(fulfil, reject);
          };
          globalThis.__take = () => {
            if (!settled) return null;
            if (failed) return "500" + JSON.stringify({ title: "Function failed", detail: String((value && value.message) || value) });
            let status = 200, body = value;
            if (value && typeof value === "object" && !Array.isArray(value) && typeof value.status === "number"
                && Object.keys(value).every((k) => k === "status" || k === "headers" || k === "body")) {
              status = value.status; body = value.body;
            }
            if (body === undefined || body === null) return String(body === undefined && status === 200 ? 204 : status);
            return String(status) + (typeof body === "string" ? body : JSON.stringify(body));
          };
        })();
        """;
}
