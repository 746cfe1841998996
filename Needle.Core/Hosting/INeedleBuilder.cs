using Microsoft.Extensions.DependencyInjection;

namespace Needle.Hosting;

/// <summary>Returned by <c>AddNeedle</c>; the Needle packages and the host extend it (<c>AddDownstream</c>, <c>WatchDirectory</c>, ...).</summary>
public interface INeedleBuilder
{
    /// <summary>The host's service collection.</summary>
    IServiceCollection Services { get; }
}
