using System.Collections.Frozen;
using Needle.Functions;
using Needle.Releases;
using Needle.Store;

namespace Needle.Serving;

/// <summary>
/// An immutable pairing of a function's release with the loaded versions it names: built by the reconciler off the
/// request path, read by requests without a lock.
/// </summary>
internal sealed class ServedRelease
{
    public ServedRelease(ReleaseRecord release, FunctionManifest manifest, ServedVersion stable, ServedVersion? canary, IEnumerable<ServedVersion> warm)
    {
        Release = release;
        Manifest = manifest;
        Stable = stable;
        Canary = canary;
        CanaryThreshold = canary is null ? 0 : StickyHash.Threshold(release.CanaryWeight);
        PinnedUsers = (release.Pins ?? []).ToFrozenSet(StringComparer.Ordinal);
        var loaded = new Dictionary<int, ServedVersion>();
        foreach (var version in warm.Append(stable))
        {
            loaded[version.Function.Version.Number] = version;
        }

        if (canary is not null)
        {
            loaded[canary.Function.Version.Number] = canary;
        }

        Loaded = loaded.ToFrozenDictionary();
    }

    public ReleaseRecord Release { get; }

    /// <summary>The stable version's manifest: its route and methods are the function's.</summary>
    public FunctionManifest Manifest { get; }

    public ServedVersion Stable { get; }

    public ServedVersion? Canary { get; }

    /// <summary>Buckets below this get the canary (see <see cref="StickyHash"/>).</summary>
    public int CanaryThreshold { get; }

    /// <summary>User keys that always get the canary.</summary>
    public FrozenSet<string> PinnedUsers { get; }

    /// <summary>Every loaded version of the function by number: stable, canary and warm standbys (pins may name these).</summary>
    public FrozenDictionary<int, ServedVersion> Loaded { get; }
}
