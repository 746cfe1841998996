using Microsoft.Extensions.Logging;
using Needle.Functions;

namespace Needle.Runtime.JavaScript;

// Placeholder until the Jint runtime lands.
internal sealed class JavaScriptRuntime(ILoggerFactory loggerFactory, TimeSpan queueTimeout) : IFunctionRuntime
{
    public string Name => "javascript";

    public Task<ILoadedFunction> LoadAsync(FunctionVersion version, ResolvedLimits limits, CancellationToken cancellationToken)
    {
        _ = loggerFactory;
        _ = queueTimeout;
        throw new NotImplementedException();
    }
}
