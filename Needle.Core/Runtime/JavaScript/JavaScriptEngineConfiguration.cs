using System.Globalization;
using Jint;
using Jint.Constraints;
using Needle.Functions;

namespace Needle.Runtime.JavaScript;

/// <summary>The Jint options every engine of a version is built with: the sandbox and the version's resolved limits.</summary>
internal static class JavaScriptEngineConfiguration
{
    /// <summary>Applies the sandbox settings and <paramref name="limits"/> to a new engine's options.</summary>
    public static void Configure(Options options, ResolvedLimits limits)
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

        // The timeout covers a whole call (every entry into the engine, across its awaits) and the module's top level,
        // each armed by the host (JavaScriptEngine): a deadline read off the clock, and the call's token only once it
        // exists, so a call that never awaits costs no CancellationTokenSource and no timer.
        options.Constraint(new OperationDeadlineConstraint());
    }
}
