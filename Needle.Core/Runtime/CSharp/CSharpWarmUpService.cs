using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Needle.Runtime.CSharp;

/// <summary>Starts Roslyn's warm-up in the background when the host starts; never delays the start.</summary>
internal sealed class CSharpWarmUpService(CSharpRuntime runtime, IOptions<CSharpFunctionOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.WarmUp)
        {
            _ = Task.Run(runtime.WarmUp, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
