using Needle.ControlPlane;

namespace Needle.Quality;

/// <summary>One way a case's answer differed from what it expects.</summary>
/// <param name="Field">What was checked: <c>status</c>, <c>headers.x-name</c>, <c>body</c>, <c>bodySubset.items[0]</c>, <c>jsonPath['$.user.id']</c>, <c>maxMs</c>, <c>fetch</c>.</param>
/// <param name="Expected">What the case expects (JSON text, or a description).</param>
/// <param name="Actual">What the function answered (JSON text, or a description).</param>
public sealed record TestMismatch(string Field, string? Expected, string? Actual);

/// <summary>The result of one test case.</summary>
/// <param name="Name">The case's name.</param>
/// <param name="Passed">Whether every expectation held.</param>
/// <param name="Mismatches">Each expectation that did not hold, with expected against actual; empty when passed.</param>
/// <param name="Actual">What the function answered, with its log lines, its duration and its error (a timeout, a limit) when it failed.</param>
public sealed record TestCaseResult(string Name, bool Passed, IReadOnlyList<TestMismatch> Mismatches, InvokeResponse Actual);

/// <summary>The results of a version's test cases: <c>POST /functions/{name}/versions/{n}/test</c>, and the <c>cases</c> of a refused change.</summary>
/// <param name="Function">The function.</param>
/// <param name="Version">The version the cases ran against.</param>
/// <param name="Passed">Whether every case passed (also when there are none).</param>
/// <param name="Cached">Whether the results are a kept earlier run of the same content (source, manifest, cases).</param>
/// <param name="Failed">How many cases failed.</param>
/// <param name="DurationMs">How long the run took.</param>
/// <param name="Cases">Each case's result, in order.</param>
public sealed record TestRunResponse(string Function, int Version, bool Passed, bool Cached, int Failed, double DurationMs, IReadOnlyList<TestCaseResult> Cases);
