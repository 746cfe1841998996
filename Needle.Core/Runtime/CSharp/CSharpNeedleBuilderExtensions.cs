using Needle.Hosting;
using Needle.Runtime.CSharp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the C# runtime, which <c>AddNeedle</c> registers.</summary>
public static class CSharpNeedleBuilderExtensions
{
    /// <summary>
    /// Configures C# functions: the host's assemblies functions may compile against, further allowed namespaces,
    /// the warm-up and the image cache. C# functions work without this call; the options are validated at start.
    /// </summary>
    /// <param name="builder">The Needle builder.</param>
    /// <param name="configure">Sets <see cref="CSharpFunctionOptions"/>, for example <c>o =&gt; o.AdditionalReferences.Add(typeof(MyDto).Assembly)</c>.</param>
    /// <returns>The builder.</returns>
    public static INeedleBuilder AddCSharpFunctions(this INeedleBuilder builder, Action<CSharpFunctionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
