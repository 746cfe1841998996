using Microsoft.Extensions.Options;
using Needle.ControlPlane;
using Needle.Functions;
using Needle.Hosting;
using Needle.Quality;
using Needle.Releases;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;

namespace Needle.Patching;

/// <summary>
/// Emergency patches, applied to all traffic at once: a diff, a new source or a new config against the stable
/// version whose content hash the caller states (a stale hash is refused), or a kill switch. The new version's parent
/// is the base. Every patch is audited with its reason and ticket; an idempotency key makes a retry return the first result.
/// </summary>
internal sealed class PatchService
{
    private const string ChangesNothing = "The patch changes nothing: the result equals the serving version.";
    private readonly INeedleStore _store;
    private readonly DeploymentService _deployments;
    private readonly ReleaseService _releases;
    private readonly VersionLoader _loader;
    private readonly RuntimeRegistry _runtimes;
    private readonly NeedleOptions _options;
    private readonly QualityGate _quality;

    public PatchService(INeedleStore store, DeploymentService deployments, ReleaseService releases, VersionLoader loader, RuntimeRegistry runtimes, IOptions<NeedleOptions> options, QualityGate quality)
    {
        _quality = quality;
        _store = store;
        _deployments = deployments;
        _releases = releases;
        _loader = loader;
        _runtimes = runtimes;
        _options = options.Value;
    }

    public async Task<PatchResult> ApplyAsync(string name, PatchRequest patch, string actor, CancellationToken cancellationToken)
    {
        var (kind, function, release) = await StartAsync(name, patch, cancellationToken).ConfigureAwait(false);
        if (patch.IdempotencyKey is { Length: > 0 } key && await FindReplayAsync(name, key, cancellationToken).ConfigureAwait(false) is { } replay)
        {
            return replay;
        }

        var reason = patch.Ticket is { Length: > 0 } ticket ? $"{patch.Reason} (ticket {ticket})" : patch.Reason!;
        if (kind == "kill")
        {
            var killed = await _releases.KillAsync(name, patch.Fallback!, actor, reason, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(new PatchResult(name, kind, release.StableVersion, release.StableVersion, killed.Revision, false), patch, actor, reason, cancellationToken).ConfigureAwait(false);
        }

        var baseVersion = await BaseAsync(function, release, cancellationToken).ConfigureAwait(false);
        var (source, manifest) = Build(kind, patch, baseVersion);
        // Around the quality gate with skipTests: the deploy audits it on its own line (tests-skipped), whatever the patch was.
        var skip = TestSkip.From(patch.SkipTests, reason, TestSkip.Patch);
        var outcome = await _deployments.DeployAsync(new DeployCommand(name, source, manifest, actor) { Reason = reason, ParentNumber = baseVersion.Number, SkipTests = skip }, cancellationToken).ConfigureAwait(false);
        if (outcome.Unchanged)
        {
            throw new ArgumentException(ChangesNothing);
        }

        return await RecordAsync(new PatchResult(name, kind, baseVersion.Number, outcome.Version.Number, outcome.Revision, false), patch, actor, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The checks of <see cref="ApplyAsync"/>, and the result loaded by its runtime and dropped; nothing changes.</summary>
    public async Task<PatchCheck> CheckAsync(string name, PatchRequest patch, CancellationToken cancellationToken)
    {
        var (kind, function, release) = await StartAsync(name, patch, cancellationToken).ConfigureAwait(false);
        var baseVersion = await BaseAsync(function, release, cancellationToken).ConfigureAwait(false);
        if (kind == "kill")
        {
            ReleaseRules.CheckFallback(patch.Fallback!, _options);
            return new PatchCheck(kind, baseVersion);
        }

        var (source, manifest) = Build(kind, patch, baseVersion);
        var normalized = ManifestValidator.Normalize(manifest, _runtimes.Names, _options.DownstreamServices, _options.MaxLimits);
        var hash = ContentHash.Compute(source, ManifestJson.Serialize(normalized));
        if (hash == baseVersion.ContentHash)
        {
            throw new ArgumentException(ChangesNothing);
        }

        // Compiled the way a deploy would, then dropped: the patch deploys for real when it is applied.
        var candidate = new FunctionVersion(name, function.LatestVersion + 1, source, normalized, hash, "patch-check", DateTimeOffset.UnixEpoch, baseVersion.Number);
        var loaded = await _loader.LoadAsync(candidate, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!patch.SkipTests)
            {
                await _quality.EnsurePassesAsync(candidate, loaded, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await loaded.DisposeAsync().ConfigureAwait(false);
        }

        return new PatchCheck(kind, baseVersion);
    }

    private async Task<(string Kind, FunctionRecord Function, ReleaseRecord Release)> StartAsync(string name, PatchRequest patch, CancellationToken cancellationToken)
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

        var function = await _store.GetFunctionAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{name}' does not exist.");
        var release = function.Release ?? throw new NeedleConflictException($"Function '{name}' has no release to patch.");
        return (kinds.Single(k => k.Given).Kind, function, release);
    }

    private async Task<FunctionVersion> BaseAsync(FunctionRecord function, ReleaseRecord release, CancellationToken cancellationToken) =>
        await _store.GetVersionAsync(function.Name, release.StableVersion, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{function.Name}' has no version {release.StableVersion}.");

    private static (string Source, FunctionManifest Manifest) Build(string kind, PatchRequest patch, FunctionVersion baseVersion)
    {
        if (string.IsNullOrWhiteSpace(patch.BaseHash))
        {
            throw new ArgumentException($"baseHash is required: the content hash of the version the patch was made against (the stable version {baseVersion.Number} has {baseVersion.ContentHash}).");
        }

        if (!string.Equals(patch.BaseHash, baseVersion.ContentHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new NeedleConflictException($"The base hash is stale: '{baseVersion.Name}' now serves version {baseVersion.Number} with hash {baseVersion.ContentHash}. Make the patch against it and retry.");
        }

        var source = kind switch
        {
            "diff" => ApplyDiff(baseVersion.Source, patch.Diff!),
            "source" => patch.Source!,
            _ => baseVersion.Source,
        };
        var manifest = ManifestJson.Deserialize(ManifestJson.Serialize(baseVersion.Manifest));
        if (kind == "config")
        {
            manifest.Config = patch.Config;
        }

        return (source, manifest);
    }

    private static string ApplyDiff(string source, string diff)
    {
        try
        {
            return UnifiedDiff.Apply(source, diff);
        }
        catch (PatchException ex)
        {
            throw new ArgumentException("The diff does not apply to the base version: " + ex.Message, ex);
        }
    }

    private async Task<PatchResult> RecordAsync(PatchResult result, PatchRequest patch, string actor, string reason, CancellationToken cancellationToken)
    {
        var detail = $"kind={result.Kind} base={result.BaseVersion} version={result.Version} revision={result.Revision}"
            + (patch.IdempotencyKey is { Length: > 0 } key ? $" key={key}" : "");
        var audit = new AuditEntry(actor, ReleaseActions.Patch, result.Function, result.Version, reason, detail);
        if (patch.IdempotencyKey is { Length: > 0 } idempotencyKey)
        {
            // The key and the result in columns, with the audit event, in one transaction: a retry reads them back.
            await _store.RecordPatchAsync(new AppliedPatch(result.Function, idempotencyKey, result.Kind, result.BaseVersion, result.Version, result.Revision), audit, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _store.AppendAuditAsync(audit, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<PatchResult?> FindReplayAsync(string name, string key, CancellationToken cancellationToken) =>
        await _store.FindPatchAsync(name, key, cancellationToken).ConfigureAwait(false) is { } recorded
            ? new PatchResult(name, recorded.Kind, recorded.BaseVersion, recorded.Version, recorded.Revision, Replayed: true)
            : null;
}
