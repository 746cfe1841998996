namespace Needle.Functions;

/// <summary>Names of the runtimes a manifest can ask for.</summary>
public static class FunctionRuntimes
{
    /// <summary>ES modules run by the Jint interpreter in a sandbox (the default).</summary>
    public const string JavaScript = "javascript";

    /// <summary>C# classes compiled by Roslyn and run at full JIT speed, one collectible load context per version (trusted code).</summary>
    public const string CSharp = "csharp";
}
