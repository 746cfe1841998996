namespace Needle.Benchmarks.Soak;

/// <summary>
/// The soak's functions: well-behaved ones in both runtimes, and the abusive ones of issue #12 (each ended, hung or
/// grew the host before it was contained), plus C# sources that must be refused or stopped at deploy.
/// </summary>
internal static class SoakFunctions
{
    /// <summary>The well-behaved function whose p99 is compared with the quiet host's.</summary>
    public const string Probe = "hello";

    private const string CSharpHello = """
        public sealed class Hello : INeedleFunction
        {
            public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context) =>
                Task.FromResult<object?>(new { message = "Hello from C#" });
        }
        """;

    private const string CSharpSum = """
        public sealed class Sum : INeedleFunction
        {
            public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
            {
                var total = 0L;
                for (var i = 0; i < 10_000; i++) { total += i % 7; }
                return Task.FromResult<object?>(new { total });
            }
        }
        """;

    public static IReadOnlyList<SoakFunction> Served { get; } =
    [
        // Well-behaved: what the other functions' traffic must not disturb.
        Js("hello", "export default (req) => ({ message: `Hello, ${req.query.name ?? 'you'}!` });", true),
        Js("transformer", "const items = Array.from({ length: 100 }, (_, i) => ({ id: i, price: (i * 37) % 101, tag: i % 3 ? 'a' : 'b' })); export default () => items.filter((p) => p.tag === 'a').sort((x, y) => x.price - y.price).map((p) => ({ id: p.id, price: p.price }));", true),
        Js("aggregator", "export default async (req, ctx) => { const [a, b] = await Promise.all([ctx.fetch('http://backend/users/1'), ctx.fetch('http://backend/users/2')]); return { a: await a.json(), b: await b.json() }; };", true, services: true),
        Js("config", "export default (req, ctx) => ({ region: ctx.config.region, id: ctx.requestId.length > 0 });", true, config: true),
        Cs("hello-cs", CSharpHello),
        Cs("sum-cs", CSharpSum),

        // Abusive JavaScript (issue #12 and the built-in gaps after it).
        Js("deep-json", "export default () => { let o = {}; const r = o; for (let i = 0; i < 200000; i++) { o.c = {}; o = o.c; } return JSON.stringify(r).length; };", false),
        Js("hoarder", "const kept = []; export default () => { kept.push('k'.repeat(4 * 1024 * 1024)); return kept.length; };", false),
        Js("typed-array", "export default () => new Uint8Array({ length: 2 ** 30 }).length;", false),
        Js("header-array", "export default () => { const v = []; v.length = 2 ** 32 - 1; return { status: 200, headers: { 'x-a': v }, body: 'ok' }; };", false),
        Js("fetch-flood", "export default (req, ctx) => { for (let i = 0; i < 2000; i++) { ctx.fetch('http://backend/slow?ms=5000').catch(() => {}); } return 'left'; };", false, services: true),
        Js("log-flood", "export default (req, ctx) => { for (let i = 0; i < 5000; i++) { ctx.log.warn('flood ' + i); } return 'done'; };", false),
        Js("endless", "export default () => { for (;;) {} };", false),
        Js("replace-bomb", "export default () => 'a'.repeat(1e6).replace(/(?:)/g, 'x'.repeat(1000)).length;", false),
        Js("sparse-fill", "export default () => Array.prototype.fill.call({ length: 2 ** 53 - 1 }, 1).length;", false),
        Js("json-bomb", "export default () => JSON.stringify(Array(1000).fill('x'.repeat(1e6))).length;", false),
        Js("never-settles", "export default () => new Promise(() => {});", false),
        Js("thrower", "export default () => { throw new Error('soak: this function always fails'); };", false),
    ];

    /// <summary>C# sources whose deploy must be refused (or stopped at the load limit); the host must stay up.</summary>
    public static IReadOnlyList<(string Name, string Source)> Refused { get; } =
    [
        ("stuck-task-cs", """
            public sealed class Stuck : INeedleFunction
            {
                public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
                {
                    _ = Task.Run(() => { while (true) { } });
                    return Task.FromResult<object?>(null);
                }
            }
            """),
        ("stuck-ctor-cs", """
            public sealed class StuckAtLoad : INeedleFunction
            {
                public StuckAtLoad() { while (true) { } }
                public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context) => Task.FromResult<object?>(null);
            }
            """),
    ];

    private static SoakFunction Js(string name, string source, bool wellBehaved, bool services = false, bool config = false) =>
        new(name, source, new
        {
            route = "/" + name,
            methods = new[] { "GET" },
            services = services ? new[] { "backend" } : null,
            config = config ? new { region = "soak" } : null,
            limits = new { timeoutMs = wellBehaved ? 5_000 : 2_000, maxConcurrency = 16 },
        }, wellBehaved);

    private static SoakFunction Cs(string name, string source) =>
        new(name, source, new { runtime = "csharp", route = "/" + name, methods = new[] { "GET" }, limits = new { maxConcurrency = 64 } }, true);
}
