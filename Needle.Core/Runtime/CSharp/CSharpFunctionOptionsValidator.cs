using Microsoft.Extensions.Options;

namespace Needle.Runtime.CSharp;

/// <summary>Validates <see cref="CSharpFunctionOptions"/> when the host starts.</summary>
internal sealed class CSharpFunctionOptionsValidator : IValidateOptions<CSharpFunctionOptions>
{
    public ValidateOptionsResult Validate(string? name, CSharpFunctionOptions options)
    {
        var failures = new List<string>();
        foreach (var assembly in options.AdditionalReferences)
        {
            if (assembly is null || assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location))
            {
                failures.Add($"Needle C#: AdditionalReferences: '{assembly?.GetName().Name}' is not loaded from a file, so functions cannot compile against it.");
            }
        }

        foreach (var ns in options.AllowedNamespaces.Where(n => string.IsNullOrWhiteSpace(n) || n.Trim() != n))
        {
            failures.Add($"Needle C#: AllowedNamespaces: '{ns}' is not a namespace.");
        }

        if (options.ImageCacheSize is < 0 or > 10_000)
        {
            failures.Add($"Needle C#: ImageCacheSize must be between 0 and 10,000 (was {options.ImageCacheSize}).");
        }

        if (options.LoadTimeout < TimeSpan.FromMilliseconds(100) || options.LoadTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Needle C#: LoadTimeout must be between 100 ms and 5 minutes (was {options.LoadTimeout}).");
        }

        if (options.MaxStuckLoads is < 1 or > 64)
        {
            failures.Add($"Needle C#: MaxStuckLoads must be between 1 and 64 (was {options.MaxStuckLoads}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
