using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Needle.ControlPlane;
using Needle.Functions;
using Needle.Runtime;
using Needle.Runtime.Downstream;

namespace Needle.Quality;

/// <summary>
/// Runs test cases against a loaded version, one after the other, exactly as test invocations run
/// (<see cref="TestInvocationService.RunAsync"/>): no traffic, nothing recorded in metrics or health windows, the
/// version's timeout and limits in force, fetches answered by the case's stubs (<see cref="StubDownstreamClient"/>).
/// </summary>
internal sealed class TestCaseRunner
{
    private readonly TestInvocationService _testRuns;
    private readonly IDownstreamClient _downstream;

    public TestCaseRunner(TestInvocationService testRuns, IDownstreamClient downstream)
    {
        _testRuns = testRuns;
        _downstream = downstream;
    }

    public async Task<TestRunResponse> RunAsync(FunctionVersion version, ILoadedFunction function, IReadOnlyList<TestCase> cases, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var results = new List<TestCaseResult>(cases.Count);
        foreach (var testCase in cases)
        {
            var stubs = new StubDownstreamClient(testCase, _downstream);
            var request = TestInvocationShapes.ToFunctionRequest(version.Name, ToSample(testCase.Request));
            var result = await _testRuns.RunAsync(version, function, request, stubs, cancellationToken).ConfigureAwait(false);
            var actual = TestInvocationShapes.ToInvokeResponse(result);
            var mismatches = TestExpectationCheck.Compare(testCase.Expect, actual, stubs.Unstubbed);
            results.Add(new TestCaseResult(testCase.Name, mismatches.Count == 0, mismatches, actual));
        }

        var failed = results.Count(r => !r.Passed);
        return new TestRunResponse(version.Name, version.Number, failed == 0, Cached: false, failed, Stopwatch.GetElapsedTime(started).TotalMilliseconds, results);
    }

    private static InvokeRequest ToSample(TestCaseRequest request) => new()
    {
        Method = request.Method,
        Path = request.Path,
        Params = new Dictionary<string, string>(request.Params),
        Query = new Dictionary<string, string>(request.Query),
        Headers = new Dictionary<string, string>(request.Headers),
        Body = request.Body?.DeepClone(),
        BodyText = request.BodyText,
    };
}
