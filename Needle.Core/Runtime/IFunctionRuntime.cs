using Needle.Functions;

namespace Needle.Runtime;

/// <summary>Turns a stored version into something that can be invoked. One implementation per runtime name.</summary>
internal interface IFunctionRuntime
{
    /// <summary>The runtime name a manifest uses, for example <c>javascript</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Validates and prepares a version: parses (or compiles) it once and checks that it exports a handler.
    /// Throws <see cref="FunctionValidationException"/> with line and column when it cannot serve.
    /// </summary>
    Task<ILoadedFunction> LoadAsync(FunctionVersion version, ResolvedLimits limits, CancellationToken cancellationToken);

    /// <summary>
    /// The warnings <see cref="ILoadedFunction.Warnings"/> gave for <paramref name="version"/>, when the runtime knows
    /// them without preparing it again (an unchanged deploy loads nothing). Default: none.
    /// </summary>
    Task<IReadOnlyList<FunctionDiagnostic>> GetWarningsAsync(FunctionVersion version, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<FunctionDiagnostic>>([]);
}
