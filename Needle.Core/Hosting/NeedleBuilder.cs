using Microsoft.Extensions.DependencyInjection;

namespace Needle.Hosting;

internal sealed class NeedleBuilder(IServiceCollection services) : INeedleBuilder
{
    public IServiceCollection Services { get; } = services;
}
