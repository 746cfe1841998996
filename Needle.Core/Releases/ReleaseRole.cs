namespace Needle.Releases;

/// <summary>Which part of a release served a request.</summary>
public enum ReleaseRole
{
    /// <summary>The stable version.</summary>
    Stable,

    /// <summary>The canary version.</summary>
    Canary,

    /// <summary>A version named by the pin header.</summary>
    Pinned,
}
