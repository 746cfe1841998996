using System.IO.Compression;
using Microsoft.Playwright;
using Needle.Console.Hosting;
using Needle.Console.Tests.Infrastructure;

namespace Needle.Console.Tests.Measure;

/// <summary>
/// The issue's two figures: console load to first useful paint with 50 functions, and the bundle size gzipped. They
/// print what they measured (docs/benchmarks.md, "Console"); the bounds asserted here are loose, to catch regressions
/// without failing on a slow CI machine. NEEDLE_SCREENSHOTS=folder also writes the README's screenshots there.
/// </summary>
[TestClass]
public sealed class ConsoleMeasureTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Bundle_AllAssetsIncludingEditor_IsUnder500KilobytesGzipped()
    {
        var assembly = typeof(NeedleConsoleOptions).Assembly;
        long total = 0, raw = 0, initial = 0;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("NeedleConsole/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var gzipped = Gzip(memory.ToArray());
            total += gzipped;
            raw += memory.Length;
            if (name.Contains("/index", StringComparison.Ordinal))
            {
                initial += gzipped;
            }

            TestContext.WriteLine($"{name}: {memory.Length:N0} B, {gzipped:N0} B gzipped");
        }

        TestContext.WriteLine($"total: {raw:N0} B, {total:N0} B gzipped; dashboard (index.html + index js/css): {initial:N0} B gzipped");
        Assert.IsLessThan(500 * 1024, total);
        Assert.IsLessThan(50 * 1024, initial);
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task FirstUsefulPaint_FiftyFunctions_IsFast()
    {
        var extra = 50 - ConsoleHost.SampleFunctionCount;
        var functions = Enumerable.Range(1, extra).ToDictionary(i => $"fn-{i:00}", i => $"export default () => ({{ n: {i} }});\n");
        await using var host = await ConsoleHost.StartAsync(functions, observability: true);
        for (var i = 0; i < extra * 6; i++)
        {
            await host.ServedByAsync($"/fn/fn-{i % extra + 1:00}");
        }

        var browser = await Infrastructure.Browser.GetAsync();
        var times = new List<double>();
        for (var run = 0; run < 6; run++)
        {
            // A new context each time: a cold cache, as on an operator's first visit.
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var page = await context.NewPageAsync();
            // performance.now() counts from the start of the navigation; the observer notes the moment the table has
            // every function, and the next frame is when it is painted.
            await page.AddInitScriptAsync("""
                new MutationObserver((_, observer) => {
                  if (document.querySelectorAll('[data-testid=functions] tbody tr').length >= 50) {
                    observer.disconnect();
                    requestAnimationFrame(() => { window.__firstUseful = performance.now(); });
                  }
                }).observe(document, { childList: true, subtree: true });
                """);
            await page.GotoAsync(new Uri(host.Address, "/needle").ToString());
            // Polled from here: WaitForFunction compiles its predicate in the page, which the console's CSP forbids.
            // By the clock, not by a count of polls: each evaluation is slow on a loaded machine, and the bound below is 8 s.
            double? ms = null;
            for (var waited = System.Diagnostics.Stopwatch.StartNew(); ms is null && waited.Elapsed < TimeSpan.FromSeconds(30);)
            {
                ms = await page.EvaluateAsync<double?>("window.__firstUseful ?? null");
                if (ms is null)
                {
                    await Task.Delay(20);
                }
            }

            Assert.IsNotNull(ms, "The dashboard never listed 50 functions.");
            if (run > 0)
            {
                times.Add(ms.Value); // the first run warms the host's JIT, which a running host has done long before.
            }

            if (run == 1 && Environment.GetEnvironmentVariable("NEEDLE_SCREENSHOTS") is { Length: > 0 } folder)
            {
                await page.WaitForTimeoutAsync(2500);
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "console-dashboard.png"), FullPage = false });
            }
        }

        times.Sort();
        var median = times[times.Count / 2];
        TestContext.WriteLine($"first useful paint, 50 functions, cold cache: median {median:F0} ms, min {times[0]:F0} ms, max {times[^1]:F0} ms ({string.Join(", ", times.Select(t => t.ToString("F0")))})");
        // Loose: a quiet machine paints in 0.1-0.25 s (docs/benchmarks.md), but beside the other test processes on the
        // 2-core CI machine the median passed 3 s; a paint an order of magnitude slower than that still fails.
        Assert.IsLessThan(8000, median);
    }

    [TestMethod]
    public async Task Screenshots_FunctionPageAndEditor_Render()
    {
        await using var host = await ConsoleHost.StartAsync(observability: true);
        await host.DeployAsync("hello", "export default async function (req, ctx) {\n  return { message: `Hi, ${req.query.name ?? 'you'}!` };\n}\n", new { route = "/hello", methods = new[] { "GET" } }, canary: new { weight = 20 });
        var page = await Infrastructure.Browser.NewPageAsync(1280, 1000);
        await page.GotoAsync(new Uri(host.Address, "/needle/#/fn/hello").ToString());
        for (var second = 0; second < 8; second++)
        {
            for (var i = 0; i < 15; i++)
            {
                await host.ServedByAsync($"/fn/hello?name=u{i}");
            }

            await Task.Delay(500);
        }

        await page.GetByTestId("show-diff").ClickAsync();
        await Assertions.Expect(page.GetByTestId("canary")).ToContainTextAsync("v2 at 20 %");
        await Assertions.Expect(page.Locator(".charts canvas").First).ToBeVisibleAsync();
        var folder = Environment.GetEnvironmentVariable("NEEDLE_SCREENSHOTS") is { Length: > 0 } f ? f : Path.GetTempPath();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "console-function.png"), FullPage = true });

        await page.GotoAsync(new Uri(host.Address, "/needle/#/edit/hello/2").ToString());
        await Assertions.Expect(page.Locator(".cm-content")).ToContainTextAsync("Hi,");
        await CodeEditor.ReplaceAsync(page, "export default async function (req, ctx) {\n  const name = req.query.name ?? 'you';\n  ctx.log.info('greeting', name);\n  return { message: `Hi, ${name}!`, at: new Date(0).toISOString() };\n}\n");
        await page.GetByTestId("sample-query").FillAsync("{\"name\": \"Ada\"}");
        await page.GetByTestId("run-draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("run-status")).ToHaveTextAsync("200");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "console-editor.png"), FullPage = true });
    }

    private static long Gzip(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return memory.Length;
    }
}
