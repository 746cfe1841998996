using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Needle.Runtime;

namespace Needle.Functions;

/// <summary>
/// Resolves a manifest's <c>secrets</c> (a name the function reads, mapped to a key of the host's
/// <see cref="IConfiguration"/>) into values when a version loads. Only the names and keys are in the manifest, so
/// only they are stored, returned, audited and diffed; the values live in memory beside the loaded version, and no
/// message or log line ever holds one.
/// </summary>
internal sealed partial class FunctionSecrets
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    private readonly IConfiguration _configuration;
    private readonly ILogger _logger;

    // Keyed by the version instance a loaded function holds, so the values go when the version is unloaded.
    private readonly ConditionalWeakTable<FunctionVersion, IReadOnlyDictionary<string, string>> _resolved = [];

    public FunctionSecrets(IConfiguration? configuration, ILogger<FunctionSecrets> logger)
    {
        _configuration = configuration ?? new ConfigurationBuilder().Build();
        _logger = logger;
    }

    /// <summary>The names a function may give its secrets: an identifier of up to 64 characters.</summary>
    [GeneratedRegex("^[A-Za-z_$][A-Za-z0-9_$]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    /// <summary>Refuses (with 400) secrets whose name is not an identifier or whose configuration key this host does not set.</summary>
    public void Check(FunctionManifest manifest)
    {
        if (manifest.Secrets is not { Count: > 0 } secrets)
        {
            return;
        }

        var problems = new List<FunctionDiagnostic>();
        foreach (var (name, key) in secrets)
        {
            if (!SecretName().IsMatch(name))
            {
                problems.Add(new($"manifest.secrets: '{name}' is not a valid secret name; use a letter, '_' or '$' followed by up to 63 letters, digits, '_' or '$'."));
            }
            else if (string.IsNullOrWhiteSpace(key))
            {
                problems.Add(new($"manifest.secrets.{name}: give the configuration key to read it from, for example 'Payments:ApiKey'."));
            }
            else if (_configuration[key] is null)
            {
                problems.Add(new($"manifest.secrets.{name}: the configuration key '{key}' is not set on this host."));
            }
        }

        if (problems.Count > 0)
        {
            throw new FunctionValidationException(problems);
        }
    }

    /// <summary>
    /// The values of <paramref name="version"/>'s secrets, read from configuration the first time (when the version
    /// loads) and kept with it. A key that is no longer set is left out, with a warning naming the key.
    /// </summary>
    public IReadOnlyDictionary<string, string> For(FunctionVersion version)
    {
        if (version.Manifest.Secrets is not { Count: > 0 })
        {
            return None;
        }

        return _resolved.TryGetValue(version, out var values) ? values : _resolved.GetValue(version, Resolve);
    }

    private IReadOnlyDictionary<string, string> Resolve(FunctionVersion version)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, key) in version.Manifest.Secrets!)
        {
            if (_configuration[key] is { } value)
            {
                values[name] = value;
            }
            else
            {
                LogSecretMissing(_logger, version.Label, name, key);
            }
        }

        return values.AsReadOnly();
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.SecretMissing, Level = LogLevel.Warning, Message = "Version {Version}: secret '{Name}' is not available, the configuration key '{Key}' is not set on this host.")]
    private static partial void LogSecretMissing(ILogger logger, string version, string name, string key);
}
