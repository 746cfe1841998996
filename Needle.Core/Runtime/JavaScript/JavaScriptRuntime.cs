using Acornima;
using Jint;
using Microsoft.Extensions.Logging;
using Needle.Functions;
using Needle.Telemetry;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// Runs ES-module functions in Jint. A version is parsed once here; its engines (one per concurrent call) are
/// built from that parsed module by <see cref="JavaScriptFunction"/>. Registered as a singleton.
/// </summary>
internal sealed class JavaScriptRuntime : IFunctionRuntime
{
    /// <summary>How long a call waits for a free engine when all are busy, unless told otherwise.</summary>
    public static readonly TimeSpan DefaultQueueTimeout = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger;
    private readonly TimeSpan _queueTimeout;
    private readonly NeedleMetrics? _metrics;
    private readonly JavaScriptMemoryBudget _budget;
    private readonly int _maxCallsPerEngine;

    public JavaScriptRuntime(ILoggerFactory loggerFactory)
        : this(loggerFactory, DefaultQueueTimeout)
    {
    }

    public JavaScriptRuntime(ILoggerFactory loggerFactory, TimeSpan queueTimeout, NeedleMetrics? metrics = null, JavaScriptRuntimeOptions? options = null)
    {
        _metrics = metrics;
        options ??= new JavaScriptRuntimeOptions();
        _budget = new JavaScriptMemoryBudget(options.MemoryCeilingMb * 1024L * 1024L);
        _maxCallsPerEngine = options.MaxCallsPerEngine;
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueTimeout, TimeSpan.Zero);
        _logger = loggerFactory.CreateLogger<JavaScriptRuntime>();
        _queueTimeout = queueTimeout;
    }

    /// <summary>The host-wide account of what the engines hold (for tests and diagnostics).</summary>
    internal JavaScriptMemoryBudget Budget => _budget;

    /// <inheritdoc />
    public string Name => FunctionRuntimes.JavaScript;

    /// <inheritdoc />
    public Task<ILoadedFunction> LoadAsync(FunctionVersion version, ResolvedLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();

        var module = Prepare(version.Source, limits);
        var function = new JavaScriptFunction(version, limits, module, _queueTimeout, _logger, _budget, _maxCallsPerEngine, _metrics);
        function.Initialize(cancellationToken);
        return Task.FromResult<ILoadedFunction>(function);
    }

    /// <summary>
    /// Parses, validates and prepares a version's module as every engine of it runs it: under a memory limit the key and
    /// concatenation guards rewrite the source first. Throws <see cref="FunctionValidationException"/> for a source
    /// that cannot run.
    /// </summary>
    internal static Prepared<Acornima.Ast.Module> Prepare(string source, ResolvedLimits limits)
    {
        Prepared<Acornima.Ast.Module> module;
        try
        {
            module = Engine.PrepareModule(source, JavaScriptEngine.ModuleSpecifier);
        }
        catch (ScriptPreparationException ex) when (ex.InnerException is ParseErrorException parseError)
        {
            throw ToValidationException(parseError);
        }
        catch (ParseErrorException parseError)
        {
            throw ToValidationException(parseError);
        }
        catch (ScriptPreparationException ex)
        {
            // Jint refuses what it cannot run, such as an expression nested deeper than 256 levels: the source's fault.
            throw new FunctionValidationException($"The module cannot be prepared: {ex.Message}");
        }

        JavaScriptModuleValidator.Validate(module.Program!);
        if (limits.MemoryBytes > 0 && JavaScriptKeyGuard.Rewrite(source, module.Program!) is { } guarded)
        {
            try
            {
                module = Engine.PrepareModule(guarded, JavaScriptEngine.ModuleSpecifier);
            }
            catch (ScriptPreparationException ex)
            {
                throw new FunctionValidationException($"The module cannot be prepared once guarded: {ex.Message}");
            }
        }

        return module;
    }

    // Acornima reports 1-based lines but 0-based columns; diagnostics are 1-based in both.
    private static FunctionValidationException ToValidationException(ParseErrorException error) =>
        new($"Syntax error: {error.Description}", error.LineNumber, error.Column + 1);
}
