using Needle.Releases;
using Needle.Serving;
using Needle.Telemetry;

namespace Needle.Observability.Health;

/// <summary>
/// Reads the <see cref="HealthWindows"/> together with what this node serves, for the API, the console and the guard:
/// this node's figures, or (<see cref="INeedleClusterHealth"/>) the same with the other live nodes' last publication added.
/// </summary>
internal sealed class NeedleHealth : INeedleHealth, INeedleClusterHealth
{
    private readonly HealthWindows _windows;
    private readonly INeedleServingState _serving;
    private readonly HealthPublisher? _publisher;

    public NeedleHealth(HealthWindows windows, INeedleServingState serving, HealthPublisher? publisher = null)
    {
        _windows = windows;
        _serving = serving;
        _publisher = publisher;
    }

    private ClusterSnapshot Cluster => _publisher?.Snapshot ?? ClusterSnapshot.Empty;

    public IReadOnlyList<TimeSpan> Windows => _windows.Windows;

    public HealthSummary GetSummary() =>
        new(_windows.Time.GetUtcNow(), _serving.NodeId, _serving.AppliedRevision, Labels(), Summarize(null));

    ClusterHealthSummary INeedleClusterHealth.GetSummary()
    {
        var cluster = Cluster;
        return new ClusterHealthSummary(
            _windows.Time.GetUtcNow(),
            _serving.NodeId,
            cluster.ReadAt == DateTimeOffset.MinValue ? null : cluster.ReadAt,
            cluster.Nodes,
            Labels(),
            Summarize(cluster));
    }

    public FunctionHealth? GetFunction(string function) => FindFunction(function, null);

    FunctionHealth? INeedleClusterHealth.GetFunction(string function) => FindFunction(function, Cluster);

    public VersionHealth? GetVersion(string function, int version)
    {
        var (now, served) = Prepare();
        var entry = served.GetValueOrDefault(function);
        var window = _windows.Find(function, version);
        if (window is null && entry?.LoadedVersions.Contains(version) != true)
        {
            return null;
        }

        return BuildVersion(function, version, window, entry, now, null);
    }

    public VersionSample? GetSample(string function, int version, TimeSpan window) => Sample(function, version, window, null);

    VersionSample? INeedleClusterHealth.GetSample(string function, int version, TimeSpan window) => Sample(function, version, window, Cluster);

    private VersionSample? Sample(string function, int version, TimeSpan window, ClusterSnapshot? cluster)
    {
        var seconds = (int)Math.Clamp(Math.Ceiling(window.TotalSeconds), 1, _windows.RingSeconds);
        var sum = new WindowSum();
        _windows.Find(function, version)?.AddTo(sum, _windows.NowSecond, seconds);
        cluster?.AddTo(sum, function, version, _windows.Time.GetUtcNow().AddSeconds(-seconds));
        return sum.Requests == 0 ? null : sum.ToSample();
    }

    private IReadOnlyList<string> Labels() => _windows.Windows.Select(WindowSum.WindowLabel).ToList();

    private List<FunctionHealth> Summarize(ClusterSnapshot? cluster)
    {
        var (now, served) = Prepare();
        var names = served.Keys
            .Concat(_windows.Keys.Select(k => k.Function))
            .Concat(cluster?.Keys.Select(k => k.Function) ?? [])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        return names.Select(name => BuildFunction(name, served.GetValueOrDefault(name), now, cluster)).ToList();
    }

    private FunctionHealth? FindFunction(string function, ClusterSnapshot? cluster)
    {
        var (now, served) = Prepare();
        var entry = served.GetValueOrDefault(function);
        if (entry is null && !_windows.Keys.Any(k => k.Function == function) && cluster?.Keys.Any(k => k.Function == function) != true)
        {
            return null;
        }

        return BuildFunction(function, entry, now, cluster);
    }

    private (long Now, Dictionary<string, ServedFunction> Served) Prepare()
    {
        var now = _windows.NowSecond;
        var served = _serving.GetFunctions().ToDictionary(f => f.Name, StringComparer.Ordinal);

        // Versions nothing serves and nobody called within the widest window are dropped, so retired versions do not pile up.
        _windows.Evict(now, (function, version) => served.TryGetValue(function, out var f) && f.LoadedVersions.Contains(version));
        return (now, served);
    }

    private FunctionHealth BuildFunction(string name, ServedFunction? served, long now, ClusterSnapshot? cluster)
    {
        var windows = _windows.OfFunction(name).ToList();
        var numbers = windows.Select(w => w.Version)
            .Concat(served?.LoadedVersions ?? [])
            .Concat(cluster?.Keys.Where(k => k.Function == name).Select(k => k.Version) ?? [])
            .Distinct().OrderDescending().ToList();
        var versions = numbers.Select(n => BuildVersion(name, n, windows.FirstOrDefault(w => w.Version == n), served, now, cluster)).ToList();
        var utcNow = _windows.Time.GetUtcNow();
        var stats = _windows.Windows.Select(span =>
        {
            var sum = new WindowSum();
            foreach (var window in windows)
            {
                window.AddTo(sum, now, (int)span.TotalSeconds);
            }

            foreach (var number in numbers)
            {
                cluster?.AddTo(sum, name, number, utcNow - span);
            }

            return sum.ToStats(span);
        }).ToList();
        var lastError = versions.Select(v => v.LastError).OfType<ErrorReport>().MaxBy(e => e.At);
        return new FunctionHealth(name, served?.StableVersion, served?.CanaryVersion, stats, lastError, versions);
    }

    private VersionHealth BuildVersion(string function, int version, VersionWindow? window, ServedFunction? served, long now, ClusterSnapshot? cluster)
    {
        var role = served?.StableVersion == version ? "stable"
            : served?.CanaryVersion == version ? "canary"
            : window is null ? (served?.LoadedVersions.Contains(version) == true ? "loaded" : "elsewhere")
            : window.LastRole switch
            {
                ReleaseRole.Pinned => "pinned",
                ReleaseRole.Canary => "canary",
                _ => "stable",
            };
        var utcNow = _windows.Time.GetUtcNow();
        var stats = _windows.Windows.Select(span =>
        {
            var sum = new WindowSum();
            window?.AddTo(sum, now, (int)span.TotalSeconds);
            cluster?.AddTo(sum, function, version, utcNow - span);
            return sum.ToStats(span);
        }).ToList();
        var error = window?.LastError is { } e ? new ErrorReport(e.Message, e.At, InvocationOutcomes.Name(e.Outcome)) : null;
        return new VersionHealth(function, version, role, stats, error);
    }
}
