using Microsoft.Playwright;

namespace Needle.Console.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for the test run: Debian's chromium (installed by .ci/run), driven by Playwright. Without
/// it the browser tests fail on CI (CI=true) and are inconclusive elsewhere.
/// </summary>
internal static class Browser
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;

    public static async Task<IBrowser> GetAsync()
    {
        var path = Environment.GetEnvironmentVariable("NEEDLE_CHROMIUM") ?? ExecutablePath;
        if (!File.Exists(path))
        {
            var message = $"Chromium is not installed at {path}; install it with 'apt-get install -y chromium' (.ci/run does).";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message);
            }

            Assert.Inconclusive(message);
        }

        await Gate.WaitAsync();
        try
        {
            _playwright ??= await Playwright.CreateAsync();
            _browser ??= await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            Assertions.SetDefaultExpectTimeout(ExpectTimeout);
            return _browser;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// How long an action (click, fill, navigation: the context's default) and an expectation (set once, for the run) may wait. The bounds are generous because CI runs
    /// the console's tests on 2 cores beside other test projects that start hosts and compile: there a page load took
    /// over 10 s (CI of stop 24). A passing test does not wait them out; only a failing one takes longer to report.
    /// </summary>
    private const int ActionTimeout = 30_000;

    private const int ExpectTimeout = 15_000;

    /// <summary>A fresh page (own context: no shared cookies or cache) with bounded action and expectation timeouts.</summary>
    public static async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var browser = await GetAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(ActionTimeout);
        return await context.NewPageAsync();
    }

    public static async Task CloseAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
