namespace Needle.Quality;

/// <summary>
/// An emergency's way around the quality gate: <c>skipTests</c> with its required reason, on any route the gate stands
/// on. The version takes its role without its cases running; the skip is audited as <c>tests-skipped</c> (route,
/// version, reason, actor) and counted in <c>needle.tests.skipped</c> with the route as a tag.
/// </summary>
/// <param name="Route">Which way in went around the gate: one of the constants of this type.</param>
/// <param name="Reason">Why, for the audit trail; required.</param>
public sealed record TestSkip(string Route, string Reason)
{
    /// <summary>More for the audit line, as <c>key=value</c> (a release plan's <c>plan={id}</c>). Default: none.</summary>
    public string? Context { get; init; }

    /// <summary>A deploy: <c>POST /functions/{name}/versions</c> (also as canary).</summary>
    public const string Deploy = "deploy";

    /// <summary><c>POST /functions/{name}/canary</c>.</summary>
    public const string Canary = "canary";

    /// <summary><c>POST /functions/{name}/versions/{n}/activate</c>.</summary>
    public const string Activate = "activate";

    /// <summary><c>PUT /functions/{name}/release</c>.</summary>
    public const string Release = "release";

    /// <summary><c>POST /functions/{name}/promote</c>.</summary>
    public const string Promote = "promote";

    /// <summary>A release plan (Needle.Rollback): its start, and the promote that ends a plan started with a skip.</summary>
    public const string Plan = "plan";

    /// <summary>An emergency patch (Core's route or Needle.Rollback's pipeline).</summary>
    public const string Patch = "patch";

    /// <summary>
    /// The skip a request asks for: <see langword="null"/> without <paramref name="skipTests"/>; with it, a reason is
    /// required, else an <see cref="ArgumentException"/> naming the field (a 400 on the API).
    /// </summary>
    /// <param name="skipTests">The request's <c>skipTests</c>.</param>
    /// <param name="reason">The request's <c>reason</c>.</param>
    /// <param name="route">The route the request came in by.</param>
    public static TestSkip? From(bool skipTests, string? reason, string route)
    {
        if (!skipTests)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("reason: skipTests needs a reason (why the test cases may not run), recorded in the audit trail.");
        }

        return new TestSkip(route, reason);
    }
}
