using Needle.Releases;
using Needle.Serving;
using Needle.Telemetry;

namespace Needle.Observability.Health;

/// <summary>Reads the <see cref="HealthWindows"/> together with what this node serves, for the API, the console and the guard.</summary>
internal sealed class NeedleHealth : INeedleHealth
{
    private readonly HealthWindows _windows;
    private readonly INeedleServingState _serving;

    public NeedleHealth(HealthWindows windows, INeedleServingState serving)
    {
        _windows = windows;
        _serving = serving;
    }

    public IReadOnlyList<TimeSpan> Windows => _windows.Windows;

    public HealthSummary GetSummary()
    {
        var (now, served) = Prepare();
        var names = served.Keys.Concat(_windows.Keys.Select(k => k.Function)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var functions = names.Select(name => BuildFunction(name, served.GetValueOrDefault(name), now)).ToList();
        return new HealthSummary(
            _windows.Time.GetUtcNow(),
            _serving.NodeId,
            _serving.AppliedRevision,
            _windows.Windows.Select(WindowSum.WindowLabel).ToList(),
            functions);
    }

    public FunctionHealth? GetFunction(string function)
    {
        var (now, served) = Prepare();
        var entry = served.GetValueOrDefault(function);
        if (entry is null && !_windows.Keys.Any(k => k.Function == function))
        {
            return null;
        }

        return BuildFunction(function, entry, now);
    }

    public VersionHealth? GetVersion(string function, int version)
    {
        var (now, served) = Prepare();
        var entry = served.GetValueOrDefault(function);
        var window = _windows.Find(function, version);
        if (window is null && entry?.LoadedVersions.Contains(version) != true)
        {
            return null;
        }

        return BuildVersion(function, version, window, entry, now);
    }

    public VersionSample? GetSample(string function, int version, TimeSpan window)
    {
        if (_windows.Find(function, version) is not { } found)
        {
            return null;
        }

        var sum = new WindowSum();
        found.AddTo(sum, _windows.NowSecond, (int)Math.Clamp(Math.Ceiling(window.TotalSeconds), 1, _windows.RingSeconds));
        return sum.ToSample();
    }

    private (long Now, Dictionary<string, ServedFunction> Served) Prepare()
    {
        var now = _windows.NowSecond;
        var served = _serving.GetFunctions().ToDictionary(f => f.Name, StringComparer.Ordinal);

        // Versions nothing serves and nobody called within the widest window are dropped, so retired versions do not pile up.
        _windows.Evict(now, (function, version) => served.TryGetValue(function, out var f) && f.LoadedVersions.Contains(version));
        return (now, served);
    }

    private FunctionHealth BuildFunction(string name, ServedFunction? served, long now)
    {
        var windows = _windows.OfFunction(name).ToList();
        var numbers = windows.Select(w => w.Version).Concat(served?.LoadedVersions ?? []).Distinct().OrderDescending();
        var versions = numbers.Select(n => BuildVersion(name, n, windows.FirstOrDefault(w => w.Version == n), served, now)).ToList();
        var stats = _windows.Windows.Select(span =>
        {
            var sum = new WindowSum();
            foreach (var window in windows)
            {
                window.AddTo(sum, now, (int)span.TotalSeconds);
            }

            return sum.ToStats(span);
        }).ToList();
        var lastError = versions.Select(v => v.LastError).OfType<ErrorReport>().MaxBy(e => e.At);
        return new FunctionHealth(name, served?.StableVersion, served?.CanaryVersion, stats, lastError, versions);
    }

    private VersionHealth BuildVersion(string function, int version, VersionWindow? window, ServedFunction? served, long now)
    {
        var role = served?.StableVersion == version ? "stable"
            : served?.CanaryVersion == version ? "canary"
            : window is null ? "loaded"
            : window.LastRole switch
            {
                ReleaseRole.Pinned => "pinned",
                ReleaseRole.Canary => "canary",
                _ => "stable",
            };
        var stats = _windows.Windows.Select(span =>
        {
            var sum = new WindowSum();
            window?.AddTo(sum, now, (int)span.TotalSeconds);
            return sum.ToStats(span);
        }).ToList();
        var error = window?.LastError is { } e ? new ErrorReport(e.Message, e.At, InvocationOutcomes.Name(e.Outcome)) : null;
        return new VersionHealth(function, version, role, stats, error);
    }
}
