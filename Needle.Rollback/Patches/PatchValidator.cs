using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Patching;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;

namespace Needle.Rollback.Patches;

/// <summary>
/// Checks a patch before it is queued, so bad input is refused with a clear error and nothing changes: a reason, one
/// kind, a known function with a release, a base hash that matches the stable version, a diff that applies, a result
/// that compiles (loaded by its runtime, then dropped) and that changes something.
/// </summary>
internal sealed class PatchValidator(INeedleStore store, RuntimeRegistry runtimes, IOptions<NeedleOptions> options, VersionLoader loader)
{
    /// <summary>Returns the patch's kind and the stable version it is made against; throws what the API maps to 400, 404 or 409.</summary>
    public async Task<(string Kind, FunctionVersion Base)> ValidateAsync(string name, PatchRequest patch, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(patch.Reason))
        {
            throw new ArgumentException("An emergency patch needs a reason.");
        }

        var kinds = new (string Kind, bool Given)[] { ("diff", patch.Diff is not null), ("source", patch.Source is not null), ("config", patch.Config is not null), ("kill", patch.Fallback is not null) };
        if (kinds.Count(k => k.Given) != 1)
        {
            throw new ArgumentException("An emergency patch has exactly one of: diff, source, config, fallback (kill switch).");
        }

        var kind = kinds.Single(k => k.Given).Kind;
        var function = await store.GetFunctionAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{name}' does not exist.");
        var release = function.Release ?? throw new NeedleConflictException($"Function '{name}' has no release to patch.");
        var baseVersion = await store.GetVersionAsync(name, release.StableVersion, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{name}' has no version {release.StableVersion}.");
        if (kind == "kill")
        {
            Releases.ReleaseRules.CheckFallback(patch.Fallback!);
            return (kind, baseVersion);
        }

        if (string.IsNullOrWhiteSpace(patch.BaseHash))
        {
            throw new ArgumentException($"baseHash is required: the content hash of the version the patch was made against (the stable version {baseVersion.Number} has {baseVersion.ContentHash}).");
        }

        if (!string.Equals(patch.BaseHash, baseVersion.ContentHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new NeedleConflictException($"The base hash is stale: '{name}' now serves version {baseVersion.Number} with hash {baseVersion.ContentHash}. Make the patch against it and retry.");
        }

        string source;
        try
        {
            source = kind switch
            {
                "diff" => UnifiedDiff.Apply(baseVersion.Source, patch.Diff!),
                "source" => patch.Source!,
                _ => baseVersion.Source,
            };
        }
        catch (PatchException ex)
        {
            throw new ArgumentException("The diff does not apply to the base version: " + ex.Message, ex);
        }

        var manifest = ManifestJson.Deserialize(ManifestJson.Serialize(baseVersion.Manifest));
        if (kind == "config")
        {
            manifest.Config = patch.Config;
        }

        var normalized = ManifestValidator.Normalize(manifest, runtimes.Names, options.Value.DownstreamServices, options.Value.MaxLimits);
        var hash = ContentHash.Compute(source, ManifestJson.Serialize(normalized));
        if (hash == baseVersion.ContentHash)
        {
            throw new ArgumentException("The patch changes nothing: the result equals the serving version.");
        }

        // Compile it the way a deploy would, then drop it: the job deploys for real once it runs.
        var candidate = new FunctionVersion(name, function.LatestVersion + 1, source, normalized, hash, "patch-check", DateTimeOffset.UnixEpoch, baseVersion.Number);
        var loaded = await loader.LoadAsync(candidate, cancellationToken).ConfigureAwait(false);
        await loaded.DisposeAsync().ConfigureAwait(false);
        return (kind, baseVersion);
    }
}
