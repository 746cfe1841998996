using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Needle.Console.Hosting;
using Needle.Console.Serving;
using Needle.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the operations console to Needle.</summary>
public static class NeedleConsoleBuilderExtensions
{
    /// <summary>
    /// Adds the browser operations console; map it with <c>app.MapNeedleConsole("/needle")</c>. Safe to call more than
    /// once; each call's <paramref name="configure"/> is applied.
    /// </summary>
    /// <param name="builder">The Needle builder returned by <c>AddNeedle</c>.</param>
    /// <param name="configure">Sets <see cref="NeedleConsoleOptions"/>, for example the API prefix the console calls.</param>
    /// <returns>The builder.</returns>
    public static INeedleBuilder AddConsole(this INeedleBuilder builder, Action<NeedleConsoleOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<NeedleConsoleOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NeedleConsoleOptions>, NeedleConsoleOptionsValidator>());
        builder.Services.TryAddSingleton<NeedleConsoleMarkerService>();
        builder.Services.TryAddSingleton<ConsoleAssets>();
        builder.Services.TryAddSingleton<ConsoleAccessFilter>();
        return builder;
    }
}
