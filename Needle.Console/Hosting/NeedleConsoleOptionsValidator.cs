using Microsoft.Extensions.Options;

namespace Needle.Console.Hosting;

/// <summary>Refuses console options that cannot work, at start rather than on the first page load.</summary>
internal sealed class NeedleConsoleOptionsValidator : IValidateOptions<NeedleConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, NeedleConsoleOptions options)
    {
        var prefix = options.ApiPrefix;
        if (string.IsNullOrWhiteSpace(prefix) || !prefix.StartsWith('/') || prefix.Length < 2 || prefix.EndsWith('/'))
        {
            return ValidateOptionsResult.Fail($"NeedleConsoleOptions.ApiPrefix must be a path such as '/needle/api' (starting with '/', not ending with one); it is '{prefix}'.");
        }

        if (prefix.Any(c => char.IsWhiteSpace(c) || c is '"' or '<' or '>' or '?' or '#'))
        {
            return ValidateOptionsResult.Fail($"NeedleConsoleOptions.ApiPrefix must be a plain path; it is '{prefix}'.");
        }

        return ValidateOptionsResult.Success;
    }
}
