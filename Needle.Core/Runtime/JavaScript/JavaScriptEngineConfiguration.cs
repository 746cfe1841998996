using System.Globalization;
using Jint;
using Needle.Functions;

namespace Needle.Runtime.JavaScript;

/// <summary>The Jint options every engine of a version is built with: the sandbox and the version's resolved limits.</summary>
internal static class JavaScriptEngineConfiguration
{
    // Jint only installs its cancellation constraint (which each call re-targets) for a token that can be cancelled.
    private static readonly CancellationTokenSource Never = new();

    /// <summary>Applies the sandbox settings and <paramref name="limits"/> to a new engine's options.</summary>
    public static void Configure(Options options, ResolvedLimits limits, CancellationToken cancellationToken)
    {
        options.Strict = true;
        options.Host.StringCompilationAllowed = false;
        options.AgentCanSuspend = false;
        options.TimeZone = TimeZoneInfo.Utc;
        options.Culture = CultureInfo.InvariantCulture;
        options.Constraints.RegexTimeout = limits.Timeout;

        // Built-ins recurse on the host's stack (JSON.stringify, join, flat, Proxy chains, coercions): without the
        // guard a 200,000-deep object ends the process; with it the engine throws a catchable RangeError.
        options.Constraints.StackOverflowGuard = true;
        // Always installed (0 = no limit): it also measures what the engine's calls allocate.
        options.Constraint(new JavaScriptMemoryConstraint(limits.MemoryBytes));
        if (limits.MemoryBytes > 0)
        {
            // An array (or an argument list for apply, a spread, an ownKeys result) of more references than the memory
            // limit could hold is refused before it is allocated, inside the one built-in call that would make it.
            options.Constraints.MaxArraySize = (uint)Math.Min(limits.MemoryBytes / 8, uint.MaxValue);
        }

        if (limits.MaxStatements > 0)
        {
            options.MaxStatements(limits.MaxStatements);
        }

        if (limits.MaxRecursionDepth > 0)
        {
            options.LimitRecursion(limits.MaxRecursionDepth);
        }

        options.TimeoutInterval(limits.Timeout);
        options.CancellationToken(cancellationToken.CanBeCanceled ? cancellationToken : Never.Token);
    }
}
