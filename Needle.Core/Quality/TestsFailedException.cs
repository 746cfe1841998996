namespace Needle.Quality;

/// <summary>
/// A change was refused because the version about to take traffic fails some of its test cases; nothing changed.
/// The control plane answers it with 422 problem details listing each failing case.
/// </summary>
public sealed class TestsFailedException : Exception
{
    /// <summary>Creates the exception from the run that failed.</summary>
    public TestsFailedException(TestRunResponse run)
        : base(Describe(run))
    {
        Run = run;
    }

    /// <summary>The run, with every case's result.</summary>
    public TestRunResponse Run { get; }

    /// <summary>The failing cases only.</summary>
    public IReadOnlyList<TestCaseResult> Failures => [.. Run.Cases.Where(c => !c.Passed)];

    private static string Describe(TestRunResponse run) =>
        $"{run.Failed} of {run.Cases.Count} test cases of {run.Function}@{run.Version} failed ({string.Join(", ", run.Cases.Where(c => !c.Passed).Select(c => $"'{c.Name}'"))}); nothing changed.";
}
