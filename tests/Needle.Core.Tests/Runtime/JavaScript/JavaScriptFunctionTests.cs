using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using static Needle.Tests.Runtime.JavaScript.JavaScriptTestHost;

namespace Needle.Tests.Runtime.JavaScript;

[TestClass]
public sealed class JavaScriptFunctionTests
{
    [TestMethod]
    public async Task InvokeAsync_PlainObject_Returns200Json()
    {
        await using var function = await LoadAsync("export default async function (req, ctx) { return { hello: 'world', n: [1, 2] }; }");

        var response = await InvokeAsync(function);

        Assert.AreEqual(200, response.StatusCode);
        Assert.AreEqual("""{"hello":"world","n":[1,2]}""", response.Body);
        Assert.AreEqual("application/json; charset=utf-8", response.ContentType);
    }

    [TestMethod]
    public async Task InvokeAsync_SyncFunctionReturningString_Returns200Text()
    {
        await using var function = await LoadAsync("export default function () { return 'hi'; }");

        var response = await InvokeAsync(function);

        Assert.AreEqual(200, response.StatusCode);
        Assert.AreEqual("hi", response.Body);
        Assert.AreEqual("text/plain; charset=utf-8", response.ContentType);
    }

    [TestMethod]
    public async Task InvokeAsync_Undefined_Returns204()
    {
        await using var function = await LoadAsync("export default async function () { }");

        var response = await InvokeAsync(function);

        Assert.AreEqual(204, response.StatusCode);
        Assert.IsNull(response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_ResponseObject_UsesStatusHeadersAndBody()
    {
        await using var function = await LoadAsync("""
            export default async function () {
              return { status: 201, headers: { 'x-id': 7, 'set-cookie': ['a=1', 'b=2'] }, body: { id: 7 } };
            }
            """);

        var response = await InvokeAsync(function);

        Assert.AreEqual(201, response.StatusCode);
        Assert.AreEqual("""{"id":7}""", response.Body);
        Assert.AreEqual("application/json; charset=utf-8", response.ContentType);
        CollectionAssert.AreEqual(
            new[] { new KeyValuePair<string, string>("x-id", "7"), new("set-cookie", "a=1"), new("set-cookie", "b=2") },
            response.Headers.ToArray());
    }

    [TestMethod]
    public async Task InvokeAsync_ResponseObjectWithContentType_SendsStringBodyAsIs()
    {
        await using var function = await LoadAsync("export default () => ({ status: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>hi</p>' });");

        var response = await InvokeAsync(function);

        Assert.AreEqual("<p>hi</p>", response.Body);
        Assert.IsNull(response.ContentType);
    }

    [TestMethod]
    public async Task InvokeAsync_ObjectWithOtherKeys_IsPlainValue()
    {
        await using var function = await LoadAsync("export default () => ({ status: 404, reason: 'a field, not a status' });");

        var response = await InvokeAsync(function);

        Assert.AreEqual(200, response.StatusCode);
        Assert.AreEqual("""{"status":404,"reason":"a field, not a status"}""", response.Body);
    }

    [TestMethod]
    [DataRow("({ status: 99 })")]
    [DataRow("({ status: 600, body: 'x' })")]
    [DataRow("({ status: 200.5 })")]
    [DataRow("({ status: 200, headers: { 'bad name': 'a' } })")]
    [DataRow("({ a: 1n })")]
    [DataRow("(() => { const a = {}; a.self = a; return a; })()")]
    [DataRow("(() => 1)")]
    public async Task InvokeAsync_UnsendableResult_ThrowsInvalidResponse(string expression)
    {
        await using var function = await LoadAsync($"export default () => {expression};");

        var ex = await InvokeFailingAsync(function);

        Assert.AreEqual(InvocationFailure.InvalidResponse, ex.Failure);
        Assert.AreEqual(1, function.EngineCount);
    }

    [TestMethod]
    public async Task InvokeAsync_Request_ExposesMethodPathParamsQueryHeadersAndJsonBody()
    {
        await using var function = await LoadAsync("export default (req) => req;");
        var request = new FunctionRequest
        {
            Method = "POST",
            Path = "/users/42",
            RouteValues = new RouteValueDictionary { ["id"] = "42" },
            Query = new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
            {
                ["q"] = "x",
                ["tag"] = new(["a", "b"]),
            }),
            Headers = Headers(("X-Trace", "t1"), ("Accept", "a"), ("Accept", "b")),
            Body = """{"name":"Ada"}""",
            ContentType = "application/json",
        };

        var response = await InvokeAsync(function, request);

        var json = JsonNode.Parse(response.Body!)!;
        Assert.AreEqual("POST", (string?)json["method"]);
        Assert.AreEqual("/users/42", (string?)json["path"]);
        Assert.AreEqual("42", (string?)json["params"]!["id"]);
        Assert.AreEqual("x", (string?)json["query"]!["q"]);
        Assert.AreEqual("""["a","b"]""", json["query"]!["tag"]!.ToJsonString());
        Assert.AreEqual("t1", (string?)json["headers"]!["x-trace"]);
        Assert.AreEqual("""["a","b"]""", json["headers"]!["accept"]!.ToJsonString());
        Assert.AreEqual("Ada", (string?)json["body"]!["name"]);
        Assert.AreEqual("""{"name":"Ada"}""", (string?)json["rawBody"]);
    }

    [TestMethod]
    public async Task InvokeAsync_HeadersReadLazily_AreTheRequestsOwnAndStableWithinACall()
    {
        await using var function = await LoadAsync("""
            let kept = null;
            export default (req) => {
              const first = kept === null ? null : Object.keys(kept.headers).length;
              kept = req;
              const same = req.headers === req.headers;
              req.headers['x-added'] = 'yes';
              return { trace: req.headers['x-trace'], same, added: req.headers['x-added'], keptFromEarlierCall: first };
            };
            """);
        var first = new FunctionRequest { Method = "GET", Path = "/", Headers = Headers(("X-Trace", "one")) };
        var second = new FunctionRequest { Method = "GET", Path = "/", Headers = Headers(("X-Trace", "two"), ("X-Secret", "s")) };

        var one = JsonNode.Parse((await InvokeAsync(function, first)).Body!)!;
        var two = JsonNode.Parse((await InvokeAsync(function, second)).Body!)!;

        Assert.AreEqual("one", (string?)one["trace"]);
        Assert.IsTrue((bool)one["same"]!);
        Assert.AreEqual("yes", (string?)one["added"]);
        Assert.AreEqual("two", (string?)two["trace"]);
        // The first call's req, read in the second call, still has only its own headers (read during its call).
        Assert.AreEqual(2, (int)two["keptFromEarlierCall"]!);
    }

    [TestMethod]
    public async Task InvokeAsync_AssigningReqHeaders_ReplacesThem()
    {
        await using var function = await LoadAsync("export default (req) => { req.headers = { a: '1' }; return req.headers; };");

        var response = await InvokeAsync(function, new FunctionRequest { Method = "GET", Path = "/", Headers = Headers(("X-Trace", "t")) });

        Assert.AreEqual("""{"a":"1"}""", response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_TextBody_IsPassedAsString()
    {
        await using var function = await LoadAsync("export default (req) => ({ body: req.body, raw: req.rawBody, type: typeof req.body });");

        var response = await InvokeAsync(function, new FunctionRequest { Method = "POST", Path = "/", Body = "plain", ContentType = "text/plain" });

        Assert.AreEqual("""{"body":"plain","raw":"plain","type":"string"}""", response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_InvalidJsonBody_PassesTextAndBodyError()
    {
        await using var function = await LoadAsync("export default (req) => ({ body: req.body, error: typeof req.bodyError });");

        var response = await InvokeAsync(function, new FunctionRequest { Method = "POST", Path = "/", Body = "{oops", ContentType = "application/json" });

        Assert.AreEqual("""{"body":"{oops","error":"string"}""", response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_NoBody_BodyIsNull()
    {
        await using var function = await LoadAsync("export default (req) => ({ body: req.body, raw: req.rawBody });");

        var response = await InvokeAsync(function);

        Assert.AreEqual("""{"body":null,"raw":null}""", response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_Context_ExposesRequestIdConfigAndLog()
    {
        await using var function = await LoadAsync(
            """
            export default async function (req, ctx) {
              ctx.log.info('hello', 42, { a: 1 });
              ctx.log.warn('careful');
              ctx.log.error(new TypeError('bad'));
              return { id: ctx.requestId, greeting: ctx.config.greeting, nested: ctx.config.nested.x };
            }
            """,
            config: new JsonObject { ["greeting"] = "hi", ["nested"] = new JsonObject { ["x"] = 1 } });
        var logs = new List<FunctionLogEntry>();

        var response = await InvokeAsync(function, logs: logs, requestId: "abc");

        Assert.AreEqual("""{"id":"abc","greeting":"hi","nested":1}""", response.Body);
        CollectionAssert.AreEqual(
            new[] { "info:hello 42 {\"a\":1}", "warn:careful", "error:TypeError: bad" },
            logs.Select(l => $"{l.Level}:{l.Message}").ToArray());
    }

    [TestMethod]
    public async Task InvokeAsync_ConfigMutation_ThrowsAndDoesNotLeakToNextCall()
    {
        await using var function = await LoadAsync(
            """
            export default async function (req, ctx) {
              const before = ctx.config.nested.x;
              try { ctx.config.nested.x = 99; } catch { }
              try { ctx.config.added = 1; } catch { }
              return { before, after: ctx.config.nested.x, added: ctx.config.added ?? null };
            }
            """,
            config: new JsonObject { ["nested"] = new JsonObject { ["x"] = 1 } });

        var first = await InvokeAsync(function);
        var second = await InvokeAsync(function);

        Assert.AreEqual("""{"before":1,"after":1,"added":null}""", first.Body);
        Assert.AreEqual(first.Body, second.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_ModuleLevelCounter_PersistsAcrossCallsOnOneEngine()
    {
        await using var function = await LoadAsync("let calls = 0;\nexport default () => ({ calls: ++calls });");

        await InvokeAsync(function);
        var response = await InvokeAsync(function);

        Assert.AreEqual("""{"calls":2}""", response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_HandlerThrows_ThrowsHandlerErrorAndNextCallWorks()
    {
        await using var function = await LoadAsync(
            """
            let calls = 0;
            export default async function () {
              if (++calls === 1) {
                throw new Error('boom');
              }
              return { calls };
            }
            """);

        var ex = await InvokeFailingAsync(function);
        var next = await InvokeAsync(function);

        Assert.AreEqual(InvocationFailure.HandlerError, ex.Failure);
        Assert.AreEqual("Error: boom (line 4)", ex.Message);
        Assert.AreEqual("""{"calls":2}""", next.Body);
        Assert.AreEqual(1, function.EngineCount);
    }

    [TestMethod]
    public async Task InvokeAsync_SyncHandlerThrows_ThrowsHandlerErrorWithLine()
    {
        await using var function = await LoadAsync("export default function () {\n  null.x;\n}");

        var ex = await InvokeFailingAsync(function);

        Assert.AreEqual(InvocationFailure.HandlerError, ex.Failure);
        StringAssert.Contains(ex.Message, "TypeError");
        StringAssert.EndsWith(ex.Message, "(line 2)");
    }

    [TestMethod]
    public async Task InvokeAsync_PromiseRejectedAfterAwait_ThrowsHandlerError()
    {
        await using var function = await LoadAsync(
            """
            export default async function (req, ctx) {
              await ctx.fetch('http://svc/x');
              return Promise.reject(new RangeError('nope'));
            }
            """);

        var ex = await InvokeFailingAsync(function);

        Assert.AreEqual(InvocationFailure.HandlerError, ex.Failure);
        StringAssert.StartsWith(ex.Message, "RangeError: nope");
    }

    [TestMethod]
    public async Task InvokeAsync_FetchJsonAndText_ReturnsDownstreamData()
    {
        var downstream = new TestDownstreamClient
        {
            Respond = r => new DownstreamResponse(200, [new("Content-Type", "application/json"), new("X-A", "1"), new("x-a", "2")], "{\"item\":\"" + r.Url + "\"}"),
        };
        await using var function = await LoadAsync(
            """
            export default async function (req, ctx) {
              const res = await ctx.fetch('http://catalog/items/1', { method: 'post', headers: { 'x-k': 'v' }, body: { q: 1 } });
              const data = await res.json();
              const text = await res.text();
              return { status: 200, body: { ok: res.ok, code: res.status, a: res.headers['x-a'], item: data.item, text } };
            }
            """);

        var response = await InvokeAsync(function, downstream: downstream);

        Assert.AreEqual("""{"ok":true,"code":200,"a":"1, 2","item":"http://catalog/items/1","text":"{\"item\":\"http://catalog/items/1\"}"}""", response.Body);
        var sent = downstream.Requests.Single();
        Assert.AreEqual("POST", sent.Method);
        Assert.AreEqual("""{"q":1}""", sent.Body);
        CollectionAssert.Contains(sent.Headers.ToArray(), new KeyValuePair<string, string>("content-type", "application/json"));
        CollectionAssert.Contains(sent.Headers.ToArray(), new KeyValuePair<string, string>("x-k", "v"));
    }

    [TestMethod]
    public async Task InvokeAsync_FetchFails_RejectionIsCatchable()
    {
        var downstream = new TestDownstreamClient { Respond = _ => throw new DownstreamException("Service 'nope' is not registered.") };
        await using var function = await LoadAsync(
            """
            export default async function (req, ctx) {
              try {
                await ctx.fetch('http://nope/');
                return 'unexpected';
              } catch (e) {
                return { caught: e.message, isError: e instanceof Error };
              }
            }
            """);

        var response = await InvokeAsync(function, downstream: downstream);

        Assert.AreEqual("""{"caught":"Service 'nope' is not registered.","isError":true}""", response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_FetchWithoutUrl_ThrowsCatchableTypeError()
    {
        await using var function = await LoadAsync("export default async (req, ctx) => { try { await ctx.fetch(); } catch (e) { return e.name; } };");

        var response = await InvokeAsync(function);

        Assert.AreEqual("TypeError", response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_AwaitNeverSettles_ThrowsHandlerErrorAtOnce()
    {
        await using var function = await LoadAsync("export default async () => { await new Promise(() => {}); };");

        var ex = await InvokeFailingAsync(function);

        Assert.AreEqual(InvocationFailure.HandlerError, ex.Failure);
        StringAssert.Contains(ex.Message, "never settled");
    }
}
