using Needle.Functions;
using Needle.Serving;

namespace Needle.Testing;

/// <summary>
/// A fixed <see cref="INeedleServingState"/> for tests of what reads it (health windows, health checks) without a
/// running reconciler: the functions a test sets, and a store check the test decides (by default the store is not asked).
/// </summary>
public sealed class ServingStateStub : INeedleServingState
{
    /// <summary>The functions <see cref="GetFunctions"/> returns.</summary>
    public IReadOnlyList<ServedFunction> Functions { get; set; } = [];

    /// <summary>The versions <see cref="FindVersion"/> finds.</summary>
    public IReadOnlyList<FunctionVersion> Versions { get; set; } = [];

    /// <summary>What <see cref="CheckAsync"/> does; unset, it throws <see cref="NotSupportedException"/>.</summary>
    public Func<ServingCheck>? Check { get; set; }

    public string NodeId { get; init; } = "stub";

    public long AppliedRevision => 1;

    public long StoreRevision => 1;

    public IReadOnlyDictionary<string, string> LoadErrors { get; } = new Dictionary<string, string>();

    public IReadOnlyList<ServedFunction> GetFunctions() => Functions;

    public FunctionVersion? FindVersion(string function, int number) => Versions.FirstOrDefault(v => v.Name == function && v.Number == number);

    public Task<ServingCheck> CheckAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult((Check ?? throw new NotSupportedException("This stub does not read a store."))());
}
