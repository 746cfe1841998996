namespace Needle.Runtime;

/// <summary>The runtimes this host runs, by name.</summary>
internal sealed class RuntimeRegistry
{
    private readonly Dictionary<string, IFunctionRuntime> _runtimes;

    public RuntimeRegistry(IEnumerable<IFunctionRuntime> runtimes)
    {
        _runtimes = runtimes.ToDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<string> Names => _runtimes.Keys;

    public IFunctionRuntime Get(string name) =>
        _runtimes.TryGetValue(name, out var runtime)
            ? runtime
            : throw new FunctionValidationException($"manifest.runtime: '{name}' is not a runtime this host runs ({string.Join(", ", _runtimes.Keys)}).");
}
