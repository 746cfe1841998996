namespace Needle.Client;

/// <summary>The results of a version's test cases (<see cref="NeedleApiClient.TestAsync"/>).</summary>
/// <param name="Function">The function.</param>
/// <param name="Version">The version the cases ran against.</param>
/// <param name="Passed">Whether every case passed.</param>
/// <param name="Cached">Whether these are a kept earlier run of the same content.</param>
/// <param name="Failed">How many cases failed.</param>
/// <param name="DurationMs">How long the run took.</param>
/// <param name="Cases">Each case's result.</param>
public sealed record TestRunResult(string Function, int Version, bool Passed, bool Cached, int Failed, double DurationMs, IReadOnlyList<TestCaseResult> Cases);

/// <summary>One case's result.</summary>
/// <param name="Name">The case's name.</param>
/// <param name="Passed">Whether every expectation held.</param>
/// <param name="Mismatches">Each expectation that did not hold.</param>
/// <param name="Actual">What the function answered, with its logs and duration.</param>
public sealed record TestCaseResult(string Name, bool Passed, IReadOnlyList<TestMismatch> Mismatches, InvokeResult Actual);

/// <summary>An expectation that did not hold: which field, expected against actual.</summary>
/// <param name="Field">What was checked (<c>status</c>, <c>body</c>, <c>jsonPath['$.id']</c>, <c>fetch</c> ...).</param>
/// <param name="Expected">What the case expects.</param>
/// <param name="Actual">What the function answered.</param>
public sealed record TestMismatch(string Field, string? Expected, string? Actual);
